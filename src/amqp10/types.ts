/**
 * The AMQP 1.0 type system (part 1 of the spec), as far as messages use it: decode any
 * encoded value into a small JS representation and encode it back.
 *
 * JS types stand for themselves where they are unambiguous: null, booleans, strings
 * (utf8 string), Buffers (binary) and arrays (list). Everything else is tagged, e.g.
 * { type: 'symbol', value: 'x' } or { type: 'ulong', value: 5 }, so that a value decodes
 * and re-encodes as the same AMQP type.
 *
 * Decoding is bounds-checked (Amqp10DecodeError) and does not copy: binaries, uuids and
 * decimals are views into the input buffer. Strings are decoded as UTF-8 the way
 * Buffer#toString does (invalid bytes become U+FFFD); code that must pass string bytes
 * through unchanged (the 0-9-1 mapping) copies them without decoding.
 *
 * Encoding picks the compact encodings RabbitMQ's amqp10_binary_generator picks, with its
 * thresholds (a string or binary of 255 bytes goes as str32/vbin32), so that a value
 * RabbitMQ encoded re-encodes to the same bytes.
 */
import { decodeError } from './errors.js';
import { fixedWidth, FormatCode } from './format-codes.js';
import { MAX_NESTING, readU32, skipBody, truncated, typeName } from './scan.js';

export type Amqp10Value = null | boolean | string | Buffer | Amqp10Value[] | TaggedValue;

export type TaggedValue =
  | { type: 'ubyte' | 'ushort' | 'uint' | 'byte' | 'short' | 'int' | 'float' | 'double'; value: number }
  /** Numbers while exact (|v| < 2^53), bigints beyond. */
  | { type: 'ulong' | 'long'; value: number | bigint }
  /** Milliseconds since the Unix epoch. */
  | { type: 'timestamp'; value: number }
  /** A Unicode code point (UTF-32). */
  | { type: 'char'; value: number }
  /** 16 bytes, a view into the input. */
  | { type: 'uuid'; value: Buffer }
  /** The raw IEEE 754 decimal bytes (4, 8 or 16), a view: nothing in a broker computes with them. */
  | { type: 'decimal32' | 'decimal64' | 'decimal128'; value: Buffer }
  | { type: 'symbol'; value: string }
  /** Entries in encoded order; keys may repeat and be of any type. */
  | { type: 'map'; entries: [Amqp10Value, Amqp10Value][] }
  /**
   * Every element is encoded with the one constructor `elementCode` (a format code), and
   * described by `descriptor` when there is one. Elements are represented like standalone
   * values of that constructor.
   */
  | { type: 'array'; elementCode: number; descriptor?: Amqp10Value; values: Amqp10Value[] }
  | { type: 'described'; descriptor: Amqp10Value; value: Amqp10Value };

export type TypeName = TaggedValue['type'];

// ---------------------------------------------------------------- decoding

/** Decodes the one value encoded at buf[start, end); throws if anything is left over. */
export function decodeValue(buf: Buffer, start = 0, end = buf.length): Amqp10Value {
  const r = new Amqp10Reader(buf, start, end);
  const v = r.readValue();
  if (r.pos !== end) decodeError(`${end - r.pos} bytes after the value`, r.pos);
  return v;
}

/** A cursor over encoded values in buf[pos, end). */
export class Amqp10Reader {
  constructor(
    public buf: Buffer,
    public pos: number,
    public end: number,
  ) {
    if (!(pos >= 0 && pos <= end && end <= buf.length)) {
      throw new RangeError(`Amqp10Reader bounds [${pos}, ${end}) do not fit a buffer of ${buf.length} bytes`);
    }
  }

  /** Reads one value (constructor and body) and moves past it. */
  readValue(): Amqp10Value {
    return this.value(0);
  }

