/**
 * AMQP 0-9-1 -> 1.0: the record RabbitMQ 3.10 stores in a stream for a message published
 * over 0-9-1 (rabbit_msg_record:from_amqp091 + rabbit_stream_queue:msg_to_iodata), byte for
 * byte:
 *
 *   message-annotations  x-routing-key, x-exchange (utf8), then x-basic-priority,
 *                        x-basic-delivery-mode (ubyte) and x-basic-expiration (utf8) if set
 *   properties           all 13 fields (absent ones null) when any of message-id, user-id,
 *                        reply-to, correlation-id, content-type, content-encoding, timestamp is
 *                        set: message-id, reply-to, correlation-id as utf8, user-id as binary,
 *                        content-type/-encoding as symbols, timestamp as creation-time (ms)
 *   application-props    x-basic-type, x-basic-app-id (utf8) if set, then the headers in their
 *                        order, each as its AMQP 1.0 counterpart; tables and arrays are left out
 *   data                 the body
 *
 * cluster-id is dropped. A decimal header makes RabbitMQ 3.10 close the connection (4.x has
 * no conversion for it either); we leave that header out instead.
 *
 * This works on the raw content header payload the broker already holds (Message.header):
 * nothing is decoded into objects, strings are copied as bytes (so header values keep their
 * exact bytes, as in RabbitMQ), and the record is sized first and written into one buffer.
 */
import { PropertyFlag } from '../amqp/content.js';
import { AmqpError } from '../amqp/errors.js';
import { ReplyCode } from '../amqp/spec.generated.js';
import { copyAll, copyInto, put32, utf8Length } from './bytes.js';
import { FormatCode, SectionCode } from './format-codes.js';

/** Header payload offsets: class-id, weight, body-size, then the property flags. */
const FLAGS_OFFSET = 12;

// 0-9-1 property flag bits (first flags word).
const F_CONTENT_TYPE = PropertyFlag.ContentType;
const F_CONTENT_ENCODING = PropertyFlag.ContentEncoding;
const F_HEADERS = PropertyFlag.Headers;
const F_DELIVERY_MODE = PropertyFlag.DeliveryMode;
const F_PRIORITY = PropertyFlag.Priority;
const F_CORRELATION_ID = PropertyFlag.CorrelationId;
const F_REPLY_TO = PropertyFlag.ReplyTo;
const F_EXPIRATION = PropertyFlag.Expiration;
const F_MESSAGE_ID = PropertyFlag.MessageId;
const F_TIMESTAMP = PropertyFlag.Timestamp;
const F_TYPE = PropertyFlag.Type;
const F_USER_ID = PropertyFlag.UserId;
const F_APP_ID = PropertyFlag.AppId;
const F_CLUSTER_ID = PropertyFlag.ClusterId;

const sym8 = (s: string): Buffer => Buffer.concat([Buffer.from([FormatCode.Sym8, s.length]), Buffer.from(s, 'latin1')]);
const str8 = (s: string): Buffer => Buffer.concat([Buffer.from([FormatCode.Str8, s.length]), Buffer.from(s, 'latin1')]);
const K_ROUTING_KEY = sym8('x-routing-key');
const K_EXCHANGE = sym8('x-exchange');
const K_PRIORITY = sym8('x-basic-priority');
const K_DELIVERY_MODE = sym8('x-basic-delivery-mode');
const K_EXPIRATION = sym8('x-basic-expiration');
const K_TYPE = str8('x-basic-type');
const K_APP_ID = str8('x-basic-app-id');

/** RabbitMQ's generator writes str8/vbin8 only below 255 bytes. */
const VAR8_LIMIT = 255;

/**
 * Converts 0-9-1 publishes into AMQP 1.0 records in two steps, so that a caller can write
 * the record straight into its own buffer (a stream chunk): size() finds the properties and
 * computes the record's exact length, write() writes that record. The instance keeps what
 * size() found (no allocation per message); call write() before the next size().
 */
