import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Amqp10DecodeError } from '../../src/amqp10/errors.js';
import { Amqp10Reader, decodeValue, encodedSize, encodeValue, type Amqp10Value } from '../../src/amqp10/types.js';
import { hex, prng } from '../amqp/helpers.js';

const sym = (value: string): Amqp10Value => ({ type: 'symbol', value });
const isDecodeError = (e: unknown) => e instanceof Amqp10DecodeError;

/** Encodes, checks the bytes when given, decodes back and compares. */
function roundTrip(v: Amqp10Value, expectedHex?: string): void {
  const bytes = encodeValue(v);
  assert.equal(bytes.length, encodedSize(v));
  if (expectedHex !== undefined) assert.equal(bytes.toString('hex'), expectedHex.replace(/\s+/g, ''));
  assert.deepEqual(decodeValue(bytes), v);
}

describe('amqp10 types: encodings, as RabbitMQ generates them', () => {
  it('null and booleans', () => {
    roundTrip(null, '40');
    roundTrip(true, '41');
    roundTrip(false, '42');
    assert.equal(decodeValue(hex('56 01')), true);
    assert.equal(decodeValue(hex('56 00')), false);
  });

  it('unsigned integers, with uint0/smalluint and ulong0/smallulong', () => {
    roundTrip({ type: 'ubyte', value: 200 }, '50c8');
    roundTrip({ type: 'ushort', value: 60000 }, '60ea60');
    roundTrip({ type: 'uint', value: 0 }, '43');
    roundTrip({ type: 'uint', value: 255 }, '52ff');
    roundTrip({ type: 'uint', value: 256 }, '7000000100');
    roundTrip({ type: 'uint', value: 4_000_000_000 }, '70ee6b2800');
    roundTrip({ type: 'ulong', value: 0 }, '44');
    roundTrip({ type: 'ulong', value: 42 }, '532a');
    roundTrip({ type: 'ulong', value: 2 ** 40 }, '800000010000000000');
    roundTrip({ type: 'ulong', value: 2n ** 64n - 1n }, '80ffffffffffffffff');
  });

  it('signed integers, with smallint/smalllong', () => {
    roundTrip({ type: 'byte', value: -5 }, '51fb');
    roundTrip({ type: 'short', value: -300 }, '61fed4');
    roundTrip({ type: 'int', value: -2 }, '54fe');
    roundTrip({ type: 'int', value: 127 }, '547f');
    roundTrip({ type: 'int', value: 128 }, '7100000080');
    roundTrip({ type: 'int', value: -70000 }, '71fffeee90');
    roundTrip({ type: 'long', value: -7 }, '55f9');
    roundTrip({ type: 'long', value: 2 ** 40 }, '810000010000000000');
    roundTrip({ type: 'long', value: -(2n ** 63n) }, '818000000000000000');
  });

  it('floats, char, timestamp, uuid and decimals (decimals as raw bytes)', () => {
    roundTrip({ type: 'float', value: 1.5 }, '723fc00000');
    roundTrip({ type: 'double', value: 2.25 }, '824002000000000000');
    roundTrip({ type: 'char', value: 0x1f600 }, '730001f600');
    roundTrip({ type: 'timestamp', value: 1_700_000_000_123 }, '830000018bcfe5687b');
    roundTrip({ type: 'timestamp', value: -1500 }, '83fffffffffffffa24');
    roundTrip({ type: 'uuid', value: hex('6ba7b8109dad11d180b400c04fd430c8') }, '986ba7b8109dad11d180b400c04fd430c8');
    roundTrip({ type: 'decimal32', value: hex('22000001') }, '7422000001');
    roundTrip({ type: 'decimal64', value: hex('2238000000000001') }, '842238000000000001');
    roundTrip({ type: 'decimal128', value: hex('22080000000000000000000000000001') }, '9422080000000000000000000000000001');
    const nan = decodeValue(hex('72 7fc00000')) as { value: number };
    assert.ok(Number.isNaN(nan.value));
  });

  it('strings, symbols and binaries: 8-bit lengths below 255 bytes, as RabbitMQ writes them', () => {
    roundTrip('hello', 'a10568656c6c6f');
    roundTrip('', 'a100');
    roundTrip('žluť', 'a106c5be6c75c5a5');
    roundTrip('s'.repeat(254), `a1fe${'73'.repeat(254)}`);
    roundTrip('s'.repeat(255), `b1000000ff${'73'.repeat(255)}`);
    roundTrip(sym('text/plain'), 'a30a746578742f706c61696e');
    roundTrip(sym('y'.repeat(255)), `a3ff${'79'.repeat(255)}`);
    roundTrip(sym('y'.repeat(256)), `b300000100${'79'.repeat(256)}`);
    roundTrip(hex('0001ff'), 'a0030001ff');
    roundTrip(Buffer.alloc(255, 7), `b0000000ff${'07'.repeat(255)}`);
    assert.equal(decodeValue(hex('b1 00000002 6869')), 'hi');
    assert.deepEqual(decodeValue(hex('b3 00000001 78')), sym('x'));
  });

  it('lists: list0, list8, list32 past 255 bytes or 254 items', () => {
    roundTrip([], '45');
    roundTrip(['a', { type: 'int', value: 1 }], 'c00602a1016154 01'.replace(/ /g, ''));
    const big = Array.from({ length: 255 }, () => null);
    assert.equal(encodeValue(big).subarray(0, 9).toString('hex'), 'd0000001030000 00ff'.replace(/ /g, ''));
    roundTrip(big);
    roundTrip(['x'.repeat(300)]);
    assert.deepEqual(decodeValue(hex('d0 00000004 00000000')), []);
  });

  it('maps keep entry order and repeated keys', () => {
    const v: Amqp10Value = { type: 'map', entries: [[sym('b'), 'x'], [sym('a'), null], [sym('b'), { type: 'map', entries: [] }]] };
    roundTrip(v, 'c11106a30162a10178a3016140a30162c10100');
    roundTrip({ type: 'map', entries: [['k', 'v'.repeat(300)]] });
  });

  it('arrays: one constructor for all elements, described elements, nested', () => {
    roundTrip({ type: 'array', elementCode: 0x71, values: [{ type: 'int', value: 1 }, { type: 'int', value: 2 }] }, 'e00a0271 00000001 00000002'.replace(/ /g, ''));
    roundTrip({ type: 'array', elementCode: 0xb3, values: [sym('a'), sym('bc')] }, 'e00d02b3 00000001 61 00000002 6263'.replace(/ /g, ''));
    roundTrip({ type: 'array', elementCode: 0xa1, values: ['a', 's'.repeat(255)] });
    roundTrip({ type: 'array', elementCode: 0x56, values: [true, false] }, 'e004025601 00'.replace(/ /g, ''));
    roundTrip({ type: 'array', elementCode: 0x40, values: [null, null] }, 'e0020240');
    roundTrip({ type: 'array', elementCode: 0xd1, values: [{ type: 'map', entries: [[sym('k'), 'v']] }] });
    roundTrip({ type: 'array', elementCode: 0xc0, values: [[], ['x']] });
    roundTrip({ type: 'array', elementCode: 0x53, descriptor: sym('d'), values: [{ type: 'ulong', value: 1 }] }, 'e007010 0a3016453 01'.replace(/ /g, ''));
    roundTrip({ type: 'array', elementCode: 0xf0, values: [{ type: 'array', elementCode: 0x50, values: [{ type: 'ubyte', value: 1 }] }] });
    assert.throws(() => encodeValue({ type: 'array', elementCode: 0xa1, values: [sym('not a string')] }), RangeError);
    assert.throws(() => encodeValue({ type: 'array', elementCode: 0x50, values: [{ type: 'ubyte', value: 256 }] }), RangeError);
  });

  it('described values', () => {
    roundTrip({ type: 'described', descriptor: { type: 'ulong', value: 0x75 }, value: hex('78') }, '005375a00178');
    roundTrip({ type: 'described', descriptor: sym('com:x'), value: { type: 'described', descriptor: sym('y'), value: null } });
  });

  it('binaries, uuids and decimals are views into the input, not copies', () => {
    const input = hex('c0 16 02 a0 02 abcd 98 000102030405060708090a0b0c0d0e0f');
    const [bin, uuid] = decodeValue(input) as [Buffer, { value: Buffer }];
    assert.equal(bin.buffer, input.buffer);
    assert.equal(bin.byteOffset, input.byteOffset + 5);
    assert.equal(uuid.value.buffer, input.buffer);
  });

  it('Amqp10Reader reads consecutive values and respects its end', () => {
    const buf = hex('ff 50 01 a1 01 61 ff');
    const r = new Amqp10Reader(buf, 1, 6);
    assert.deepEqual(r.readValue(), { type: 'ubyte', value: 1 });
    assert.equal(r.readValue(), 'a');
    assert.equal(r.pos, 6);
    assert.throws(() => r.readValue(), isDecodeError);
    assert.throws(() => new Amqp10Reader(buf, 3, 99), RangeError);
  });
});