  private value(depth: number): Amqp10Value {
    const code = this.u8('a value');
    if (code !== FormatCode.Described) return this.body(code, depth);
    if (depth >= MAX_NESTING) decodeError(`values nested more than ${MAX_NESTING} deep`, this.pos - 1);
    const descriptor = this.value(depth + 1);
    return { type: 'described', descriptor, value: this.value(depth + 1) };
  }

  /** The body of a value whose constructor `code` has just been read. */
  private body(code: number, depth: number): Amqp10Value {
    const b = this.buf;
    const p = this.pos;
    const width = fixedWidth(code);
    if (width > 0 && p + width > this.end) truncated(typeName(code), p);
    switch (code) {
      case FormatCode.Null:
        return null;
      case FormatCode.True:
        return true;
      case FormatCode.False:
        return false;
      case FormatCode.Boolean: {
        this.pos = p + 1;
        const v = b[p]!;
        if (v > 1) decodeError(`boolean must be 0x00 or 0x01, not 0x${v.toString(16)}`, p);
        return v === 1;
      }
      case FormatCode.Uint0:
        return { type: 'uint', value: 0 };
      case FormatCode.Ulong0:
        return { type: 'ulong', value: 0 };
      case FormatCode.Ubyte:
        this.pos = p + 1;
        return { type: 'ubyte', value: b[p]! };
      case FormatCode.Byte:
        this.pos = p + 1;
        return { type: 'byte', value: (b[p]! << 24) >> 24 };
      case FormatCode.SmallUint:
        this.pos = p + 1;
        return { type: 'uint', value: b[p]! };
      case FormatCode.SmallUlong:
        this.pos = p + 1;
        return { type: 'ulong', value: b[p]! };
      case FormatCode.SmallInt:
        this.pos = p + 1;
        return { type: 'int', value: (b[p]! << 24) >> 24 };
      case FormatCode.SmallLong:
        this.pos = p + 1;
        return { type: 'long', value: (b[p]! << 24) >> 24 };
      case FormatCode.Ushort:
        this.pos = p + 2;
        return { type: 'ushort', value: b.readUInt16BE(p) };
      case FormatCode.Short:
        this.pos = p + 2;
        return { type: 'short', value: b.readInt16BE(p) };
      case FormatCode.Uint:
        this.pos = p + 4;
        return { type: 'uint', value: b.readUInt32BE(p) };
      case FormatCode.Int:
        this.pos = p + 4;
        return { type: 'int', value: b.readInt32BE(p) };
      case FormatCode.Float:
        this.pos = p + 4;
        return { type: 'float', value: b.readFloatBE(p) };
      case FormatCode.Char:
        this.pos = p + 4;
        return { type: 'char', value: b.readUInt32BE(p) };
      case FormatCode.Decimal32:
        this.pos = p + 4;
        return { type: 'decimal32', value: b.subarray(p, p + 4) };
      case FormatCode.Ulong:
        this.pos = p + 8;
        return { type: 'ulong', value: exact(b.readBigUInt64BE(p)) };
      case FormatCode.Long:
        this.pos = p + 8;
        return { type: 'long', value: exact(b.readBigInt64BE(p)) };
      case FormatCode.Double:
        this.pos = p + 8;
        return { type: 'double', value: b.readDoubleBE(p) };
      case FormatCode.Timestamp:
        this.pos = p + 8;
        return { type: 'timestamp', value: Number(b.readBigInt64BE(p)) };
      case FormatCode.Decimal64:
        this.pos = p + 8;
        return { type: 'decimal64', value: b.subarray(p, p + 8) };
      case FormatCode.Decimal128:
        this.pos = p + 16;
        return { type: 'decimal128', value: b.subarray(p, p + 16) };
      case FormatCode.Uuid:
        this.pos = p + 16;
        return { type: 'uuid', value: b.subarray(p, p + 16) };
      case FormatCode.Vbin8:
      case FormatCode.Vbin32:
        return b.subarray(this.payloadStart(code), (this.pos = skipBody(b, code, p, this.end)));
      case FormatCode.Str8:
      case FormatCode.Str32:
        return b.toString('utf8', this.payloadStart(code), (this.pos = skipBody(b, code, p, this.end)));
      case FormatCode.Sym8:
      case FormatCode.Sym32: {
        const start = this.payloadStart(code);
        return { type: 'symbol', value: b.toString('latin1', start, (this.pos = skipBody(b, code, p, this.end))) };
      }
      case FormatCode.List0:
        return [];
      case FormatCode.List8:
      case FormatCode.List32:
        return this.compound(code, depth, (count) => {
          const items: Amqp10Value[] = [];
          for (let i = 0; i < count; i++) items.push(this.value(depth + 1));
          return items;
        });
      case FormatCode.Map8:
      case FormatCode.Map32:
        return this.compound(code, depth, (count) => {
          if ((count & 1) !== 0) decodeError(`map with an odd number of items (${count})`, p - 1);
          const entries: [Amqp10Value, Amqp10Value][] = [];
          for (let i = 0; i < count; i += 2) entries.push([this.value(depth + 1), this.value(depth + 1)]);
          return { type: 'map', entries };
        });
      case FormatCode.Array8:
      case FormatCode.Array32:
        return this.compound(code, depth, (count) => this.arrayItems(count, depth));
      default:
        return decodeError(`unknown constructor 0x${code.toString(16).padStart(2, '0')}`, p - 1);
    }
  }