export class Amqp10RecordWriter {
  // Where each property is in the content header: start of its bytes and their length (-1: absent).
  private ctAt = 0;
  private ctLen = -1;
  private ceAt = 0;
  private ceLen = -1;
  private corrAt = 0;
  private corrLen = -1;
  private replyAt = 0;
  private replyLen = -1;
  private expAt = 0;
  private expLen = -1;
  private midAt = 0;
  private midLen = -1;
  private typeAt = 0;
  private typeLen = -1;
  private uidAt = 0;
  private uidLen = -1;
  private appAt = 0;
  private appLen = -1;
  private deliveryMode = -1;
  private priority = -1;
  private tsAt = -1;
  /**
   * Header table entries that have an AMQP 1.0 counterpart, found once for both passes:
   * key start, key length, type letter, value start, value length.
   */
  private entries = new Int32Array(5 * 32);
  private entryCount = 0;
  // What size() was given and computed, for write().
  private exchange = '';
  private routingKey = '';
  private exLen = 0;
  private rkLen = 0;
  private header: Buffer = EMPTY;
  private body: Buffer = EMPTY;
  private maBytes = 0;
  private maCount = 0;
  private propsBytes = -1;
  private apBytes = 0;
  private apCount = 0;
  private size = -1;

  /**
   * Takes in a 0-9-1 publish and returns the length of its AMQP 1.0 record.
   * header[start, end) is the content header payload as received (class-id, weight,
   * body-size, flags, properties). Throws AmqpError 502 when that payload is malformed.
   */
  measure(exchange: string, routingKey: string, header: Buffer, start: number, end: number, body: Buffer): number {
    this.size = -1;
    this.locateProperties(header, start, end);
    this.exchange = exchange;
    this.routingKey = routingKey;
    this.header = header;
    this.body = body;
    const exLen = (this.exLen = utf8Length(exchange));
    const rkLen = (this.rkLen = utf8Length(routingKey));

    // message-annotations
    let ma = K_ROUTING_KEY.length + strSize(rkLen) + K_EXCHANGE.length + strSize(exLen);
    let maCount = 4;
    if (this.priority >= 0) (ma += K_PRIORITY.length + 2), (maCount += 2);
    if (this.deliveryMode >= 0) (ma += K_DELIVERY_MODE.length + 2), (maCount += 2);
    if (this.expLen >= 0) (ma += K_EXPIRATION.length + strSize(this.expLen)), (maCount += 2);
    this.maBytes = ma;
    this.maCount = maCount;
    let size = 3 + compoundSize(maCount, ma);

    // properties: all 13 fields when any of the seven mapped ones is there
    const hasProperties =
      this.midLen >= 0 || this.uidLen >= 0 || this.replyLen >= 0 || this.corrLen >= 0 || this.ctLen >= 0 || this.ceLen >= 0 || this.tsAt >= 0;
    this.propsBytes = -1;
    if (hasProperties) {
      let props = 13 - 7; // to, subject, absolute-expiry-time, group-id, group-sequence, reply-to-group-id: null
      props += optional(this.midLen, strSize) + optional(this.uidLen, strSize) + optional(this.replyLen, strSize);
      props += optional(this.corrLen, strSize) + optional(this.ctLen, symSize) + optional(this.ceLen, symSize);
      props += this.tsAt >= 0 ? 9 : 1;
      this.propsBytes = props;
      size += 3 + compoundSize(13, props);
    }

    // application-properties
    let ap = 0;
    let apCount = 0;
    if (this.typeLen >= 0) (ap += K_TYPE.length + strSize(this.typeLen)), (apCount += 2);
    if (this.appLen >= 0) (ap += K_APP_ID.length + strSize(this.appLen)), (apCount += 2);
    const entries = this.entries;
    for (let i = 0, e = 0; i < this.entryCount; i++, e += 5) {
      ap += strSize(entries[e + 1]!) + valueSize(header, entries[e + 2]!, entries[e + 3]!, entries[e + 4]!);
    }
    apCount += 2 * this.entryCount;
    this.apBytes = ap;
    this.apCount = apCount;
    if (apCount > 0) size += 3 + compoundSize(apCount, ap);

    size += 3 + strSize(body.length);
    return (this.size = size);
  }

