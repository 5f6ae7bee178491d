import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteReader } from '../../src/amqp/byte-reader.js';
import { AmqpError } from '../../src/amqp/errors.js';
import {
  Decimal,
  encodeTable,
  fieldValueByteLength,
  readFieldValue,
  readTable,
  tableByteLength,
  writeFieldValue,
  type FieldTable,
  type FieldValue,
} from '../../src/amqp/field-table.js';
import { hex, prng, table } from './helpers.js';

/** A table of one field `k` whose value bytes (type letter first) are given in hex. */
function oneField(valueHex: string): Buffer {
  const field = Buffer.concat([hex('01 6b'), hex(valueHex)]);
  return Buffer.concat([u32(field.length), field]);
}

function decodeOne(valueHex: string): FieldValue | undefined {
  const bytes = oneField(valueHex);
  const r = new ByteReader(bytes, 0, bytes.length);
  const t = readTable(r);
  assert.equal(r.pos, bytes.length);
  return t['k'];
}

function decode(bytes: Buffer): FieldTable {
  const r = new ByteReader(bytes, 0, bytes.length);
  const t = readTable(r);
  assert.equal(r.pos, bytes.length, 'table consumed exactly');
  return t;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

const isSyntaxError = (e: unknown) => e instanceof AmqpError && e.code === 502;

describe('field table decoding (RabbitMQ type letters)', () => {
  it('t: boolean', () => {
    assert.equal(decodeOne('74 01'), true);
    assert.equal(decodeOne('74 00'), false);
    assert.equal(decodeOne('74 07'), true);
  });
  it('b: int8 and B: uint8', () => {
    assert.equal(decodeOne('62 ff'), -1);
    assert.equal(decodeOne('62 7f'), 127);
    assert.equal(decodeOne('42 ff'), 255);
  });
  it('s: int16 (negative) and u: uint16', () => {
    assert.equal(decodeOne('73 fffe'), -2);
    assert.equal(decodeOne('73 8000'), -32768);
    assert.equal(decodeOne('75 ffff'), 65535);
  });
  it('I: int32 and i: uint32', () => {
    assert.equal(decodeOne('49 ffffffff'), -1);
    assert.equal(decodeOne('69 ffffffff'), 4294967295);
  });
  it('l: int64 as a number when safe, a bigint beyond 2^53', () => {
    assert.equal(decodeOne('6c 0000000000000005'), 5);
    assert.equal(decodeOne('6c ffffffffffffffff'), -1);
    assert.equal(decodeOne('6c 001fffffffffffff'), Number.MAX_SAFE_INTEGER);
    assert.equal(decodeOne('6c 0020000000000000'), 2n ** 53n);
    assert.equal(decodeOne('6c 7fffffffffffffff'), 2n ** 63n - 1n);
    assert.equal(decodeOne('6c 8000000000000000'), -(2n ** 63n));
    assert.equal(decodeOne('4c 0000000000000007'), 7, "RabbitMQ also reads 'L' as int64");
  });
  it('f: float32 and d: float64', () => {
    assert.equal(decodeOne('66 3fc00000'), 1.5);
    assert.equal(decodeOne('64 400921fb54442d18'), Math.PI);
  });
  it('D: decimal (scale octet, 32-bit value)', () => {
    assert.deepStrictEqual(decodeOne('44 02 00003039'), new Decimal(2, 12345));
  });
  it('S: longstr as UTF-8 string', () => {
    assert.equal(decodeOne('53 00000003 e282ac'), '€');
    assert.equal(decodeOne('53 00000000'), '');
  });
  it('x: byte array, copied out of the frame', () => {
    const bytes = oneField('78 00000003 010203');
    const v = readTable(new ByteReader(bytes, 0, bytes.length))['k'] as Buffer;
    assert.deepEqual(v, Buffer.from([1, 2, 3]));
    bytes.fill(0);
    assert.deepEqual(v, Buffer.from([1, 2, 3]), 'the value survives the frame buffer being reused');
  });
  it('T: timestamp in seconds, as a Date', () => {
    assert.deepStrictEqual(decodeOne('54 0000000065000000'), new Date(0x65000000 * 1000));
  });
  it('V: void as null', () => {
    assert.equal(decodeOne('56'), null);
  });
  it('F: nested table', () => {
    assert.deepStrictEqual(decodeOne('46 00000007 01 61 49 00000001'), table({ a: 1 }));
  });
  it('A: arrays, nested, with mixed types', () => {
    // [1 (I), [true (t), 'x' (S)], null (V)]
    const inner = '41 00000008 74 01 53 00000001 78';
    assert.deepStrictEqual(decodeOne(`41 00000013 49 00000001 ${inner} 56`), [1, [true, 'x'], null]);
    assert.deepStrictEqual(decodeOne('41 00000000'), []);
  });
  it('a table of several fields keeps them all', () => {
    const t = encodeTable({ a: 1, b: 'two', c: [3] });
    assert.deepStrictEqual(decode(t), table({ a: 1, b: 'two', c: [3] }));
  });

  it('an unknown type letter is SYNTAX_ERROR naming the letter and key', () => {
    assert.throws(
      () => decodeOne('5a 00'),
      (e: unknown) => isSyntaxError(e) && /'Z'/.test((e as Error).message) && /'k'/.test((e as Error).message),
    );
  });

  it('a truncated table is an error, never a crash or a read past its end', () => {
    const full = encodeTable({ a: 'hello', b: [1, 2, table({ c: 2n ** 60n })], d: new Decimal(1, 2), e: Buffer.from('xy') });
    for (let n = 0; n < full.length; n++) {
      // Truncated stream, and a table whose declared length cuts a field in half.
      assert.throws(() => readTable(new ByteReader(full, 0, n)), isSyntaxError, `stream cut at ${n}`);
      if (n >= 4) {
        const lying = Buffer.from(full.subarray(0, n));
        lying.writeUInt32BE(n - 4);
        // Either the cut falls between fields (a valid shorter table) or it is a syntax error.
        try {
          readTable(new ByteReader(lying, 0, lying.length));
        } catch (e) {
          assert.ok(isSyntaxError(e), `declared length ${n - 4}: ${String(e)}`);
        }
      }
    }
  });

  it('a table length beyond the frame is SYNTAX_ERROR', () => {
    assert.throws(() => decode(hex('00000010 01 61 56')), isSyntaxError);
  });

  it('deep nesting is refused rather than overflowing the stack', () => {
    // 100 000 arrays nested in one another: 5 bytes a level.
    const depth = 100_000;
    const buf = Buffer.alloc(4 + 2 + depth * 5);
    let off = 0;
    buf.writeUInt32BE(buf.length - 4, off);
    off += 4;
    buf[off++] = 1;
    buf[off++] = 0x6b;
    for (let i = 0; i < depth; i++) {
      buf[off] = 0x41;
      buf.writeUInt32BE(buf.length - off - 5, off + 1);
      off += 5;
    }
    assert.throws(() => decode(buf), isSyntaxError);
  });

  it('a __proto__ key is plain data and pollutes nothing', () => {
    // { "__proto__": { isAdmin: true } }, as a hostile client would send it
    const inner = Buffer.concat([hex('07'), Buffer.from('isAdmin'), hex('74 01')]);
    const field = Buffer.concat([hex('09'), Buffer.from('__proto__'), hex('46'), u32(inner.length), inner]);
    const evil = Buffer.concat([u32(field.length), field]);
    const t = decode(evil);
    assert.equal(Object.getPrototypeOf(t), null);
    assert.ok(Object.hasOwn(t, '__proto__'));
    assert.equal(({} as Record<string, unknown>)['isAdmin'], undefined);
    assert.equal((Object.prototype as Record<string, unknown>)['isAdmin'], undefined);
    assert.equal(t['toString'], undefined, 'absent keys do not resolve through Object.prototype');
    assert.deepStrictEqual(t['__proto__'], table({ isAdmin: true }));
  });
});

describe('field table encoding', () => {
  it('chooses RabbitMQ-friendly type letters', () => {
    const letter = (v: FieldValue) => {
      const buf = Buffer.alloc(fieldValueByteLength(v));
      assert.equal(writeFieldValue(buf, 0, v), buf.length);
      return String.fromCharCode(buf[0]!);
    };
    assert.equal(letter(true), 't');
    assert.equal(letter(60000), 'I');
    assert.equal(letter(-2147483648), 'I');
    assert.equal(letter(2147483648), 'l');
    assert.equal(letter(Number.MAX_SAFE_INTEGER), 'l');
    assert.equal(letter(2 ** 60), 'd');
    assert.equal(letter(1.5), 'd');
    assert.equal(letter(10n), 'l');
    assert.equal(letter('s'), 'S');
    assert.equal(letter(Buffer.from('b')), 'x');
    assert.equal(letter(new Date(0)), 'T');
    assert.equal(letter(new Decimal(1, 1)), 'D');
    assert.equal(letter([]), 'A');
    assert.equal(letter(null), 'V');
    assert.equal(letter({ a: 1 }), 'F');
  });

  it('round-trips every kind of value', () => {
    const t: FieldTable = {
      bool: false,
      int: -42,
      big: 2 ** 40,
      neg64: -(2 ** 40),
      bigint: 2n ** 62n,
      negBigint: -(2n ** 62n),
      double: -0.25,
      str: 'héllo €',
      bytes: Buffer.from([0, 255, 7]),
      date: new Date(1_700_000_000_000),
      dec: new Decimal(3, 4_000_000_000),
      arr: [1, 'a', [false, null], table({ inner: 'yes' })],
      nested: table({ deeper: table({ deepest: 1 }) }),
      nil: null,
      empty: '',
    };
    const bytes = encodeTable(t);
    assert.equal(bytes.length, tableByteLength(t));
    assert.deepStrictEqual(decode(bytes), table(t));
  });

  it('writes a Date as whole seconds', () => {
    assert.deepStrictEqual(decode(encodeTable({ d: new Date(1500) }))['d'], new Date(1000));
  });

  it('encodes undefined as void', () => {
    const t = { u: undefined } as unknown as FieldTable;
    assert.deepStrictEqual(decode(encodeTable(t)), table({ u: null }));
  });

  it('rejects what cannot be encoded', () => {
    assert.throws(() => encodeTable({ b: 2n ** 63n }), RangeError);
    assert.throws(() => encodeTable({ d: new Date(NaN) }), RangeError);
    assert.throws(() => encodeTable({ ['k'.repeat(256)]: 1 }), RangeError);
    assert.throws(() => encodeTable({ f: (() => 1) as unknown as FieldValue }), TypeError);
  });

  it('random tables round-trip (seeded)', () => {
    const rand = prng(42);
    const randomValue = (depth: number): FieldValue => {
      switch (Math.floor(rand() * (depth > 3 ? 7 : 9))) {
        case 0:
          return rand() < 0.5;
        case 1:
          return Math.floor((rand() - 0.5) * 2 ** 33);
        case 2:
          return rand() * 1000 - 500;
        case 3:
          return 'str' + Math.floor(rand() * 1e6);
        case 4:
          return Buffer.from([Math.floor(rand() * 256)]);
        case 5:
          return null;
        case 6:
          return BigInt(Math.floor(rand() * 2 ** 31)) << 32n;
        case 7:
          return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(depth + 1));
        default: {
          const t = table({});
          for (let i = Math.floor(rand() * 4); i > 0; i--) t['k' + i] = randomValue(depth + 1);
          return t;
        }
      }
    };
    for (let i = 0; i < 300; i++) {
      const t = table({ root: randomValue(0), other: randomValue(0) });
      const back = decode(encodeTable(t));
      // bigints that fit a safe integer come back as numbers
      const normalise = (v: unknown): unknown =>
        typeof v === 'bigint' && Number.isSafeInteger(Number(v))
          ? Number(v)
          : Array.isArray(v)
            ? v.map(normalise)
            : v && typeof v === 'object' && Object.getPrototypeOf(v) === null
              ? table(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x) as FieldValue])))
              : v;
      assert.deepStrictEqual(back, normalise(t));
    }
  });

  it('readFieldValue reads a single typed value', () => {
    const bytes = hex('49 00000010');
    assert.equal(readFieldValue(new ByteReader(bytes, 0, bytes.length)), 16);
  });
});

