/**
 * Content header frames: the payload after basic.publish / deliver / return / get-ok.
 *
 *   class-id u16 | weight u16 (always 0) | body-size u64 | property flags u16 (+ more words) | property values
 *
 * The broker keeps a message's header payload as the raw bytes it received and forwards
 * them unchanged to consumers (as RabbitMQ does), so the hot path only needs the body
 * size and, for persistence, the delivery mode. Full decoding is for features that need
 * the properties (TTL, priority, headers exchange, dead-lettering) and is not cheap.
 */
import { ByteReader } from './byte-reader.js';
import { writeU16, writeU64 } from './byte-writer.js';
import { AmqpError } from './errors.js';
import {
  ClassId,
  decodeBasicProperties,
  encodeBasicProperties,
  encodedBasicPropertiesSize,
  ReplyCode,
  type BasicProperties,
} from './spec.generated.js';

/** class-id + weight + body-size + one flags word. */
export const CONTENT_HEADER_MIN_SIZE = 14;

const BODY_SIZE_OFFSET = 4;
const FLAGS_OFFSET = 12;
const TWO_POW_32 = 0x1_0000_0000;

export interface ContentHeader {
  classId: number;
  bodySize: number;
  properties: BasicProperties;
}

/**
 * Decodes a whole content header payload buf[start, end). Only class basic carries
 * content in 0-9-1, so another class id is UNEXPECTED_FRAME. The result holds no
 * references into buf.
 */
export function decodeContentHeader(buf: Buffer, start: number, end: number): ContentHeader {
  const r = new ByteReader(buf, start, end);
  const classId = r.u16();
  if (classId !== ClassId.Basic) {
    throw new AmqpError(ReplyCode.UNEXPECTED_FRAME, `content header for class ${classId}; only basic (60) carries content`);
  }
  r.u16(); // weight: unused, the spec says zero; RabbitMQ ignores it too
  const bodySize = r.u64();
  return { classId, bodySize, properties: decodeBasicProperties(r) };
}

/** Encoded size of a content header payload with these properties. */
export function contentHeaderSize(props: BasicProperties): number {
  return FLAGS_OFFSET + encodedBasicPropertiesSize(props);
}

/** Writes a content header payload at off (contentHeaderSize(props) bytes of room); returns the end offset. */
export function writeContentHeader(buf: Buffer, off: number, classId: number, bodySize: number, props: BasicProperties): number {
  off = writeU16(buf, off, classId);
  off = writeU16(buf, off, 0); // weight
  off = writeU64(buf, off, bodySize);
  return encodeBasicProperties(buf, off, props);
}

/**
 * A content header payload built by the server itself (dead-lettering, re-encoded
 * properties for basic.return...): class-id, weight 0, body-size, flags, properties.
 */
export function encodeContentHeader(classId: number, bodySize: number, props: BasicProperties): Buffer {
  const buf = Buffer.allocUnsafe(contentHeaderSize(props));
  writeContentHeader(buf, 0, classId, bodySize, props);
  return buf;
}

/** The class id of a content header payload (hot path: no decoding). */
export function contentHeaderClassId(buf: Buffer, start: number, end: number = buf.length): number {
  if (start + 2 > end) truncated();
  return (buf[start]! << 8) | buf[start + 1]!;
}

/**
 * The body size of a content header payload, read straight from the u64 at start + 4
 * (hot path: no decoding). `end` bounds the read; frames are slices of larger chunks,
 * so pass the frame's end when the header has not been length-checked yet.
 */
export function contentHeaderBodySize(buf: Buffer, start: number, end: number = buf.length): number {
  const p = start + BODY_SIZE_OFFSET;
  if (p + 8 > end) truncated();
  const hi = buf[p]! * 0x100_0000 + ((buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!);
  const lo = buf[p + 4]! * 0x100_0000 + ((buf[p + 5]! << 16) | (buf[p + 6]! << 8) | buf[p + 7]!);
  return hi * TWO_POW_32 + lo;
}

/** Flag bit of each basic property in the first flags word (the first property is bit 15). */
export const PropertyFlag = {
  ContentType: 0x8000,
  ContentEncoding: 0x4000,
  Headers: 0x2000,
  DeliveryMode: 0x1000,
  Priority: 0x0800,
  CorrelationId: 0x0400,
  ReplyTo: 0x0200,
  Expiration: 0x0100,
  MessageId: 0x0080,
  Timestamp: 0x0040,
  Type: 0x0020,
  UserId: 0x0010,
  AppId: 0x0008,
  ClusterId: 0x0004,
} as const;
const FLAG_CONTENT_TYPE = PropertyFlag.ContentType;
const FLAG_CONTENT_ENCODING = PropertyFlag.ContentEncoding;
const FLAG_HEADERS = PropertyFlag.Headers;
const FLAG_DELIVERY_MODE = PropertyFlag.DeliveryMode;
const FLAG_PRIORITY = PropertyFlag.Priority;

/** The first property-flags word: which properties a raw header carries, without decoding any. */
export function contentHeaderPropertyFlags(buf: Buffer, start: number, end: number): number {
  const p = start + FLAGS_OFFSET;
  if (p + 2 > end) truncated();
  return (buf[p]! << 8) | buf[p + 1]!;
}

/**
 * delivery-mode of a basic content header payload buf[start, end) without decoding the
 * rest (0 when absent): the one property every publish needs, to know whether to persist.
 * Skips content-type, content-encoding and headers by their lengths; allocates nothing.
 */
export function peekDeliveryMode(buf: Buffer, start: number, end: number): number {
  return peekOctetProperty(buf, start, end, FLAG_DELIVERY_MODE);
}

/**
 * The priority property straight from a raw content header, or 0 when absent (RabbitMQ
 * treats a message without priority as priority 0), without decoding the properties.
 */
export function peekPriority(buf: Buffer, start: number, end: number): number {
  return peekOctetProperty(buf, start, end, FLAG_PRIORITY);
}

/** delivery-mode or priority, the two octet properties that follow the headers table. */
function peekOctetProperty(buf: Buffer, start: number, end: number, flag: typeof FLAG_DELIVERY_MODE | typeof FLAG_PRIORITY): number {
  let p = start + FLAGS_OFFSET;
  if (p + 2 > end) truncated();
  const flags = (buf[p]! << 8) | buf[p + 1]!;
  p += 2;
  if ((flags & flag) === 0) return 0;
  for (let more = flags & 1; more !== 0; p += 2) {
    if (p + 2 > end) truncated();
    more = buf[p + 1]! & 1;
  }
  if ((flags & FLAG_CONTENT_TYPE) !== 0) p = skipShortstr(buf, p, end);
  if ((flags & FLAG_CONTENT_ENCODING) !== 0) p = skipShortstr(buf, p, end);
  if ((flags & FLAG_HEADERS) !== 0) {
    if (p + 4 > end) truncated();
    p += 4 + (buf[p]! * 0x100_0000 + ((buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!));
  }
  if (flag === FLAG_PRIORITY && (flags & FLAG_DELIVERY_MODE) !== 0) p += 1;
  if (p + 1 > end) truncated();
  return buf[p]!;
}

function skipShortstr(buf: Buffer, p: number, end: number): number {
  if (p + 1 > end) truncated();
  return p + 1 + buf[p]!;
}

function truncated(): never {
  throw new AmqpError(ReplyCode.SYNTAX_ERROR, 'truncated content header frame');
}
