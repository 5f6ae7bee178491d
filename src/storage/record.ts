/**
 * The message record: what one queued message looks like in a segment file.
 *
 * All integers little-endian. A record is 32 fixed bytes, then the variable parts:
 *
 *   offset size
 *        0    4  size         bytes of the whole record, these 4 included (>= 32)
 *        4    4  crc          CRC-32 of bytes [8, size): everything after this field
 *        8    1  flags        bit 0 = persistent (RecordFlag.Persistent); other bits 0 for now
 *        9    1  E            exchange name length (UTF-8 bytes, <= 255)
 *       10    1  R            routing key length (UTF-8 bytes, <= 255)
 *       11    1  priority     the message's priority level (format version 2; 0 in version 1)
 *       12    4  H            header length
 *       16    8  seq          queue-local sequence number (< 2^53)
 *       24    8  expiresAt    epoch ms, 0 = never (< 2^53)
 *       32    E  exchange
 *     32+E    R  routing key
 *   32+E+R    H  header       opaque (the broker's raw content header)
 * 32+E+R+H    *  body         opaque, the rest of the record: size - 32 - E - R - H bytes
 *
 * Why this shape: the length comes first so a scan hops from record to record reading 32
 * bytes each, and the CRC second so it covers everything else. A zeroed tail reads as size 0,
 * which no record has. The fixed part being exactly 32 bytes means two records never start
 * within 32 bytes of each other, so offset / 32 numbers a segment's records uniquely: the ack
 * bitmap (ack-bitmap.ts) relies on it. The segment file header carries the format version
 * (segment-file.ts).
 */
import { crc32Of, crc32Range } from './crc32.js';

export interface MessageRecord {
  /** bit 0 = persistent (RecordFlag.Persistent) */
  flags: number;
  /** queue-local sequence number (safe integer) */
  seq: number;
  /** epoch ms, 0 = never */
  expiresAt: number;
  /** up to 255 bytes UTF-8 */
  exchange: string;
  /** up to 255 bytes UTF-8 */
  routingKey: string;
  /** opaque bytes (the broker's raw content header) */
  header: Buffer;
  /** opaque bytes, up to MAX_BODY_SIZE */
  body: Buffer;
  /** priority level 0..255 (0 when absent) */
  priority?: number;
}

export interface StoredRecord extends MessageRecord {
  position: number;
}

export const RecordFlag = { Persistent: 1 } as const;

export const RECORD_FIXED_SIZE = 32;
export const MAX_BODY_SIZE = 128 * 1024 * 1024;
/** A raw content header is one frame in practice; this bound only keeps a garbage length from passing as real. */
export const MAX_HEADER_SIZE = 16 * 1024 * 1024;
const MAX_SHORTSTR = 255;
export const MAX_RECORD_SIZE = RECORD_FIXED_SIZE + 2 * MAX_SHORTSTR + MAX_HEADER_SIZE + MAX_BODY_SIZE;

/** Field offsets inside a record. */
export const RecordField = {
  Size: 0,
  Crc: 4,
  Flags: 8,
  ExchangeLength: 9,
  RoutingKeyLength: 10,
  Priority: 11,
  HeaderLength: 12,
  Seq: 16,
  ExpiresAt: 24,
} as const;

/** Where the CRC starts covering. */
export const CRC_START = 8;

const TWO_POW_32 = 0x1_0000_0000;
/** High 32 bits of the largest safe integer. */
const SAFE_HIGH_WORD = 0x1f_ffff;

/** position = segmentId * 2**32 + byte offset of the record in its segment file (a safe integer, no allocation). */
export function positionOf(segmentId: number, offset: number): number {
  return segmentId * TWO_POW_32 + offset;
}

export function segmentOf(position: number): number {
  return (position - (position >>> 0)) / TWO_POW_32;
}

export function offsetOf(position: number): number {
  return position >>> 0;
}

/** Largest segment id whose positions stay safe integers. */
export const MAX_SEGMENT_ID = Math.floor(Number.MAX_SAFE_INTEGER / TWO_POW_32) - 1;

/**
 * UTF-8 length of a shortstr, or a RangeError past 255 bytes. More than 255 UTF-16 units is
 * more than 255 bytes, so a long string is refused before it is measured.
 */
export function shortstrBytes(s: string, what: string): number {
  const n = s.length > MAX_SHORTSTR ? MAX_SHORTSTR + 1 : Buffer.byteLength(s, 'utf8');
  if (n > MAX_SHORTSTR) throw new RangeError(`${what} is longer than ${MAX_SHORTSTR} bytes: ${JSON.stringify(s.slice(0, 40))}...`);
  return n;
}

/**
 * Size of the encoded record given its shortstr lengths; RangeError for what the format
 * cannot hold (the caller has not written anything yet).
 */
export function recordSize(record: MessageRecord, exchangeBytes: number, routingKeyBytes: number): number {
  const { header, body } = record;
  if (body.length > MAX_BODY_SIZE) throw new RangeError(`message body is ${body.length} bytes, the limit is ${MAX_BODY_SIZE}`);
  if (header.length > MAX_HEADER_SIZE) throw new RangeError(`message header is ${header.length} bytes, the limit is ${MAX_HEADER_SIZE}`);
  if (!Number.isSafeInteger(record.seq) || record.seq < 0) throw new RangeError(`seq must be a non-negative safe integer, got ${record.seq}`);
  if (!Number.isSafeInteger(record.expiresAt) || record.expiresAt < 0) {
    throw new RangeError(`expiresAt must be a non-negative safe integer, got ${record.expiresAt}`);
  }
  return RECORD_FIXED_SIZE + exchangeBytes + routingKeyBytes + header.length + body.length;
}