describe('re-encoding a decoded table', () => {
  it('keeps every numeric value in the type it arrived with', async () => {
    const { ByteReader } = await import('../../src/amqp/byte-reader.js');
    const { encodeTable, fieldTypeName } = await import('../../src/amqp/field-table.js');
    // s=1000 (short), b=-3 (byte), u=7 (unsigned short), f=1.5 (float), l=5 (long)
    const wire = Buffer.concat([
      Buffer.from([0, 0, 0, 0]),
      Buffer.from([1, 0x73, 0x73, 0x03, 0xe8]),
      Buffer.from([1, 0x62, 0x62, 0xfd]),
      Buffer.from([1, 0x75, 0x75, 0x00, 0x07]),
      Buffer.from([1, 0x66, 0x66, 0x3f, 0xc0, 0x00, 0x00]),
      Buffer.from([1, 0x6c, 0x6c, 0, 0, 0, 0, 0, 0, 0, 5]),
    ]);
    wire.writeUInt32BE(wire.length - 4, 0);
    const table = new ByteReader(wire, 0, wire.length).table();
    assert.equal(fieldTypeName(table, 's'), 'short');
    assert.deepEqual(encodeTable(table), wire);
    const copy = new ByteReader(encodeTable(table), 0, wire.length).table();
    assert.equal(fieldTypeName(copy, 'b'), 'byte');
  });
});
