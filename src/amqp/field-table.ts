/**
 * AMQP field tables and arrays with RabbitMQ's type letters (which differ from the
 * 0-9-1 spec's list: RabbitMQ follows the QPid/errata set, e.g. 's' is int16 and
 * 'x' a byte array). Tables carry queue/exchange arguments, client properties and
 * message headers; they are decoded off the hot path, so clarity wins over speed.
 */
import type { ByteReader } from './byte-reader.js';
import { shortstrSize, writeShortstr, writeU32, writeU64, writeU8 } from './byte-writer.js';
import { AmqpError } from './errors.js';
import { ReplyCode } from './spec.generated.js';

/** A decimal as AMQP carries it: value / 10^scale (scale octet, 32-bit value). */
export class Decimal {
  constructor(
    readonly scale: number,
    readonly value: number,
  ) {}
}

export type FieldValue =
  | boolean
  | number
  | bigint
  | string
  | Buffer
  | Date
  | Decimal
  | FieldValue[]
  | FieldTable
  | null;

export interface FieldTable {
  [key: string]: FieldValue;
}

// Type letters, as char codes.
const T_BOOL = 0x74; // 't'
const T_INT8 = 0x62; // 'b'
const T_UINT8 = 0x42; // 'B'
const T_INT16 = 0x73; // 's'
const T_UINT16 = 0x75; // 'u'
const T_INT32 = 0x49; // 'I'
const T_UINT32 = 0x69; // 'i'
const T_INT64 = 0x6c; // 'l'
const T_INT64_ALT = 0x4c; // 'L': RabbitMQ also decodes it as signed int64 (see its 0-9-1 errata); never emitted
const T_FLOAT = 0x66; // 'f'
const T_DOUBLE = 0x64; // 'd'
const T_DECIMAL = 0x44; // 'D'
const T_LONGSTR = 0x53; // 'S'
const T_ARRAY = 0x41; // 'A'
const T_TIMESTAMP = 0x54; // 'T'
const T_TABLE = 0x46; // 'F'
const T_VOID = 0x56; // 'V'
const T_BYTES = 0x78; // 'x'

/**
 * Tables and arrays nest recursively; a hostile peer could nest thousands deep in one
 * frame (6 bytes a level) and blow the JS stack. No real client nests anywhere near this.
 */
const MAX_NESTING = 64;

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// ---------------------------------------------------------------- decoding

/** Reads a table (u32 byte length, then shortstr key + typed value pairs) at the reader's position. */
export function readTable(r: ByteReader): FieldTable {
  return readTableNested(r, 0);
}

/** Reads one typed value (type letter + value), e.g. an element of an array. */
export function readFieldValue(r: ByteReader): FieldValue {
  return readValueOfType(r, r.u8(), '', 0);
}

/**
 * Decoded tables remember each value's type letter under this (non-enumerable) symbol:
 * JSON-like values lose the difference between, say, a short and a long, which
 * RabbitMQ names in its error texts.
 */
const FIELD_TYPES = Symbol('fieldTypes');

/** RabbitMQ's names of the field types, as they appear in its error texts. */
const TYPE_NAMES: Record<string, string> = {
  t: 'bool',
  b: 'byte',
  B: 'unsignedbyte',
  s: 'short',
  u: 'unsignedshort',
  I: 'signedint',
  i: 'unsignedint',
  l: 'long',
  L: 'long',
  f: 'float',
  d: 'double',
  D: 'decimal',
  S: 'longstr',
  A: 'array',
  T: 'timestamp',
  F: 'table',
  V: 'void',
  x: 'binary',
};

/** The wire type name of `table[key]` if the table was decoded from the wire. */
export function fieldTypeName(table: FieldTable, key: string): string | undefined {
  const types = (table as { [FIELD_TYPES]?: Record<string, string> })[FIELD_TYPES];
  const letter = types?.[key];
  return letter === undefined ? undefined : TYPE_NAMES[letter];
}

/**
 * A shallow copy of a table that keeps the wire types recorded for its values, so that
 * changing one header and re-encoding leaves every other header's type as it came in.
 */
export function copyTable(table: FieldTable): FieldTable {
  const copy: FieldTable = Object.assign(Object.create(null) as FieldTable, table);
  const types = (table as { [FIELD_TYPES]?: Record<string, string> })[FIELD_TYPES];
  if (types !== undefined) Object.defineProperty(copy, FIELD_TYPES, { value: { ...types } });
  return copy;
}

function readTableNested(r: ByteReader, depth: number): FieldTable {
  const length = r.u32();
  const outerEnd = enterNested(r, length, 'table', depth);
  // No prototype: a key such as "__proto__" or "constructor" from the peer is an
  // ordinary own property, and lookups of absent keys never find Object.prototype's.
  const table: FieldTable = Object.create(null);
  const types: Record<string, string> = Object.create(null);
  try {
    while (r.pos < r.end) {
      const key = r.shortstr();
      const type = r.u8();
      types[key] = String.fromCharCode(type);
      table[key] = readValueOfType(r, type, key, depth);
    }
  } finally {
    r.end = outerEnd;
  }
  Object.defineProperty(table, FIELD_TYPES, { value: types });
  return table;
}