  /** Writes the record measure() was last called for at out[offset, offset + size); returns the end offset. */
  write(out: Buffer, offset: number): number {
    if (this.size < 0) throw new Error('Amqp10RecordWriter.write without a measure() before it');
    const header = this.header;
    let p = section(out, offset, SectionCode.MessageAnnotations);
    p = compoundHeader(out, p, FormatCode.Map8, this.maCount, this.maBytes);
    p = copy(out, p, K_ROUTING_KEY);
    p = writeString(out, p, this.routingKey, this.rkLen);
    p = copy(out, p, K_EXCHANGE);
    p = writeString(out, p, this.exchange, this.exLen);
    if (this.priority >= 0) p = ubyte(out, copy(out, p, K_PRIORITY), this.priority);
    if (this.deliveryMode >= 0) p = ubyte(out, copy(out, p, K_DELIVERY_MODE), this.deliveryMode);
    if (this.expLen >= 0) p = bytes(out, copy(out, p, K_EXPIRATION), FormatCode.Str8, header, this.expAt, this.expLen);

    if (this.propsBytes >= 0) {
      p = compoundHeader(out, section(out, p, SectionCode.Properties), FormatCode.List8, 13, this.propsBytes);
      p = this.midLen >= 0 ? bytes(out, p, FormatCode.Str8, header, this.midAt, this.midLen) : nil(out, p);
      p = this.uidLen >= 0 ? bytes(out, p, FormatCode.Vbin8, header, this.uidAt, this.uidLen) : nil(out, p);
      p = nil(out, nil(out, p)); // to, subject
      p = this.replyLen >= 0 ? bytes(out, p, FormatCode.Str8, header, this.replyAt, this.replyLen) : nil(out, p);
      p = this.corrLen >= 0 ? bytes(out, p, FormatCode.Str8, header, this.corrAt, this.corrLen) : nil(out, p);
      p = this.ctLen >= 0 ? symbol(out, p, header, this.ctAt, this.ctLen) : nil(out, p);
      p = this.ceLen >= 0 ? symbol(out, p, header, this.ceAt, this.ceLen) : nil(out, p);
      p = nil(out, p); // absolute-expiry-time
      p = this.tsAt >= 0 ? timestampFromSeconds(out, p, header, this.tsAt) : nil(out, p);
      p = nil(out, nil(out, nil(out, p))); // group-id, group-sequence, reply-to-group-id
    }

    if (this.apCount > 0) {
      p = compoundHeader(out, section(out, p, SectionCode.ApplicationProperties), FormatCode.Map8, this.apCount, this.apBytes);
      if (this.typeLen >= 0) p = bytes(out, copy(out, p, K_TYPE), FormatCode.Str8, header, this.typeAt, this.typeLen);
      if (this.appLen >= 0) p = bytes(out, copy(out, p, K_APP_ID), FormatCode.Str8, header, this.appAt, this.appLen);
      const entries = this.entries;
      for (let i = 0, e = 0; i < this.entryCount; i++, e += 5) {
        p = bytes(out, p, FormatCode.Str8, header, entries[e]!, entries[e + 1]!);
        p = writeValue(out, p, header, entries[e + 2]!, entries[e + 3]!, entries[e + 4]!);
      }
    }

    p = section(out, p, SectionCode.Data);
    p = bytes(out, p, FormatCode.Vbin8, this.body, 0, this.body.length);
    if (p - offset !== this.size) throw new Error(`Amqp10RecordWriter size mismatch: wrote ${p - offset} of ${this.size}`);
    this.size = -1;
    this.header = this.body = EMPTY; // do not pin the publish's buffers
    return p;
  }