  /** Where a str/sym/vbin payload starts, after its 1- or 4-byte length. */
  private payloadStart(code: number): number {
    return this.pos + (code & 0x10 ? 4 : 1);
  }

  /**
   * A list, map or array: narrows the reader to its bytes while reading its items, and
   * checks they fill them exactly. `count` is checked against those bytes first.
   */
  private compound<T>(code: number, depth: number, readItems: (count: number) => T): T {
    const at = this.pos - 1;
    if (depth >= MAX_NESTING) decodeError(`values nested more than ${MAX_NESTING} deep`, at);
    const stop = skipBody(this.buf, code, this.pos, this.end);
    const wide = (code & 0x10) !== 0;
    const countAt = this.pos + (wide ? 4 : 1);
    const itemsAt = countAt + (wide ? 4 : 1);
    if (itemsAt > stop) decodeError(`${typeName(code)} too short for its count`, at);
    const count = wide ? readU32(this.buf, countAt) : this.buf[countAt]!;
    // Arrays check their count once their element width is known (arrayItems).
    const isArray = code === FormatCode.Array8 || code === FormatCode.Array32;
    if (!isArray && count > stop - itemsAt) decodeError(`${typeName(code)} counts ${count} items in ${stop - itemsAt} bytes`, at);
    const outerEnd = this.end;
    this.pos = itemsAt;
    this.end = stop;
    try {
      const items = readItems(count);
      if (this.pos !== stop) decodeError(`${typeName(code)} has ${stop - this.pos} bytes after its ${count} items`, this.pos);
      return items;
    } finally {
      this.end = outerEnd;
      this.pos = stop;
    }
  }

  private arrayItems(count: number, depth: number): Amqp10Value {
    let code = this.u8('an array constructor');
    let descriptor: Amqp10Value | undefined;
    if (code === FormatCode.Described) {
      descriptor = this.value(depth + 1);
      code = this.u8('an array constructor');
      if (code === FormatCode.Described) decodeError('array element constructor described twice', this.pos - 1);
    }
    // Every element takes at least one byte, except with a zero-width constructor (null,
    // true, uint0...): those arrays are capped instead, so a forged count cannot loop long.
    const width = fixedWidth(code);
    const left = this.end - this.pos;
    if (width === 0 ? count > MAX_ZERO_WIDTH_ELEMENTS : count > left / Math.max(width, 1)) {
      decodeError(`array of ${count} ${typeName(code)} elements in ${left} bytes`, this.pos - 1);
    }
    const values: Amqp10Value[] = [];
    for (let i = 0; i < count; i++) values.push(this.body(code, depth + 1));
    return descriptor === undefined
      ? { type: 'array', elementCode: code, values }
      : { type: 'array', elementCode: code, descriptor, values };
  }

