/**
 * AMQP 1.0 values as AMQP 0-9-1 field values (header values), straight from bytes to bytes:
 * the size of the converted value, then writing it. Application properties become headers
 * this way. Pure functions over buffers; the caller has checked the value's extent.
 *
 * The conversions are RabbitMQ 3.10's to_091 for the types it has (utf8 -> S, binary -> x,
 * timestamp ms -> T seconds, ...). For those it fails on, RabbitMQ 4.x's: ulong -> l (its
 * 64 bits as a signed long), symbol -> S, list and array -> A, map -> F. char, uuid, the
 * decimals and described values have no conversion in either (both fail): they are left out.
 */
import { copyInto, put32 } from './bytes.js';
import { Amqp10DecodeError } from './errors.js';
import { FormatCode } from './format-codes.js';
import { MAX_NESTING, readU32, skipBody, skipValue } from './scan.js';

/** Where the bytes of the string stringLength found start: a second return value, without allocating. */
export const found = { at: 0 };

/**
 * The byte length of a string-like value (utf8, symbol or binary) at `at`, its bytes starting
 * at found.at; -1 for any other type. `at` must be a value skipValue has already checked.
 */
export function stringLength(buf: Buffer, at: number): number {
  switch (buf[at]) {
    case FormatCode.Str8:
    case FormatCode.Sym8:
    case FormatCode.Vbin8:
      found.at = at + 2;
      return buf[at + 1]!;
    case FormatCode.Str32:
    case FormatCode.Sym32:
    case FormatCode.Vbin32:
      found.at = at + 5;
      return readU32(buf, at + 1);
    default:
      return -1;
  }
}

export function isBinary(buf: Buffer, at: number): boolean {
  return buf[at] === FormatCode.Vbin8 || buf[at] === FormatCode.Vbin32;
}

/** The 0-9-1 type letter of each AMQP 1.0 constructor; 0 when there is none. */
const LETTER = new Uint8Array(256);
const set = (letter: string, ...codes: number[]) => codes.forEach((c) => (LETTER[c] = letter.charCodeAt(0)));
set('V', FormatCode.Null);
set('t', FormatCode.True, FormatCode.False, FormatCode.Boolean);
set('B', FormatCode.Ubyte);
set('b', FormatCode.Byte);
set('u', FormatCode.Ushort);
set('s', FormatCode.Short);
set('i', FormatCode.Uint0, FormatCode.SmallUint, FormatCode.Uint);
set('I', FormatCode.SmallInt, FormatCode.Int);
set('l', FormatCode.SmallLong, FormatCode.Long, FormatCode.Ulong0, FormatCode.SmallUlong, FormatCode.Ulong);
set('f', FormatCode.Float);
set('d', FormatCode.Double);
set('T', FormatCode.Timestamp);
set('S', FormatCode.Str8, FormatCode.Str32, FormatCode.Sym8, FormatCode.Sym32);
set('x', FormatCode.Vbin8, FormatCode.Vbin32);
set('A', FormatCode.List0, FormatCode.List8, FormatCode.List32, FormatCode.Array8, FormatCode.Array32);
set('F', FormatCode.Map8, FormatCode.Map32);

/** Bytes after the type letter of the fixed-width 0-9-1 types; -1 for the others. */
const FIXED = new Int8Array(128).fill(-1);
for (const [letters, width] of [['V', 0], ['tBb', 1], ['us', 2], ['iIf', 4], ['ldT', 8]] as const) {
  for (const letter of letters) FIXED[letter.charCodeAt(0)] = width;
}

/** Encoded 0-9-1 size (letter + value) of the AMQP 1.0 value at `at`, or -1 when it has no 0-9-1 form. */
export function fieldSize(buf: Buffer, at: number, end: number): number {
  return bodySize(buf, buf[at]!, at + 1, end, 0);
}

/** Writes the AMQP 1.0 value at src[at] as a 0-9-1 field value (type letter first); fieldSize must have accepted it. */
export function writeField(out: Buffer, p: number, src: Buffer, at: number): number {
  return writeBody(out, p, src, src[at]!, at + 1, 0);
}