describe('amqp10 types: malformed input', () => {
  /** A value using most encodings, nested. */
  const sample = encodeValue([
    null, true, { type: 'ubyte', value: 1 }, { type: 'uint', value: 7 }, { type: 'ulong', value: 2n ** 63n }, 'str', sym('sym'), hex('00ff'),
    { type: 'map', entries: [[sym('k'), [{ type: 'timestamp', value: 1 }, { type: 'uuid', value: Buffer.alloc(16, 1) }]]] },
    { type: 'array', elementCode: 0xa1, values: ['a', 'b'] },
    { type: 'described', descriptor: { type: 'ulong', value: 1 }, value: { type: 'double', value: 1.5 } },
    'x'.repeat(300),
  ]);

  it('truncated at every offset: a clear Amqp10DecodeError, never a wrong value', () => {
    for (let cut = 0; cut < sample.length; cut++) {
      assert.throws(() => decodeValue(sample, 0, cut), isDecodeError, `cut at ${cut}`);
    }
  });

  it('unknown constructors', () => {
    assert.throws(() => decodeValue(hex('99')), /unknown constructor 0x99 \(at offset 0\)/);
    assert.throws(() => decodeValue(hex('c0 02 01 ee')), /unknown constructor 0xee \(at offset 3\)/);
    assert.throws(() => decodeValue(hex('e0 03 01 ee 00')), /unknown constructor 0xee/);
  });

  it('lengths and counts larger than the bytes there are', () => {
    assert.throws(() => decodeValue(hex('b1 ffffffff 61')), /str32 of 4294967295 bytes runs past the end \(1 left\)/);
    assert.throws(() => decodeValue(hex('a0 05 0102')), /vbin8 of 5 bytes runs past the end/);
    assert.throws(() => decodeValue(hex('d0 00000005 ffffffff 40')), /list32 counts 4294967295 items in 1 bytes/);
    assert.throws(() => decodeValue(hex('f0 00000006 ffffffff 40 00')), /array of 4294967295 null elements in 1 bytes/);
    assert.throws(() => decodeValue(hex('f0 00000009 00100000 71 00000001')), /array of 1048576 int elements in 4 bytes/);
    assert.throws(() => decodeValue(hex('e0 04 03 a1 01 61')), /array of 3 str8 elements in 2 bytes/);
    assert.throws(() => decodeValue(hex('c1 03 01 40 40')), /odd number of items|counts/);
    assert.throws(() => decodeValue(hex('c0 00')), /list8 too short for its count/);
    assert.throws(() => decodeValue(hex('c0 03 01 40 40')), /list8 has 1 bytes after its 1 items/);
    assert.throws(() => decodeValue(hex('c0 02 02 40')), isDecodeError);
    assert.throws(() => decodeValue(hex('56 02')), /boolean must be 0x00 or 0x01/);
    assert.throws(() => decodeValue(hex('40 40')), /1 bytes after the value/);
  });

  it('nesting deeper than 64 is refused, without exhausting the stack', () => {
    const deep = Buffer.concat([Buffer.alloc(100_000, 0x00), hex('40')]); // described of described of ...
    assert.throws(() => decodeValue(deep), /nested more than 64 deep/);
    const lists = Buffer.alloc(200);
    for (let i = 0; i < 100; i++) lists.set([0xc0, 0xff], i * 2); // sizes are wrong too; depth is hit first
    assert.throws(() => decodeValue(lists), isDecodeError);
    let nested: Amqp10Value = null;
    for (let i = 0; i < 65; i++) nested = [nested];
    assert.throws(() => decodeValue(encodeValue(nested)), /nested more than 64 deep/);
    nested = null;
    for (let i = 0; i < 64; i++) nested = [nested];
    assert.doesNotThrow(() => decodeValue(encodeValue(nested)));
  });

  it('random bytes: only Amqp10DecodeError, and it always ends', () => {
    const rand = prng(10);
    for (let i = 0; i < 20_000; i++) {
      const len = 1 + Math.floor(rand() * 24);
      const buf = Buffer.alloc(len);
      for (let j = 0; j < len; j++) buf[j] = Math.floor(rand() * 256);
      // Bias towards real constructors so compound paths are exercised too.
      buf[0] = [0xc0, 0xc1, 0xd0, 0xe0, 0xf0, 0x00, 0xa1, 0xb1, buf[0]!][i % 9]!;
      try {
        decodeValue(buf);
      } catch (e) {
        if (!isDecodeError(e)) throw e;
      }
    }
  });
});