  private u8(what: string): number {
    if (this.pos >= this.end) truncated(what, this.pos);
    return this.buf[this.pos++]!;
  }
}

/** Most elements an array of a zero-width constructor may have. */
const MAX_ZERO_WIDTH_ELEMENTS = 65536;

function exact(v: bigint): number | bigint {
  return v >= -0x1f_ffff_ffff_ffffn && v <= 0x1f_ffff_ffff_ffffn ? Number(v) : v;
}

// ---------------------------------------------------------------- encoding

/** A value encoded into its own buffer. */
export function encodeValue(v: Amqp10Value): Buffer {
  const buf = Buffer.allocUnsafe(encodedSize(v));
  const end = writeValue(buf, 0, v);
  if (end !== buf.length) throw new Error(`amqp10 encoder size mismatch: ${end} != ${buf.length}`);
  return buf;
}

/** Exact encoded size of a value, constructor included. */
export function encodedSize(v: Amqp10Value): number {
  if (v === null || v === true || v === false) return 1;
  if (typeof v === 'string') return variableSize(Buffer.byteLength(v, 'utf8'), STR_LIMIT);
  if (Buffer.isBuffer(v)) return variableSize(v.length, STR_LIMIT);
  if (Array.isArray(v)) return v.length === 0 ? 1 : compoundSize(v.length, itemsSize(v));
  switch (v.type) {
    case 'symbol':
      return variableSize(Buffer.byteLength(v.value, 'latin1'), SYM_LIMIT);
    case 'map': {
      let n = 0;
      for (const [key, value] of v.entries) n += encodedSize(key) + encodedSize(value);
      return compoundSize(v.entries.length * 2, n);
    }
    case 'array': {
      let n = constructorSize(v);
      for (const item of v.values) n += elementSize(v.elementCode, item);
      return compoundSize(v.values.length, n);
    }
    case 'described':
      return 1 + encodedSize(v.descriptor) + encodedSize(v.value);
    default:
      return 1 + scalarWidth(v);
  }
}

/** Writes a value at off (encodedSize(v) bytes of room); returns the end offset. */
export function writeValue(buf: Buffer, off: number, v: Amqp10Value): number {
  if (v === null) return put(buf, off, FormatCode.Null);
  if (v === true) return put(buf, off, FormatCode.True);
  if (v === false) return put(buf, off, FormatCode.False);
  if (typeof v === 'string') return writeVariable(buf, off, FormatCode.Str8, FormatCode.Str32, v, 'utf8');
  if (Buffer.isBuffer(v)) return writeVariable(buf, off, FormatCode.Vbin8, FormatCode.Vbin32, v, 'binary');
  if (Array.isArray(v)) {
    if (v.length === 0) return put(buf, off, FormatCode.List0);
    return writeCompound(buf, off, FormatCode.List8, v.length, itemsSize(v), (p) => {
      for (const item of v) p = writeValue(buf, p, item);
      return p;
    });
  }
  switch (v.type) {
    case 'symbol':
      return writeVariable(buf, off, FormatCode.Sym8, FormatCode.Sym32, v.value, 'latin1');
    case 'map': {
      let n = 0;
      for (const [key, value] of v.entries) n += encodedSize(key) + encodedSize(value);
      return writeCompound(buf, off, FormatCode.Map8, v.entries.length * 2, n, (p) => {
        for (const [key, value] of v.entries) p = writeValue(buf, writeValue(buf, p, key), value);
        return p;
      });
    }
    case 'array': {
      let n = constructorSize(v);
      for (const item of v.values) n += elementSize(v.elementCode, item);
      return writeCompound(buf, off, FormatCode.Array8, v.values.length, n, (p) => {
        if (v.descriptor !== undefined) p = writeValue(buf, put(buf, p, FormatCode.Described), v.descriptor);
        p = put(buf, p, v.elementCode);
        for (const item of v.values) p = writeElement(buf, p, v.elementCode, item);
        return p;
      });
    }
    case 'described':
      return writeValue(buf, writeValue(buf, put(buf, off, FormatCode.Described), v.descriptor), v.value);
    default: {
      const code = scalarCode(v);
      return writeElement(buf, put(buf, off, code), code, v);
    }
  }
}