function writeU64(buf: Buffer, off: number, v: number): void {
  buf.writeUInt32LE(v >>> 0, off);
  buf.writeUInt32LE((v - (v >>> 0)) / TWO_POW_32, off + 4);
}

export function readU64(buf: Buffer, off: number): number {
  return buf.readUInt32LE(off) + buf.readUInt32LE(off + 4) * TWO_POW_32;
}

/**
 * Writes the fixed part, exchange, routing key and header at buf[off, ...) and returns the
 * offset where the body goes. The caller copies the body there or queues it by reference,
 * then stores the CRC from recordCrc. buf must have room for everything up to the body.
 */
export function writeRecordHead(
  buf: Buffer,
  off: number,
  record: MessageRecord,
  size: number,
  exchangeBytes: number,
  routingKeyBytes: number,
): number {
  buf.writeUInt32LE(size, off);
  buf.writeUInt32LE(0, off + RecordField.Crc);
  buf[off + RecordField.Flags] = record.flags;
  buf[off + RecordField.ExchangeLength] = exchangeBytes;
  buf[off + RecordField.RoutingKeyLength] = routingKeyBytes;
  buf[off + RecordField.Priority] = record.priority ?? 0;
  buf.writeUInt32LE(record.header.length, off + RecordField.HeaderLength);
  writeU64(buf, off + RecordField.Seq, record.seq);
  writeU64(buf, off + RecordField.ExpiresAt, record.expiresAt);
  let p = off + RECORD_FIXED_SIZE;
  if (exchangeBytes > 0) p += buf.write(record.exchange, p, 'utf8');
  if (routingKeyBytes > 0) p += buf.write(record.routingKey, p, 'utf8');
  p += record.header.copy(buf, p);
  return p;
}

/** CRC of a record whose head (up to the header's end) is at buf[off, headEnd) and whose body is `body`. */
export function recordCrc(buf: Buffer, off: number, headEnd: number, header: Buffer, body: Buffer): number {
  const afterStrings = headEnd - header.length;
  return crc32Of(body, crc32Of(header, crc32Range(buf, off + CRC_START, afterStrings)));
}

/**
 * Why the 32 bytes at buf[off, off + 32) cannot start a record, or null if they can. `room`
 * is how many bytes the file has from off on: a record running past it is a torn tail.
 */
export function checkRecordHead(buf: Buffer, off: number, room: number): string | null {
  const size = buf.readUInt32LE(off);
  if (size === 0 && buf.readUInt32LE(off + RecordField.Crc) === 0) return 'zeroed bytes where a record should start';
  if (size < RECORD_FIXED_SIZE || size > MAX_RECORD_SIZE) return `invalid record length ${size}`;
  const variable = buf[off + RecordField.ExchangeLength] + buf[off + RecordField.RoutingKeyLength] + buf.readUInt32LE(off + RecordField.HeaderLength);
  if (RECORD_FIXED_SIZE + variable > size) return `record length ${size} is shorter than its fields`;
  // Above 2^53 is no number we wrote.
  if (buf.readUInt32LE(off + RecordField.Seq + 4) > SAFE_HIGH_WORD || buf.readUInt32LE(off + RecordField.ExpiresAt + 4) > SAFE_HIGH_WORD) {
    return 'seq or expiresAt beyond 2^53';
  }
  if (size > room) return `record of ${size} bytes runs past the end of the file (${room} bytes left)`;
  return null;
}

/** CRC check of a complete record lying in buf[off, off + size). */
export function recordCrcMatches(buf: Buffer, off: number, size: number): boolean {
  return crc32Range(buf, off + CRC_START, off + size) === buf.readUInt32LE(off + RecordField.Crc);
}

/**
 * Decodes a complete record lying in buf[off, off + size). Header and body are views into
 * `blob`, which must hold exactly this record's header followed by its body (copied there by
 * the caller): one allocation per record, sized to what it keeps alive.
 */
export function decodeRecord(buf: Buffer, off: number, position: number, blob: Buffer): StoredRecord {
  const e = buf[off + RecordField.ExchangeLength];
  const r = buf[off + RecordField.RoutingKeyLength];
  const h = buf.readUInt32LE(off + RecordField.HeaderLength);
  const s = off + RECORD_FIXED_SIZE;
  return {
    flags: buf[off + RecordField.Flags],
    priority: buf[off + RecordField.Priority],
    seq: readU64(buf, off + RecordField.Seq),
    expiresAt: readU64(buf, off + RecordField.ExpiresAt),
    exchange: e === 0 ? '' : buf.toString('utf8', s, s + e),
    routingKey: r === 0 ? '' : buf.toString('utf8', s + e, s + e + r),
    header: blob.subarray(0, h),
    body: blob.subarray(h),
    position,
  };
}

/** Offset, from the record start, of the header (the blob's first byte). */
export function headerStart(buf: Buffer, off: number): number {
  return RECORD_FIXED_SIZE + buf[off + RecordField.ExchangeLength] + buf[off + RecordField.RoutingKeyLength];
}
