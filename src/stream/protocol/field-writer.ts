/**
 * Encoding primitives: plain functions over (buffer, offset) returning the end offset.
 * The caller has reserved room from the *Bound helpers, so none of them bounds-check
 * beyond what would catch our own bug (a string longer than int16 can say, a uint64 out
 * of range): those throw RangeError, never silently truncate.
 */
import type { Long } from './decode.js';

const TWO_POW_32 = 0x1_0000_0000;
/** int16 length. */
const STRING_MAX_BYTES = 0x7fff;
/** Strings up to this many UTF-16 units are tried as ASCII with a JS loop, faster than Buffer#write for short ones. */
const ASCII_LOOP_MAX = 64;

export function writeU8(buf: Buffer, off: number, v: number): number {
  buf[off] = v;
  return off + 1;
}

export function writeU16(buf: Buffer, off: number, v: number): number {
  buf[off] = v >>> 8;
  buf[off + 1] = v;
  return off + 2;
}

/** Also writes int32 values: the low 32 bits are the same either way. */
export function writeU32(buf: Buffer, off: number, v: number): number {
  buf[off] = v >>> 24;
  buf[off + 1] = v >>> 16;
  buf[off + 2] = v >>> 8;
  buf[off + 3] = v;
  return off + 4;
}

/** uint64 from a non-negative safe integer or a bigint (RangeError outside 0..2^64-1). */
export function writeU64(buf: Buffer, off: number, v: Long): number {
  if (typeof v === 'bigint') {
    buf.writeBigUInt64BE(v, off);
    return off + 8;
  }
  if (!(v >= 0 && v <= Number.MAX_SAFE_INTEGER)) throw new RangeError(`uint64 value ${v} is not a non-negative safe integer`);
  writeU32(buf, off, Math.floor(v / TWO_POW_32));
  return writeU32(buf, off + 4, v >>> 0);
}

/** int64 from a safe integer or a bigint. Floor division gives the two's-complement high word for negatives. */
export function writeI64(buf: Buffer, off: number, v: Long): number {
  if (typeof v === 'bigint') {
    buf.writeBigInt64BE(v, off);
    return off + 8;
  }
  if (!Number.isSafeInteger(v)) throw new RangeError(`int64 value ${v} is not a safe integer`);
  writeU32(buf, off, Math.floor(v / TWO_POW_32));
  return writeU32(buf, off + 4, v >>> 0);
}

/** At least the encoded size of a string (int16 length + UTF-8): 3 bytes per UTF-16 unit at most. */
export function stringBound(s: string): number {
  return 2 + 3 * s.length;
}

export function writeString(buf: Buffer, off: number, s: string): number {
  const units = s.length;
  const start = off + 2;
  if (units <= ASCII_LOOP_MAX) {
    let i = 0;
    for (; i < units; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[start + i] = c;
    }
    if (i === units) {
      writeU16(buf, off, units);
      return start + units;
    }
  }
  const n = buf.write(s, start, 'utf8');
  if (n > STRING_MAX_BYTES) throw new RangeError(`string of ${n} bytes does not fit an int16 length: ${JSON.stringify(s.slice(0, 40))}...`);
  writeU16(buf, off, n);
  return start + n;
}

export function stringsBound(list: readonly string[]): number {
  let n = 4;
  for (const s of list) n += stringBound(s);
  return n;
}

/** [string]. */
export function writeStrings(buf: Buffer, off: number, list: readonly string[]): number {
  off = writeU32(buf, off, list.length);
  for (const s of list) off = writeString(buf, off, s);
  return off;
}

export function stringMapBound(map: Readonly<Record<string, string>>): number {
  let n = 4;
  for (const k in map) n += stringBound(k) + stringBound(map[k]!);
  return n;
}

/** [Key Value] of strings, in the object's key order. */
export function writeStringMap(buf: Buffer, off: number, map: Readonly<Record<string, string>>): number {
  const countAt = off;
  off += 4;
  let n = 0;
  for (const k in map) {
    off = writeString(buf, off, k);
    off = writeString(buf, off, map[k]!);
    n++;
  }
  writeU32(buf, countAt, n);
  return off;
}
