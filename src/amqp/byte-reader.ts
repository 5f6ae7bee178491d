import { AmqpError } from './errors.js';
import { readTable, type FieldTable } from './field-table.js';
import { ReplyCode } from './spec.generated.js';

const TWO_POW_32 = 0x1_0000_0000;

/**
 * Cursor over one frame's payload: buf[pos, end). Frames are slices of larger socket
 * chunks, so every read is checked against `end`, never buf.length. A malformed payload
 * throws AmqpError 502 SYNTAX_ERROR, which the connection turns into connection.close.
 *
 * One instance per connection, re-aimed with reset() for each frame: reads allocate
 * nothing except the strings/buffers they return, and the class keeps one shape so
 * V8 keeps its property accesses monomorphic.
 */
/** Recently decoded ASCII short strings, shared by all readers (one thread), by a hash of their bytes. */
const RECENT_SLOTS = 512;
const RECENT_MASK = RECENT_SLOTS - 1;
const recentStrings: (string | undefined)[] = new Array(RECENT_SLOTS);

export class ByteReader {
  constructor(
    public buf: Buffer,
    public pos: number,
    public end: number,
  ) {
    checkBounds(buf, pos, end);
  }

  reset(buf: Buffer, pos: number, end: number): this {
    checkBounds(buf, pos, end);
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    return this;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  u8(): number {
    const p = this.pos;
    if (p + 1 > this.end) this.truncated(1);
    this.pos = p + 1;
    return this.buf[p]!;
  }

  i8(): number {
    return (this.u8() << 24) >> 24;
  }

  u16(): number {
    const p = this.pos;
    if (p + 2 > this.end) this.truncated(2);
    this.pos = p + 2;
    const b = this.buf;
    return (b[p]! << 8) | b[p + 1]!;
  }

  i16(): number {
    return (this.u16() << 16) >> 16;
  }

  u32(): number {
    const p = this.pos;
    if (p + 4 > this.end) this.truncated(4);
    this.pos = p + 4;
    const b = this.buf;
    return b[p]! * 0x100_0000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  i32(): number {
    const p = this.pos;
    if (p + 4 > this.end) this.truncated(4);
    this.pos = p + 4;
    const b = this.buf;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  /** Unsigned 64-bit as a number: exact below 2^53, rounded above (delivery tags and body sizes never get there). */
  u64(): number {
    const hi = this.u32();
    return hi * TWO_POW_32 + this.u32();
  }

  /** Signed 64-bit: a number when it is a safe integer, a bigint otherwise so no value is silently rounded. */
  i64(): number | bigint {
    const hi = this.i32();
    const lo = this.u32();
    // Out of the safe range the sum is rounded, but it stays out of the range, so the test is exact.
    const v = hi * TWO_POW_32 + lo;
    if (Number.isSafeInteger(v)) return v;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  f32(): number {
    const p = this.pos;
    if (p + 4 > this.end) this.truncated(4);
    this.pos = p + 4;
    return this.buf.readFloatBE(p);
  }

  f64(): number {
    const p = this.pos;
    if (p + 8 > this.end) this.truncated(8);
    this.pos = p + 8;
    return this.buf.readDoubleBE(p);
  }

  shortstr(): string {
    const buf = this.buf;
    const p = this.pos;
    if (p + 1 > this.end) this.truncated(1);
    const length = buf[p]!;
    const start = p + 1;
    const stop = start + length;
    if (stop > this.end) this.truncated(stop - p);
    this.pos = stop;
    if (length === 0) return '';
    // Exchange names and routing keys repeat from one publish to the next: a recent ASCII
    // string with the same bytes is returned as is, without decoding or allocating.
    const slot = (length * 31 + buf[start]! * 7 + buf[stop - 1]! + buf[start + (length >> 1)]!) & RECENT_MASK;
    const recent = recentStrings[slot];
    if (recent !== undefined && recent.length === length) {
      let i = 0;
      while (i < length && recent.charCodeAt(i) === buf[start + i]) i++;
      if (i === length) return recent;
    }
    const decoded = buf.toString('utf8', start, stop);
    // Only pure ASCII compares char for byte; others are decoded every time.
    if (decoded.length === length) recentStrings[slot] = decoded;
    return decoded;
  }

  /** A longstr as a view into the frame (no copy): valid only as long as the socket chunk is. */
  longstrBuffer(): Buffer {
    const n = this.u32();
    return this.bytes(n);
  }

  longstrString(): string {
    const n = this.u32();
    const p = this.pos;
    if (p + n > this.end) this.truncated(n);
    this.pos = p + n;
    return this.buf.toString('utf8', p, p + n);
  }

  /** n bytes as a view into the frame (no copy). */
  bytes(n: number): Buffer {
    const p = this.pos;
    if (p + n > this.end) this.truncated(n);
    this.pos = p + n;
    return this.buf.subarray(p, p + n);
  }

  table(): FieldTable {
    return readTable(this);
  }

  /** Kept out of line so the read methods stay small enough to inline. */
  private truncated(wanted: number): never {
    throw new AmqpError(
      ReplyCode.SYNTAX_ERROR,
      `truncated frame payload: needed ${wanted} bytes at offset ${this.pos}, only ${this.end - this.pos} left`,
    );
  }
}

function checkBounds(buf: Buffer, pos: number, end: number): void {
  if (!(pos >= 0 && pos <= end && end <= buf.length)) {
    throw new RangeError(`ByteReader bounds [${pos}, ${end}) do not fit a buffer of ${buf.length} bytes`);
  }
}
