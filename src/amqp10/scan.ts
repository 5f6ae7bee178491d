/**
 * Allocation-free walking of AMQP 1.0 encoded values: where a value ends, and where the
 * items of a list or map are. The message parser and the 0-9-1 mapping use these to find
 * what they need without decoding the rest. Everything is checked against `end` (records
 * are slices of larger chunks) and throws Amqp10DecodeError rather than read past it.
 */
import { decodeError } from './errors.js';
import { fixedWidth, FormatCode } from './format-codes.js';

/**
 * How deep described values, lists, maps and arrays may nest. Real messages nest a few
 * levels; a hostile record could nest thousands deep in a few bytes and blow the stack.
 */
export const MAX_NESTING = 64;

/** Offset just past the encoded value (constructor included) at pos. */
export function skipValue(buf: Buffer, pos: number, end: number, depth = 0): number {
  if (pos >= end) truncated('a value', pos);
  const code = buf[pos]!;
  if (code !== FormatCode.Described) return skipBody(buf, code, pos + 1, end);
  if (depth >= MAX_NESTING) decodeError(`described values nested more than ${MAX_NESTING} deep`, pos);
  const valueAt = skipValue(buf, pos + 1, end, depth + 1);
  return skipValue(buf, valueAt, end, depth + 1);
}

/** Offset just past the body of a value whose constructor is `code`; pos is just after the constructor. */
export function skipBody(buf: Buffer, code: number, pos: number, end: number): number {
  const width = fixedWidth(code);
  if (width >= 0) {
    if (pos + width > end) truncated(typeName(code), pos);
    return pos + width;
  }
  switch (code) {
    case FormatCode.Vbin8:
    case FormatCode.Str8:
    case FormatCode.Sym8:
    case FormatCode.List8:
    case FormatCode.Map8:
    case FormatCode.Array8: {
      if (pos + 1 > end) truncated(typeName(code), pos);
      const stop = pos + 1 + buf[pos]!;
      if (stop > end) tooLong(code, buf[pos]!, end - pos - 1, pos);
      return stop;
    }
    case FormatCode.Vbin32:
    case FormatCode.Str32:
    case FormatCode.Sym32:
    case FormatCode.List32:
    case FormatCode.Map32:
    case FormatCode.Array32: {
      if (pos + 4 > end) truncated(typeName(code), pos);
      const size = readU32(buf, pos);
      if (size > end - pos - 4) tooLong(code, size, end - pos - 4, pos);
      return pos + 4 + size;
    }
    default:
      return decodeError(`unknown constructor 0x${hex2(code)}`, pos - 1);
  }
}

/** Where the items of a list or map are. One instance is reused: no allocation per message. */
export class CompoundCursor {
  /** Number of items (a map counts keys and values). */
  count = 0;
  /** Offset of the first item. */
  pos = 0;
  /** Offset just past the last item. */
  end = 0;
}

/**
 * Opens the list or map whose constructor is at pos into `out`. Counts are checked
 * against the bytes they must fit in (every value takes at least one byte), so a forged
 * count cannot make a loop run long; a map must count an even number of items.
 */
export function openCompound(buf: Buffer, pos: number, end: number, kind: 'list' | 'map', out: CompoundCursor): void {
  if (pos >= end) truncated(`a ${kind}`, pos);
  const code = buf[pos]!;
  const wide = kind === 'list' ? FormatCode.List32 : FormatCode.Map32;
  const narrow = kind === 'list' ? FormatCode.List8 : FormatCode.Map8;
  if (kind === 'list' && code === FormatCode.List0) {
    out.count = 0;
    out.pos = out.end = pos + 1;
    return;
  }
  if (code === narrow) {
    const stop = skipBody(buf, code, pos + 1, end);
    if (stop < pos + 3) decodeError(`${typeName(code)} too short for its count`, pos);
    out.count = buf[pos + 2]!;
    out.pos = pos + 3;
    out.end = stop;
  } else if (code === wide) {
    const stop = skipBody(buf, code, pos + 1, end);
    if (stop < pos + 9) decodeError(`${typeName(code)} too short for its count`, pos);
    out.count = readU32(buf, pos + 5);
    out.pos = pos + 9;
    out.end = stop;
  } else {
    decodeError(`expected a ${kind}, found ${typeName(code)}`, pos);
  }
  if (out.count > out.end - out.pos) decodeError(`${typeName(code)} counts ${out.count} items in ${out.end - out.pos} bytes`, pos);
  if (kind === 'map' && (out.count & 1) !== 0) decodeError(`map with an odd number of items (${out.count})`, pos);
}

export function readU32(buf: Buffer, p: number): number {
  return buf[p]! * 0x100_0000 + ((buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!);
}

export function truncated(what: string, pos: number): never {
  return decodeError(`truncated: ${what} does not fit`, pos);
}

function tooLong(code: number, size: number, left: number, pos: number): never {
  return decodeError(`${typeName(code)} of ${size} bytes runs past the end (${Math.max(left, 0)} left)`, pos);
}

function hex2(code: number): string {
  return code.toString(16).padStart(2, '0');
}

const TYPE_NAMES: Record<number, string> = {
  0x40: 'null', 0x41: 'true', 0x42: 'false', 0x43: 'uint0', 0x44: 'ulong0', 0x45: 'list0',
  0x50: 'ubyte', 0x51: 'byte', 0x52: 'smalluint', 0x53: 'smallulong', 0x54: 'smallint', 0x55: 'smalllong',
  0x56: 'boolean', 0x60: 'ushort', 0x61: 'short', 0x70: 'uint', 0x71: 'int', 0x72: 'float', 0x73: 'char',
  0x74: 'decimal32', 0x80: 'ulong', 0x81: 'long', 0x82: 'double', 0x83: 'timestamp', 0x84: 'decimal64',
  0x94: 'decimal128', 0x98: 'uuid', 0xa0: 'vbin8', 0xa1: 'str8', 0xa3: 'sym8', 0xb0: 'vbin32', 0xb1: 'str32',
  0xb3: 'sym32', 0xc0: 'list8', 0xc1: 'map8', 0xd0: 'list32', 0xd1: 'map32', 0xe0: 'array8', 0xf0: 'array32',
  0x00: 'described value',
};

/** The spec's encoding name of a constructor, for error texts: "str8", "map32"... */
export function typeName(code: number): string {
  return TYPE_NAMES[code] ?? `constructor 0x${hex2(code)}`;
}