  private locateProperties(buf: Buffer, start: number, end: number): void {
    this.ctLen = this.ceLen = this.corrLen = this.replyLen = this.expLen = this.midLen = this.typeLen = this.uidLen = this.appLen = -1;
    this.deliveryMode = this.priority = this.tsAt = -1;
    this.entryCount = 0;
    let p = start + FLAGS_OFFSET;
    need(p, 2, end);
    const flags = (buf[p]! << 8) | buf[p + 1]!;
    p += 2;
    for (let more = flags & 1; more !== 0; p += 2) {
      need(p, 2, end);
      more = buf[p + 1]! & 1;
    }
    if (flags & F_CONTENT_TYPE) (this.ctAt = p + 1), (this.ctLen = shortstrLength(buf, p, end)), (p = this.ctAt + this.ctLen);
    if (flags & F_CONTENT_ENCODING) (this.ceAt = p + 1), (this.ceLen = shortstrLength(buf, p, end)), (p = this.ceAt + this.ceLen);
    if (flags & F_HEADERS) {
      need(p, 4, end);
      const length = u32(buf, p);
      need(p + 4, length, end);
      this.scanTable(buf, p + 4, p + 4 + length);
      p += 4 + length;
    }
    if (flags & F_DELIVERY_MODE) need(p, 1, end), (this.deliveryMode = buf[p++]!);
    if (flags & F_PRIORITY) need(p, 1, end), (this.priority = buf[p++]!);
    if (flags & F_CORRELATION_ID) (this.corrAt = p + 1), (this.corrLen = shortstrLength(buf, p, end)), (p = this.corrAt + this.corrLen);
    if (flags & F_REPLY_TO) (this.replyAt = p + 1), (this.replyLen = shortstrLength(buf, p, end)), (p = this.replyAt + this.replyLen);
    if (flags & F_EXPIRATION) (this.expAt = p + 1), (this.expLen = shortstrLength(buf, p, end)), (p = this.expAt + this.expLen);
    if (flags & F_MESSAGE_ID) (this.midAt = p + 1), (this.midLen = shortstrLength(buf, p, end)), (p = this.midAt + this.midLen);
    if (flags & F_TIMESTAMP) need(p, 8, end), (this.tsAt = p), (p += 8);
    if (flags & F_TYPE) (this.typeAt = p + 1), (this.typeLen = shortstrLength(buf, p, end)), (p = this.typeAt + this.typeLen);
    if (flags & F_USER_ID) (this.uidAt = p + 1), (this.uidLen = shortstrLength(buf, p, end)), (p = this.uidAt + this.uidLen);
    if (flags & F_APP_ID) (this.appAt = p + 1), (this.appLen = shortstrLength(buf, p, end)), (p = this.appAt + this.appLen);
    if (flags & F_CLUSTER_ID) shortstrLength(buf, p, end); // dropped, as RabbitMQ drops it
  }

  /** Records the table's entries that map to application properties; skips tables, arrays and decimals. */
  private scanTable(buf: Buffer, p: number, end: number): void {
    while (p < end) {
      const keyLen = shortstrLength(buf, p, end);
      const keyAt = p + 1;
      p = keyAt + keyLen;
      need(p, 1, end);
      const letter = buf[p++]!;
      let valueLen: number;
      switch (letter) {
        case 0x53: // S
        case 0x78: // x
          need(p, 4, end);
          valueLen = u32(buf, p);
          need(p + 4, valueLen, end);
          this.record(keyAt, keyLen, letter, p + 4, valueLen);
          p += 4 + valueLen;
          continue;
        case 0x46: // F: tables are left out (RabbitMQ 3.10: unsupported_header_value_type)
        case 0x41: // A: arrays too
          need(p, 4, end);
          p += 4 + u32(buf, p);
          need(p, 0, end);
          continue;
        case 0x44: // D: RabbitMQ 3.10 and 4.x crash on it (no from_091 clause); left out
          need(p, 5, end);
          p += 5;
          continue;
        default:
          valueLen = FIELD_WIDTH[letter]!;
          if (valueLen < 0) throw new AmqpError(ReplyCode.SYNTAX_ERROR, `unknown field table type 0x${letter.toString(16)} in the headers`);
      }
      need(p, valueLen, end);
      this.record(keyAt, keyLen, letter, p, valueLen);
      p += valueLen;
    }
  }

  private record(keyAt: number, keyLen: number, letter: number, valueAt: number, valueLen: number): void {
    const e = this.entryCount * 5;
    if (e + 5 > this.entries.length) {
      const grown = new Int32Array(this.entries.length * 2);
      grown.set(this.entries);
      this.entries = grown;
    }
    const entries = this.entries;
    entries[e] = keyAt;
    entries[e + 1] = keyLen;
    entries[e + 2] = letter;
    entries[e + 3] = valueAt;
    entries[e + 4] = valueLen;
    this.entryCount++;
  }
}

const EMPTY = Buffer.alloc(0);

/** Value width of the fixed-width field table types (t b B s u I i f l L d T V); -1 for the rest. */
const FIELD_WIDTH = new Int8Array(128).fill(-1);
for (const [letters, width] of [['tbB', 1], ['su', 2], ['Iif', 4], ['lLdT', 8], ['V', 0]] as const) {
  for (const letter of letters) FIELD_WIDTH[letter.charCodeAt(0)] = width;
}

const shared = new Amqp10RecordWriter();