/** fieldSize for a value body of constructor `code` at `at` (array elements have no constructor of their own). */
function bodySize(buf: Buffer, code: number, at: number, end: number, depth: number): number {
  if (!convertible(buf, code, at, end)) return -1;
  const letter = LETTER[code]!;
  const fixed = FIXED[letter]!;
  if (fixed >= 0) return 1 + fixed;
  if (letter === 0x53 || letter === 0x78) return 5 + payloadLength(buf, code, at);
  return nestedSize(buf, code, at, end, depth);
}

/** Whether a value body has a 0-9-1 form: a letter, and for an array, elements that are not described. */
function convertible(buf: Buffer, code: number, at: number, end: number): boolean {
  if (LETTER[code] === 0) return false;
  if (code !== FormatCode.Array8 && code !== FormatCode.Array32) return true;
  const ctorAt = at + (code === FormatCode.Array8 ? 2 : 8);
  return ctorAt < end && buf[ctorAt] !== FormatCode.Described;
}

/** Length of a str/sym/vbin payload whose length field starts at `at`. */
function payloadLength(buf: Buffer, code: number, at: number): number {
  return code & 0x10 ? readU32(buf, at) : buf[at]!;
}

/** 'A' (lists, arrays) and 'F' (maps): letter + u32 length + the converted items. */
function nestedSize(buf: Buffer, code: number, at: number, end: number, depth: number): number {
  if (depth >= MAX_NESTING) throw new Amqp10DecodeError(`values nested more than ${MAX_NESTING} deep`, at - 1);
  let n = 5;
  forEachItem(buf, code, at, end, depth, (itemCode, itemAt, _keyAt, keyLength) => {
    const size = bodySize(buf, itemCode, itemAt, end, depth + 1);
    if (size >= 0 && keyLength !== DROPPED_KEY) n += size + (keyLength >= 0 ? 1 + keyLength : 0);
  });
  return n;
}

/** forEachItem's keyLength for a map key that is not a string of at most 255 bytes: the entry is left out. */
const DROPPED_KEY = -2;

/**
 * Calls `each` for every item of a list, array or map body at `at` (after its constructor),
 * with the item's constructor and body position; for a map once per entry, with the key's
 * bytes. Checks every item against `end`.
 */
function forEachItem(
  buf: Buffer,
  code: number,
  at: number,
  end: number,
  depth: number,
  each: (itemCode: number, itemAt: number, keyAt: number, keyLength: number) => void,
): void {
  if (code === FormatCode.List0) return;
  const stop = skipBody(buf, code, at, end);
  const wide = (code & 0x10) !== 0;
  const itemsAt = at + (wide ? 8 : 2);
  if (itemsAt > stop) throw new Amqp10DecodeError('compound value too short for its count', at - 1);
  const count = wide ? readU32(buf, at + 4) : buf[at + 1]!;
  if (code === FormatCode.Array8 || code === FormatCode.Array32) {
    if (itemsAt >= stop) throw new Amqp10DecodeError('array without an element constructor', at - 1);
    const elementCode = buf[itemsAt]!;
    let p = itemsAt + 1;
    // Zero-width elements (null, true...) take no bytes: their count is capped instead.
    if (count > Math.max(stop - p, 65536)) throw new Amqp10DecodeError(`array of ${count} elements in ${stop - p} bytes`, at - 1);
    for (let i = 0; i < count; i++) {
      const next = skipBody(buf, elementCode, p, stop);
      each(elementCode, p, -1, -1);
      p = next;
    }
    return;
  }
  if (count > stop - itemsAt) throw new Amqp10DecodeError(`${count} items in ${stop - itemsAt} bytes`, at - 1);
  const isMap = code === FormatCode.Map8 || code === FormatCode.Map32;
  let p = itemsAt;
  for (let i = 0; i < count; i += isMap ? 2 : 1) {
    if (isMap) {
      const keyPos = p;
      const valuePos = skipValue(buf, keyPos, stop, depth + 1);
      p = skipValue(buf, valuePos, stop, depth + 1);
      const kl = stringLength(buf, keyPos);
      const usable = kl >= 0 && kl <= 255 && !isBinary(buf, keyPos);
      each(buf[valuePos]!, valuePos + 1, found.at, usable ? kl : DROPPED_KEY);
    } else {
      const next = skipValue(buf, p, stop, depth + 1);
      each(buf[p]!, p + 1, -1, -1);
      p = next;
    }
  }
}