/** RabbitMQ writes str8/vbin8 only below 255 bytes (its VAR_1_LIMIT test is `<`), sym8 below 256. */
const STR_LIMIT = 255;
const SYM_LIMIT = 256;

function variableSize(bytes: number, limit: number): number {
  return (bytes < limit ? 2 : 5) + bytes;
}

/** list/map/array: the 8-bit form when the count is under 255 and count + items fit 255 bytes (RabbitMQ's rule). */
function isCompact(count: number, itemsBytes: number): boolean {
  return count < 255 && itemsBytes + 1 < 256;
}

function compoundSize(count: number, itemsBytes: number): number {
  return (isCompact(count, itemsBytes) ? 3 : 9) + itemsBytes;
}

function itemsSize(items: Amqp10Value[]): number {
  let n = 0;
  for (const item of items) n += encodedSize(item);
  return n;
}

function constructorSize(v: { descriptor?: Amqp10Value }): number {
  return v.descriptor === undefined ? 1 : 2 + encodedSize(v.descriptor);
}

/** narrowCode is the 8-bit form (list8, map8, array8); the 32-bit one is narrowCode + 0x10. */
function writeCompound(buf: Buffer, off: number, narrowCode: number, count: number, itemsBytes: number, writeItems: (p: number) => number): number {
  let p: number;
  if (isCompact(count, itemsBytes)) {
    buf[off] = narrowCode;
    buf[off + 1] = itemsBytes + 1;
    buf[off + 2] = count;
    p = off + 3;
  } else {
    buf[off] = narrowCode + 0x10;
    buf.writeUInt32BE(itemsBytes + 4, off + 1);
    buf.writeUInt32BE(count, off + 5);
    p = off + 9;
  }
  const end = writeItems(p);
  if (end - p !== itemsBytes) throw new Error(`amqp10 encoder size mismatch in a compound: ${end - p} != ${itemsBytes}`);
  return end;
}

function writeVariable(buf: Buffer, off: number, narrow: number, wide: number, v: string | Buffer, encoding: 'utf8' | 'latin1' | 'binary'): number {
  const bytes = typeof v === 'string' ? Buffer.byteLength(v, encoding === 'binary' ? 'utf8' : encoding) : v.length;
  const limit = narrow === FormatCode.Sym8 ? SYM_LIMIT : STR_LIMIT;
  let p: number;
  if (bytes < limit) {
    buf[off] = narrow;
    buf[off + 1] = bytes;
    p = off + 2;
  } else {
    buf[off] = wide;
    buf.writeUInt32BE(bytes, off + 1);
    p = off + 5;
  }
  if (typeof v === 'string') buf.write(v, p, encoding === 'binary' ? 'utf8' : encoding);
  else v.copy(buf, p);
  return p + bytes;
}

function put(buf: Buffer, off: number, code: number): number {
  buf[off] = code;
  return off + 1;
}

type Scalar = Exclude<TaggedValue, { type: 'symbol' | 'map' | 'array' | 'described' }>;