/** The AMQP 1.0 record RabbitMQ 3.10 stores in a stream for this 0-9-1 publish, in a buffer of its own. */
export function amqp091ToAmqp10(exchange: string, routingKey: string, header: Buffer, start: number, end: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(shared.measure(exchange, routingKey, header, start, end, body));
  shared.write(out, 0);
  return out;
}

function shortstrLength(buf: Buffer, p: number, end: number): number {
  need(p, 1, end);
  const n = buf[p]!;
  need(p + 1, n, end);
  return n;
}

function need(p: number, n: number, end: number): void {
  if (p + n > end) throw new AmqpError(ReplyCode.SYNTAX_ERROR, 'truncated content header frame');
}

function u32(buf: Buffer, p: number): number {
  return buf[p]! * 0x100_0000 + ((buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!);
}

// ---------------------------------------------------------------- AMQP 1.0 sizes

function strSize(n: number): number {
  return (n < VAR8_LIMIT ? 2 : 5) + n;
}

/** RabbitMQ 3.10 writes every symbol as sym8; 0-9-1 shortstrs always fit. */
function symSize(n: number): number {
  return 2 + n;
}

function optional(len: number, size: (n: number) => number): number {
  return len >= 0 ? size(len) : 1;
}

/** RabbitMQ's rule: the 8-bit list/map form when count < 255 and count + items < 256 bytes. */
function isCompact(count: number, itemsBytes: number): boolean {
  return count < 255 && itemsBytes + 1 < 256;
}

function compoundSize(count: number, itemsBytes: number): number {
  return (isCompact(count, itemsBytes) ? 3 : 9) + itemsBytes;
}

/** Encoded AMQP 1.0 size of a header value (RabbitMQ 3.10's from_091 and generator). */
function valueSize(buf: Buffer, letter: number, at: number, len: number): number {
  switch (letter) {
    case 0x53: // S -> utf8
    case 0x78: // x -> binary
      return strSize(len);
    case 0x49: { // I -> int, smallint when it fits a byte
      const v = buf.readInt32BE(at);
      return v >= -128 && v < 128 ? 2 : 5;
    }
    case 0x69: { // i -> uint: uint0, smalluint, uint
      const v = u32(buf, at);
      return v === 0 ? 1 : v < 256 ? 2 : 5;
    }
    case 0x6c: // l, L -> long, smalllong when it fits a byte
    case 0x4c:
      return isSmallLong(buf, at) ? 2 : 9;
    case 0x56: // V -> null
      return 1;
    default: // t b B s u f d T: a constructor and as many bytes as in 0-9-1
      return 1 + len;
  }
}

function isSmallLong(buf: Buffer, at: number): boolean {
  const hi = buf.readInt32BE(at);
  const lo = buf.readInt32BE(at + 4);
  return (hi === 0 && lo >= 0 && lo < 128) || (hi === -1 && lo < 0 && lo >= -128);
}

// ---------------------------------------------------------------- AMQP 1.0 writing

function section(out: Buffer, p: number, code: number): number {
  out[p] = FormatCode.Described;
  out[p + 1] = FormatCode.SmallUlong;
  out[p + 2] = code;
  return p + 3;
}

/** narrowCode is list8 or map8; the 32-bit code is 0x10 above it. */
function compoundHeader(out: Buffer, p: number, narrowCode: number, count: number, itemsBytes: number): number {
  if (isCompact(count, itemsBytes)) {
    out[p] = narrowCode;
    out[p + 1] = itemsBytes + 1;
    out[p + 2] = count;
    return p + 3;
  }
  out[p] = narrowCode + 0x10;
  put32(out, p + 1, itemsBytes + 4);
  put32(out, p + 5, count);
  return p + 9;
}

function copy(out: Buffer, p: number, constant: Buffer): number {
  return copyAll(out, p, constant);
}

function nil(out: Buffer, p: number): number {
  out[p] = FormatCode.Null;
  return p + 1;
}

function ubyte(out: Buffer, p: number, v: number): number {
  out[p] = FormatCode.Ubyte;
  out[p + 1] = v;
  return p + 2;
}

/** A str/vbin value of src[at, at + len): narrowCode is str8 or vbin8, the 32-bit form 0x10 above. */
function bytes(out: Buffer, p: number, narrowCode: number, src: Buffer, at: number, len: number): number {
  if (len < VAR8_LIMIT) {
    out[p] = narrowCode;
    out[p + 1] = len;
    p += 2;
  } else {
    out[p] = narrowCode + 0x10;
    put32(out, p + 1, len);
    p += 5;
  }
  return copyInto(out, p, src, at, len);
}

function symbol(out: Buffer, p: number, src: Buffer, at: number, len: number): number {
  out[p] = FormatCode.Sym8;
  out[p + 1] = len;
  return copyInto(out, p + 2, src, at, len);
}

function writeString(out: Buffer, p: number, s: string, byteLen: number): number {
  if (byteLen < VAR8_LIMIT) {
    out[p] = FormatCode.Str8;
    out[p + 1] = byteLen;
    p += 2;
  } else {
    out[p] = FormatCode.Str32;
    put32(out, p + 1, byteLen);
    p += 5;
  }
  if (byteLen === s.length) {
    // ASCII (nearly every exchange name and routing key): a loop beats the native call here.
    for (let i = 0; i < byteLen; i++) out[p + i] = s.charCodeAt(i);
  } else {
    out.write(s, p, 'utf8');
  }
  return p + byteLen;
}

/** A 0-9-1 timestamp (u64 seconds) as an AMQP 1.0 timestamp (i64 milliseconds). */
function timestampFromSeconds(out: Buffer, p: number, src: Buffer, at: number): number {
  out[p] = FormatCode.Timestamp;
  const seconds = u32(src, at) * 0x1_0000_0000 + u32(src, at + 4);
  const ms = seconds * 1000;
  if (Number.isSafeInteger(ms)) {
    put32(out, p + 1, Math.floor(ms / 0x1_0000_0000));
    put32(out, p + 5, ms >>> 0);
  } else {
    out.writeBigUInt64BE(BigInt.asUintN(64, src.readBigUInt64BE(at) * 1000n), p + 1);
  }
  return p + 9;
}

/** Writes a header value as RabbitMQ 3.10 converts it (from_091) and encodes it. */
function writeValue(out: Buffer, p: number, src: Buffer, letter: number, at: number, len: number): number {
  switch (letter) {
    case 0x53: // S
      return bytes(out, p, FormatCode.Str8, src, at, len);
    case 0x78: // x
      return bytes(out, p, FormatCode.Vbin8, src, at, len);
    case 0x49: { // I
      const v = src.readInt32BE(at);
      if (v >= -128 && v < 128) return small(out, p, FormatCode.SmallInt, v & 0xff);
      return fixed(out, p, FormatCode.Int, src, at, 4);
    }
    case 0x69: { // i
      const v = u32(src, at);
      if (v === 0) return code(out, p, FormatCode.Uint0);
      if (v < 256) return small(out, p, FormatCode.SmallUint, v);
      return fixed(out, p, FormatCode.Uint, src, at, 4);
    }
    case 0x6c: // l
    case 0x4c: // L
      if (isSmallLong(src, at)) return small(out, p, FormatCode.SmallLong, src[at + 7]!);
      return fixed(out, p, FormatCode.Long, src, at, 8);
    case 0x74: // t
      out[p] = FormatCode.Boolean;
      out[p + 1] = src[at] === 0 ? 0 : 1;
      return p + 2;
    case 0x62: // b
      return fixed(out, p, FormatCode.Byte, src, at, 1);
    case 0x42: // B
      return fixed(out, p, FormatCode.Ubyte, src, at, 1);
    case 0x73: // s
      return fixed(out, p, FormatCode.Short, src, at, 2);
    case 0x75: // u
      return fixed(out, p, FormatCode.Ushort, src, at, 2);
    case 0x66: // f
      return fixed(out, p, FormatCode.Float, src, at, 4);
    case 0x64: // d
      return fixed(out, p, FormatCode.Double, src, at, 8);
    case 0x54: // T
      return timestampFromSeconds(out, p, src, at);
    default: // V
      return code(out, p, FormatCode.Null);
  }
}

function code(out: Buffer, p: number, c: number): number {
  out[p] = c;
  return p + 1;
}

function small(out: Buffer, p: number, c: number, byte: number): number {
  out[p] = c;
  out[p + 1] = byte;
  return p + 2;
}

function fixed(out: Buffer, p: number, c: number, src: Buffer, at: number, width: number): number {
  out[p] = c;
  return copyInto(out, p + 1, src, at, width);
}