/** Two's complement of a safe integer into 8 bytes. */
export function writeI64(out: Buffer, p: number, v: number): number {
  const hi = Math.floor(v / 0x1_0000_0000);
  put32(out, p, hi | 0);
  return put32(out, p + 4, (v - hi * 0x1_0000_0000) >>> 0);
}

/** An AMQP 1.0 timestamp (i64 ms) at src[at] as a 0-9-1 timestamp (seconds), truncated as Erlang's div does. */
export function writeSecondsFromMs(out: Buffer, p: number, src: Buffer, at: number): number {
  const ms = src.readInt32BE(at) * 0x1_0000_0000 + readU32(src, at + 4);
  if (Number.isSafeInteger(ms)) return writeI64(out, p, Math.trunc(ms / 1000));
  out.writeBigInt64BE(src.readBigInt64BE(at) / 1000n, p);
  return p + 8;
}

function writeBody(out: Buffer, p: number, src: Buffer, code: number, at: number, depth: number): number {
  out[p++] = LETTER[code]!;
  switch (code) {
    case FormatCode.Null:
      return p;
    case FormatCode.True:
      out[p] = 1;
      return p + 1;
    case FormatCode.False:
      out[p] = 0;
      return p + 1;
    case FormatCode.Boolean:
      out[p] = src[at] === 0 ? 0 : 1;
      return p + 1;
    case FormatCode.Ubyte:
    case FormatCode.Byte:
      out[p] = src[at]!;
      return p + 1;
    case FormatCode.Ushort:
    case FormatCode.Short:
      return copyInto(out, p, src, at, 2);
    case FormatCode.Uint0:
      return put32(out, p, 0);
    case FormatCode.SmallUint:
      return put32(out, p, src[at]!);
    case FormatCode.SmallInt:
      return put32(out, p, (src[at]! << 24) >> 24);
    case FormatCode.Uint:
    case FormatCode.Int:
    case FormatCode.Float:
      return copyInto(out, p, src, at, 4);
    case FormatCode.SmallLong:
      return writeI64(out, p, (src[at]! << 24) >> 24);
    case FormatCode.Ulong0:
      return writeI64(out, p, 0);
    case FormatCode.SmallUlong:
      return writeI64(out, p, src[at]!);
    case FormatCode.Long:
    case FormatCode.Ulong: // its 64 bits as a signed long, as RabbitMQ 4.x writes it
    case FormatCode.Double:
      return copyInto(out, p, src, at, 8);
    case FormatCode.Timestamp:
      return writeSecondsFromMs(out, p, src, at);
    case FormatCode.Str8:
    case FormatCode.Sym8:
    case FormatCode.Vbin8:
    case FormatCode.Str32:
    case FormatCode.Sym32:
    case FormatCode.Vbin32: {
      const n = payloadLength(src, code, at);
      return copyInto(out, put32(out, p, n), src, at + (code & 0x10 ? 4 : 1), n);
    }
    default:
      return writeNested(out, p, src, code, at, depth);
  }
}

function writeNested(out: Buffer, p: number, src: Buffer, code: number, at: number, depth: number): number {
  const lengthAt = p;
  p += 4;
  // The size pass has checked every item against the record's end already.
  forEachItem(src, code, at, src.length, depth, (itemCode, itemAt, keyAt, keyLength) => {
    if (keyLength === DROPPED_KEY || !convertible(src, itemCode, itemAt, src.length)) return;
    if (keyLength >= 0) {
      out[p] = keyLength;
      p = copyInto(out, p + 1, src, keyAt, keyLength);
    }
    p = writeBody(out, p, src, itemCode, itemAt, depth + 1);
  });
  put32(out, lengthAt, p - lengthAt - 4);
  return p;
}