/** The compact constructor RabbitMQ's generator uses for a scalar. */
function scalarCode(v: Scalar): number {
  switch (v.type) {
    case 'ubyte':
      return FormatCode.Ubyte;
    case 'ushort':
      return FormatCode.Ushort;
    case 'uint':
      return v.value === 0 ? FormatCode.Uint0 : v.value < 256 ? FormatCode.SmallUint : FormatCode.Uint;
    case 'ulong':
      return v.value == 0 ? FormatCode.Ulong0 : v.value < 256 ? FormatCode.SmallUlong : FormatCode.Ulong;
    case 'byte':
      return FormatCode.Byte;
    case 'short':
      return FormatCode.Short;
    case 'int':
      return v.value >= -128 && v.value < 128 ? FormatCode.SmallInt : FormatCode.Int;
    case 'long':
      return v.value >= -128 && v.value < 128 ? FormatCode.SmallLong : FormatCode.Long;
    case 'float':
      return FormatCode.Float;
    case 'double':
      return FormatCode.Double;
    case 'timestamp':
      return FormatCode.Timestamp;
    case 'char':
      return FormatCode.Char;
    case 'uuid':
      return FormatCode.Uuid;
    case 'decimal32':
      return FormatCode.Decimal32;
    case 'decimal64':
      return FormatCode.Decimal64;
    case 'decimal128':
      return FormatCode.Decimal128;
  }
}

function scalarWidth(v: Scalar): number {
  return fixedWidth(scalarCode(v));
}

/** Size of an array element's body in the array's constructor (no constructor byte of its own). */
function elementSize(code: number, v: Amqp10Value): number {
  const width = fixedWidth(code);
  return width >= 0 ? width : variableElementBody(code, v).length;
}

/**
 * Writes the body of `v` in constructor `code`: array elements, and the part of a scalar
 * after its constructor. Throws RangeError when v does not fit that constructor.
 */
function writeElement(buf: Buffer, off: number, code: number, v: Amqp10Value): number {
  const n = numericOf(v);
  switch (code) {
    case FormatCode.Null:
    case FormatCode.True:
    case FormatCode.False:
    case FormatCode.Uint0:
    case FormatCode.Ulong0:
    case FormatCode.List0:
      return off;
    case FormatCode.Boolean:
      return put(buf, off, v === true ? 1 : 0);
    case FormatCode.Ubyte:
    case FormatCode.SmallUint:
    case FormatCode.SmallUlong:
      return put(buf, off, checkRange(n, 0, 0xff, code));
    case FormatCode.Byte:
    case FormatCode.SmallInt:
    case FormatCode.SmallLong:
      return put(buf, off, checkRange(n, -0x80, 0x7f, code) & 0xff);
    case FormatCode.Ushort:
      buf.writeUInt16BE(checkRange(n, 0, 0xffff, code), off);
      return off + 2;
    case FormatCode.Short:
      buf.writeInt16BE(checkRange(n, -0x8000, 0x7fff, code), off);
      return off + 2;
    case FormatCode.Uint:
    case FormatCode.Char:
      buf.writeUInt32BE(checkRange(n, 0, 0xffff_ffff, code), off);
      return off + 4;
    case FormatCode.Int:
      buf.writeInt32BE(checkRange(n, -0x8000_0000, 0x7fff_ffff, code), off);
      return off + 4;
    case FormatCode.Float:
      buf.writeFloatBE(Number(n), off);
      return off + 4;
    case FormatCode.Double:
      buf.writeDoubleBE(Number(n), off);
      return off + 8;
    case FormatCode.Ulong:
      buf.writeBigUInt64BE(BigInt(n), off);
      return off + 8;
    case FormatCode.Long:
    case FormatCode.Timestamp:
      buf.writeBigInt64BE(BigInt(typeof n === 'number' ? Math.trunc(n) : n), off);
      return off + 8;
    case FormatCode.Uuid:
    case FormatCode.Decimal32:
    case FormatCode.Decimal64:
    case FormatCode.Decimal128: {
      const bytes = (v as { value: Buffer }).value;
      const width = fixedWidth(code);
      if (!Buffer.isBuffer(bytes) || bytes.length !== width) throw new RangeError(`${typeName(code)} needs ${width} bytes`);
      bytes.copy(buf, off);
      return off + width;
    }
    default: {
      const body = variableElementBody(code, v);
      body.copy(buf, off);
      return off + body.length;
    }
  }
}