function readArrayNested(r: ByteReader, key: string, depth: number): FieldValue[] {
  const length = r.u32();
  const outerEnd = enterNested(r, length, 'array', depth);
  const values: FieldValue[] = [];
  try {
    while (r.pos < r.end) values.push(readValueOfType(r, r.u8(), key, depth));
  } finally {
    r.end = outerEnd;
  }
  return values;
}

/** Narrows the reader to a nested table/array so its reads cannot run past it; returns the end to restore. */
function enterNested(r: ByteReader, length: number, what: string, depth: number): number {
  if (depth >= MAX_NESTING) throw syntaxError(`field ${what} nested more than ${MAX_NESTING} deep`);
  const outerEnd = r.end;
  if (length > outerEnd - r.pos) {
    throw syntaxError(`field ${what} of ${length} bytes runs past the end of its container (${outerEnd - r.pos} left)`);
  }
  r.end = r.pos + length;
  return outerEnd;
}

function readValueOfType(r: ByteReader, type: number, key: string, depth: number): FieldValue {
  switch (type) {
    case T_LONGSTR:
      return r.longstrString();
    case T_INT32:
      return r.i32();
    case T_BOOL:
      return r.u8() !== 0;
    case T_TABLE:
      return readTableNested(r, depth + 1);
    case T_ARRAY:
      return readArrayNested(r, key, depth + 1);
    case T_INT64:
    case T_INT64_ALT:
      return r.i64();
    case T_INT8:
      return r.i8();
    case T_UINT8:
      return r.u8();
    case T_INT16:
      return r.i16();
    case T_UINT16:
      return r.u16();
    case T_UINT32:
      return r.u32();
    case T_FLOAT:
      return r.f32();
    case T_DOUBLE:
      return r.f64();
    case T_DECIMAL: {
      const scale = r.u8();
      // Unsigned, as RabbitMQ and the 0-9-1 grammar (long-uint) read it.
      return new Decimal(scale, r.u32());
    }
    case T_TIMESTAMP:
      return new Date(r.u64() * 1000);
    case T_VOID:
      return null;
    case T_BYTES:
      // Copied: decoded tables outlive the socket chunk they came in.
      return Buffer.from(r.longstrBuffer());
    default:
      throw syntaxError(`unknown field table type ${describeType(type)} for key '${key}'`);
  }
}

function describeType(type: number): string {
  const printable = type >= 0x21 && type <= 0x7e;
  return printable ? `'${String.fromCharCode(type)}'` : `0x${type.toString(16).padStart(2, '0')}`;
}

function syntaxError(text: string): AmqpError {
  return new AmqpError(ReplyCode.SYNTAX_ERROR, text);
}

// ---------------------------------------------------------------- encoding

/**
 * The type letter a JS value is encoded with. Size and write both use it, so they
 * always agree. Integers that fit int32 go as 'I' (what RabbitMQ and most clients
 * expect for x-message-ttl, x-max-length...), larger safe integers as 'l'.
 */
function typeFor(v: unknown): number {
  switch (typeof v) {
    case 'string':
      return T_LONGSTR;
    case 'number':
      if (Number.isInteger(v)) {
        if (v >= INT32_MIN && v <= INT32_MAX) return T_INT32;
        if (Number.isSafeInteger(v)) return T_INT64;
      }
      return T_DOUBLE; // fractions, NaN, infinities and integers too big to be exact as int64 numbers
    case 'boolean':
      return T_BOOL;
    case 'bigint':
      return T_INT64;
    case 'undefined':
      return T_VOID;
    case 'object':
      if (v === null) return T_VOID;
      if (v instanceof Uint8Array) return T_BYTES;
      if (v instanceof Date) return T_TIMESTAMP;
      if (v instanceof Decimal) return T_DECIMAL;
      if (Array.isArray(v)) return T_ARRAY;
      return T_TABLE;
    default:
      throw new TypeError(`a ${typeof v} cannot be encoded in a field table`);
  }
}

/** Encoded size of a table including its u32 length prefix. */
export function tableByteLength(t: FieldTable): number {
  const recorded = recordedTypes(t);
  let n = 4;
  for (const key of Object.keys(t)) {
    const numeric = recorded && numericLetter(recorded[key], t[key]);
    n += shortstrSize(key) + (numeric ? 1 + NUMERIC_SIZES[numeric]! : fieldValueByteLength(t[key]!));
  }
  return n;
}

/** Sizes of the numeric types a decoded table may have recorded (see FIELD_TYPES). */
const NUMERIC_SIZES: Record<string, number> = { b: 1, B: 1, s: 2, u: 2, I: 4, i: 4, l: 8, L: 8, f: 4, d: 8 };

function recordedTypes(t: FieldTable): Record<string, string> | undefined {
  return (t as { [FIELD_TYPES]?: Record<string, string> })[FIELD_TYPES];
}

