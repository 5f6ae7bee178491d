/**
 * Bounds-checked cursor over one frame's fields, buf[pos, end). Frames are views of
 * larger socket chunks, so every read is checked against `end`, never buf.length. A
 * malformed field throws CommandDecodeError naming the command, the field and the
 * problem; nothing here throws a RangeError for anything a peer sends.
 *
 * One instance is re-aimed with reset() for each frame: reads allocate nothing but the
 * strings, views and bigints they return.
 */
import { CommandDecodeError } from './errors.js';

const TWO_POW_32 = 0x1_0000_0000;
/** A high word below this makes hi * 2^32 + lo a safe integer (< 2^53). */
const SAFE_HIGH_WORD = 0x20_0000;

export class FieldReader {
  buf: Buffer = EMPTY;
  pos = 0;
  end = 0;
  /** The frame's key and version, for error texts. */
  key = 0;
  version = 0;
  /** Where the fields start, so error texts give offsets within the frame. */
  private start = 0;

  reset(key: number, version: number, buf: Buffer, pos: number, end: number): this {
    this.key = key;
    this.version = version;
    this.buf = buf;
    this.start = this.pos = pos;
    this.end = end;
    return this;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  u8(field: string): number {
    const p = this.pos;
    if (p + 1 > this.end) this.truncated(field, 1);
    this.pos = p + 1;
    return this.buf[p]!;
  }

  u16(field: string): number {
    const p = this.pos;
    if (p + 2 > this.end) this.truncated(field, 2);
    this.pos = p + 2;
    return (this.buf[p]! << 8) | this.buf[p + 1]!;
  }

  u32(field: string): number {
    const p = this.pos;
    if (p + 4 > this.end) this.truncated(field, 4);
    this.pos = p + 4;
    const b = this.buf;
    return b[p]! * 0x100_0000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  i32(field: string): number {
    const p = this.pos;
    if (p + 4 > this.end) this.truncated(field, 4);
    this.pos = p + 4;
    const b = this.buf;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  /** uint64: a number when below 2^53, a bigint otherwise, so no value is silently rounded. */
  u64(field: string): number | bigint {
    const p = this.pos;
    if (p + 8 > this.end) this.truncated(field, 8);
    this.pos = p + 8;
    return readU64(this.buf, p);
  }

  /** int64: a number when it is a safe integer, a bigint otherwise. */
  i64(field: string): number | bigint {
    const p = this.pos;
    if (p + 8 > this.end) this.truncated(field, 8);
    this.pos = p + 8;
    const b = this.buf;
    const hi = (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
    const lo = b[p + 4]! * 0x100_0000 + ((b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!);
    if (hi >= -SAFE_HIGH_WORD && hi < SAFE_HIGH_WORD) return hi * TWO_POW_32 + lo;
    return b.readBigInt64BE(p);
  }

  /** A string that must be present: int16 length + UTF-8. Null (-1) is refused, as RabbitMQ's parser does. */
  string(field: string): string {
    const s = this.nullableString(field);
    if (s === null) this.malformed(`${field} is a null string`);
    return s;
  }

  /** A string that may be null (length -1). Any other negative length is malformed. */
  nullableString(field: string): string | null {
    const p = this.pos;
    if (p + 2 > this.end) this.truncated(field, 2);
    const b = this.buf;
    const n = (((b[p]! << 8) | b[p + 1]!) << 16) >> 16;
    if (n < 0) {
      if (n === -1) {
        this.pos = p + 2;
        return null;
      }
      this.malformed(`${field} has string length ${n}`);
    }
    const start = p + 2;
    if (start + n > this.end) this.truncated(field, 2 + n);
    this.pos = start + n;
    return n === 0 ? '' : b.toString('utf8', start, start + n);
  }

  /** bytes: int32 length + data, as a view of the frame (no copy); null for length -1. */
  nullableBytes(field: string): Buffer | null {
    const n = this.i32(field);
    if (n < 0) {
      if (n === -1) return null;
      this.pos -= 4;
      this.malformed(`${field} has byte length ${n}`);
    }
    const p = this.pos;
    if (p + n > this.end) {
      this.pos -= 4;
      this.truncated(field, 4 + n);
    }
    this.pos = p + n;
    return this.buf.subarray(p, p + n);
  }

  /**
   * An array's int32 count, checked against what is left: each element takes at least
   * minElementSize bytes, so a count the frame cannot hold is refused before any loop
   * or allocation sized from it.
   */
  count(field: string, minElementSize: number): number {
    const n = this.i32(field);
    if (n < 0) {
      this.pos -= 4;
      this.malformed(`${field} has count ${n}`);
    }
    if (n * minElementSize > this.end - this.pos) {
      this.pos -= 4;
      this.malformed(`${field} count ${n} does not fit in the ${this.end - this.pos - 4} bytes left`);
    }
    return n;
  }

  /** [string]: an array of present strings. */
  strings(field: string): string[] {
    const n = this.count(field, 2);
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.string(field);
    return out;
  }

  /**
   * [Key Value] of strings, as a prototype-less object (so a peer's `__proto__` key is
   * plain data). A repeated key keeps its last value, as RabbitMQ's maps do.
   */
  stringMap(field: string): Record<string, string> {
    const n = this.count(field, 4);
    const map = Object.create(null) as Record<string, string>;
    for (let i = 0; i < n; i++) {
      const k = this.string(field);
      map[k] = this.string(field);
    }
    return map;
  }

  /** The frame must end here: trailing bytes mean a malformed (or misunderstood) command. */
  done(): void {
    if (this.pos !== this.end) this.malformed(`${this.end - this.pos} bytes after the last field`);
  }

  malformed(detail: string): never {
    throw new CommandDecodeError(this.key, this.version, 'malformed', detail);
  }

  /** Kept out of line so the read methods stay small enough to inline. */
  private truncated(field: string, wanted: number): never {
    this.malformed(`truncated at ${field}: needs ${wanted} bytes at field offset ${this.pos - this.start}, ${this.end - this.pos} left`);
  }
}

const EMPTY = Buffer.alloc(0);

/** uint64 at buf[p]: a number when below 2^53, else a bigint. The caller has checked the bounds. */
export function readU64(b: Buffer, p: number): number | bigint {
  const hi = b[p]! * 0x100_0000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  const lo = b[p + 4]! * 0x100_0000 + ((b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!);
  if (hi < SAFE_HIGH_WORD) return hi * TWO_POW_32 + lo;
  return b.readBigUInt64BE(p);
}