/**
 * The body of a variable-width or compound array element in exactly constructor `code`
 * (every string of a str32 array is written as str32, and so on). Arrays are rare and
 * off the hot path, so this simply re-encodes.
 */
function variableElementBody(code: number, v: Amqp10Value): Buffer {
  const payload = variablePayload(code, v);
  if (payload !== undefined) {
    const wide = (code & 0x10) !== 0;
    if (!wide && payload.length > 0xff) throw new RangeError(`${payload.length} bytes do not fit ${typeName(code)}`);
    const out = Buffer.allocUnsafe((wide ? 4 : 1) + payload.length);
    if (wide) out.writeUInt32BE(payload.length, 0);
    else out[0] = payload.length;
    payload.copy(out, wide ? 4 : 1);
    return out;
  }
  const own = encodeValue(v);
  const ownCode = own[0]!;
  const family = (c: number) => c & 0xef; // list8/list32, map8/map32, array8/array32 share it
  if (ownCode === FormatCode.List0 && (code === FormatCode.List8 || code === FormatCode.List32)) {
    return code === FormatCode.List8 ? Buffer.from([1, 0]) : Buffer.from([0, 0, 0, 4, 0, 0, 0, 0]);
  }
  if (family(ownCode) !== family(code) || ownCode === FormatCode.List0) {
    throw new RangeError(`array element ${describe(v)} cannot be encoded as ${typeName(code)}`);
  }
  const ownWide = (ownCode & 0x10) !== 0;
  const count = ownWide ? own.readUInt32BE(5) : own[2]!;
  const items = own.subarray(ownWide ? 9 : 3);
  if ((code & 0x10) !== 0) {
    const out = Buffer.allocUnsafe(8 + items.length);
    out.writeUInt32BE(items.length + 4, 0);
    out.writeUInt32BE(count, 4);
    items.copy(out, 8);
    return out;
  }
  if (count > 0xff || items.length + 1 > 0xff) throw new RangeError(`array element ${describe(v)} does not fit ${typeName(code)}`);
  return Buffer.concat([Buffer.from([items.length + 1, count]), items]);
}

/** The payload bytes of a string, symbol or binary element for a str/sym/vbin constructor, else undefined. */
function variablePayload(code: number, v: Amqp10Value): Buffer | undefined {
  switch (code) {
    case FormatCode.Str8:
    case FormatCode.Str32:
      if (typeof v !== 'string') throw new RangeError(`array element ${describe(v)} is not a string`);
      return Buffer.from(v, 'utf8');
    case FormatCode.Sym8:
    case FormatCode.Sym32:
      if (v === null || typeof v !== 'object' || Array.isArray(v) || Buffer.isBuffer(v) || v.type !== 'symbol') {
        throw new RangeError(`array element ${describe(v)} is not a symbol`);
      }
      return Buffer.from(v.value, 'latin1');
    case FormatCode.Vbin8:
    case FormatCode.Vbin32:
      if (!Buffer.isBuffer(v)) throw new RangeError(`array element ${describe(v)} is not a binary`);
      return v;
    default:
      return undefined;
  }
}

function numericOf(v: Amqp10Value): number | bigint {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) && 'value' in v) {
    const n = v.value;
    if (typeof n === 'number' || typeof n === 'bigint') return n;
  }
  return NaN;
}

function checkRange(n: number | bigint, min: number, max: number, code: number): number {
  const x = Number(n);
  if (!Number.isInteger(x) || x < min || x > max) throw new RangeError(`${String(n)} does not fit ${typeName(code)}`);
  return x;
}

function describe(v: Amqp10Value): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Buffer.isBuffer(v)) return `binary(${v.length})`;
  if (Array.isArray(v)) return `list(${v.length})`;
  return v.type;
}