/**
 * The recorded type letter to re-encode `value` with, when the table came off the wire
 * and the value is still a number: a short stays a short across a round trip (say,
 * through the definitions store), as RabbitMQ keeps it.
 */
function numericLetter(letter: string | undefined, value: FieldValue | undefined): string | undefined {
  if (letter === undefined || NUMERIC_SIZES[letter] === undefined) return undefined;
  if (typeof value === 'bigint') return letter === 'l' || letter === 'L' ? letter : undefined;
  if (typeof value !== 'number') return undefined;
  if (letter === 'f' || letter === 'd') return letter;
  return Number.isInteger(value) ? letter : undefined;
}

function writeNumeric(buf: Buffer, off: number, letter: string, value: number | bigint): number {
  buf[off++] = letter.charCodeAt(0);
  switch (letter) {
    case 'b':
      return buf.writeInt8(Number(value), off);
    case 'B':
      return buf.writeUInt8(Number(value), off);
    case 's':
      return buf.writeInt16BE(Number(value), off);
    case 'u':
      return buf.writeUInt16BE(Number(value), off);
    case 'I':
      return buf.writeInt32BE(Number(value), off);
    case 'i':
      return buf.writeUInt32BE(Number(value), off);
    case 'f':
      return buf.writeFloatBE(Number(value), off);
    case 'd':
      return buf.writeDoubleBE(Number(value), off);
    default: // l, L
      return buf.writeBigInt64BE(BigInt(value), off);
  }
}

/** Encoded size of one value including its type letter. */
export function fieldValueByteLength(v: FieldValue | undefined): number {
  switch (typeFor(v)) {
    case T_LONGSTR:
      return 5 + Buffer.byteLength(v as string, 'utf8');
    case T_INT32:
      return 5;
    case T_INT64:
    case T_DOUBLE:
    case T_TIMESTAMP:
      return 9;
    case T_BOOL:
      return 2;
    case T_VOID:
      return 1;
    case T_BYTES:
      return 5 + (v as Uint8Array).length;
    case T_DECIMAL:
      return 6;
    case T_ARRAY: {
      let n = 5;
      for (const item of v as FieldValue[]) n += fieldValueByteLength(item);
      return n;
    }
    default: // T_TABLE
      return 1 + tableByteLength(v as FieldTable);
  }
}

/** Writes a table (u32 length + fields) at off; returns the end offset. */
export function writeTable(buf: Buffer, off: number, t: FieldTable): number {
  const recorded = recordedTypes(t);
  const start = off;
  off += 4;
  for (const key of Object.keys(t)) {
    off = writeShortstr(buf, off, key);
    const value = t[key]!;
    const numeric = recorded && numericLetter(recorded[key], value);
    off = numeric ? writeNumeric(buf, off, numeric, value as number | bigint) : writeFieldValue(buf, off, value);
  }
  writeU32(buf, start, off - start - 4);
  return off;
}

/** Writes one value with its type letter at off; returns the end offset. */
export function writeFieldValue(buf: Buffer, off: number, v: FieldValue | undefined): number {
  const type = typeFor(v);
  buf[off++] = type;
  switch (type) {
    case T_LONGSTR: {
      const n = buf.write(v as string, off + 4, 'utf8');
      writeU32(buf, off, n);
      return off + 4 + n;
    }
    case T_INT32:
      return writeU32(buf, off, v as number);
    case T_INT64:
      if (typeof v === 'bigint') {
        if (v < INT64_MIN || v > INT64_MAX) throw new RangeError(`bigint ${v} does not fit a signed 64-bit field`);
        buf.writeBigInt64BE(v, off);
        return off + 8;
      }
      return writeU64(buf, off, v as number);
    case T_DOUBLE:
      buf.writeDoubleBE(v as number, off);
      return off + 8;
    case T_TIMESTAMP: {
      const ms = (v as Date).getTime();
      if (Number.isNaN(ms)) throw new RangeError('an invalid Date cannot be encoded as a timestamp');
      return writeU64(buf, off, Math.floor(ms / 1000));
    }
    case T_BOOL:
      return writeU8(buf, off, v ? 1 : 0);
    case T_VOID:
      return off;
    case T_BYTES: {
      const bytes = v as Uint8Array;
      writeU32(buf, off, bytes.length);
      buf.set(bytes, off + 4);
      return off + 4 + bytes.length;
    }
    case T_DECIMAL: {
      const d = v as Decimal;
      writeU8(buf, off, d.scale);
      return writeU32(buf, off + 1, d.value); // a negative int32 keeps its bits
    }
    case T_ARRAY: {
      const start = off;
      off += 4;
      for (const item of v as FieldValue[]) off = writeFieldValue(buf, off, item);
      writeU32(buf, start, off - start - 4);
      return off;
    }
    default: // T_TABLE
      return writeTable(buf, off, v as FieldTable);
  }
}

/** Convenience for tests and rare paths: a table encoded into its own buffer. */
export function encodeTable(t: FieldTable): Buffer {
  const buf = Buffer.allocUnsafe(tableByteLength(t));
  writeTable(buf, 0, t);
  return buf;
}
