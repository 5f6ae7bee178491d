import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteReader } from '../../src/amqp/byte-reader.js';
import { AmqpError } from '../../src/amqp/errors.js';
import { ReplyCode } from '../../src/amqp/spec.generated.js';
import { hex } from './helpers.js';

const isSyntaxError = (e: unknown) => e instanceof AmqpError && e.code === ReplyCode.SYNTAX_ERROR;

describe('ByteReader', () => {
  it('reads big-endian integers of every width and sign', () => {
    const r = new ByteReader(hex('ff ff fffe fffe fffffffd fffffffd 0000000100000002 ffffffffffffffff 7fffffffffffffff'), 0, 38);
    assert.equal(r.u8(), 255);
    assert.equal(r.i8(), -1);
    assert.equal(r.u16(), 65534);
    assert.equal(r.i16(), -2);
    assert.equal(r.u32(), 4294967293);
    assert.equal(r.i32(), -3);
    assert.equal(r.u64(), 2 ** 32 + 2);
    assert.equal(r.i64(), -1);
    assert.equal(r.i64(), 2n ** 63n - 1n);
    assert.equal(r.remaining, 0);
  });

  it('reads floats', () => {
    const r = new ByteReader(hex('3fc00000 400921fb54442d18'), 0, 12);
    assert.equal(r.f32(), 1.5);
    assert.equal(r.f64(), Math.PI);
  });

  it('reads strings and zero-copy byte views', () => {
    const buf = hex('03 616263 00000002 c3a9 00000003 010203 ff');
    const r = new ByteReader(buf, 0, buf.length - 1);
    assert.equal(r.shortstr(), 'abc');
    assert.equal(r.longstrString(), 'é');
    const view = r.longstrBuffer();
    assert.deepEqual(view, Buffer.from([1, 2, 3]));
    buf[14] = 9;
    assert.equal(view[0], 9, 'longstrBuffer views the frame, it does not copy');
    assert.equal(r.remaining, 0);
  });

  it('checks bounds against end, not against the buffer', () => {
    const buf = hex('0005 0102 0304 0506 07');
    const r = new ByteReader(buf, 0, 2);
    assert.equal(r.u16(), 5);
    assert.throws(() => r.u8(), isSyntaxError);
    r.reset(buf, 0, 1);
    assert.throws(() => r.u16(), isSyntaxError);
    r.reset(buf, 1, 3);
    assert.throws(() => r.shortstr(), isSyntaxError, 'a shortstr (length 5) longer than what is left');
    r.reset(buf, 2, 5);
    assert.throws(() => r.bytes(4), isSyntaxError);
    r.reset(buf, 0, 7);
    assert.throws(() => r.u64(), isSyntaxError);
    r.reset(buf, 0, 7);
    assert.throws(() => r.longstrBuffer(), isSyntaxError);
  });

  it('refuses bounds outside its buffer', () => {
    assert.throws(() => new ByteReader(Buffer.alloc(4), 0, 5), RangeError);
    assert.throws(() => new ByteReader(Buffer.alloc(4), 3, 2), RangeError);
  });

  it('reset re-aims one reader at new frames', () => {
    const r = new ByteReader(Buffer.alloc(0), 0, 0);
    assert.equal(r.reset(hex('0102'), 1, 2).u8(), 2);
    assert.equal(r.reset(hex('0304'), 0, 2).u16(), 0x0304);
  });
});

describe('AmqpError', () => {
  it("formats reply-text the way RabbitMQ does and classifies hard/soft errors", () => {
    const soft = new AmqpError(ReplyCode.PRECONDITION_FAILED, "inequivalent arg 'durable' for queue 'q'", 50, 10);
    assert.equal(soft.message, "inequivalent arg 'durable' for queue 'q'");
    assert.equal(soft.replyText, "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'q'");
    assert.equal(soft.isConnectionError, false);
    assert.equal(soft.classId, 50);
    assert.equal(soft.methodId, 10);
    const hard = new AmqpError(ReplyCode.FRAME_ERROR, 'bad frame');
    assert.equal(hard.isConnectionError, true);
    assert.equal(hard.classId, 0);
    assert.ok(hard instanceof Error);
  });

  it('cuts reply-text to a shortstr without splitting a character', () => {
    const e = new AmqpError(ReplyCode.NOT_FOUND, `no queue '${'é'.repeat(200)}' in vhost '/'`);
    const text = e.replyText;
    assert.ok(Buffer.byteLength(text) <= 255);
    assert.ok(Buffer.byteLength(text) >= 254);
    assert.ok(!text.includes('\ufffd'));
    assert.ok(text.startsWith('NOT_FOUND - '));
  });
});
