import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { generateSpec } from '../../scripts/generate-spec.js';
import { ByteReader } from '../../src/amqp/byte-reader.js';
import { AmqpError } from '../../src/amqp/errors.js';
import {
  decodeBasicProperties,
  decodeMethod,
  encodeBasicProperties,
  encodedBasicPropertiesSize,
  encodedMethodSize,
  encodedMethodSizeBound,
  encodeMethod,
  FrameType,
  isConnectionError,
  MethodId,
  methodHasContent,
  methodName,
  ReplyCode,
  replyCodeName,
  type BasicProperties,
  type Method,
} from '../../src/amqp/spec.generated.js';
import { hex, repoRoot, SPEC_JSON_PATH, table } from './helpers.js';

interface SpecArg {
  name: string;
  type?: string;
  domain?: string;
}
interface SpecJson {
  domains: [string, string][];
  classes: { id: number; name: string; methods: { id: number; name: string; arguments: SpecArg[] }[] }[];
}

const specJson = JSON.parse(readFileSync(SPEC_JSON_PATH(), 'utf8')) as SpecJson;
const domains = new Map(specJson.domains);

// Written independently of the generator, so a naming slip there shows up here.
const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pascal = (s: string) => camel(s).replace(/^./, (c) => c.toUpperCase());

function primitive(a: SpecArg): string {
  let t = a.type ?? a.domain!;
  while (domains.has(t) && domains.get(t) !== t) t = domains.get(t)!;
  return t;
}

type BitPattern = 'alternate' | 'all' | 'none';

/** A sample value for every argument; values differ per position so swapped fields cannot pass. */
function sampleMethod(className: string, methodName: string, args: SpecArg[], bits: BitPattern): Method {
  const m: Record<string, unknown> = { id: MethodId[(pascal(className) + pascal(methodName)) as keyof typeof MethodId] };
  assert.ok(m.id !== undefined, `MethodId has ${className}.${methodName}`);
  args.forEach((a, i) => {
    const name = camel(a.name);
    switch (primitive(a)) {
      case 'octet':
        m[name] = (0xf0 + i) & 0xff;
        break;
      case 'short':
        m[name] = 0xf000 + i;
        break;
      case 'long':
        m[name] = 0xf000_0000 + i; // above 2^31: must stay unsigned
        break;
      case 'longlong':
      case 'timestamp':
        m[name] = 2 ** 52 + 12345 + i;
        break;
      case 'shortstr':
        m[name] = `s${i}-é-${a.name}`;
        break;
      case 'longstr':
        m[name] = Buffer.from(`long ${i} ü ${a.name}`);
        break;
      case 'bit':
        m[name] = bits === 'all' ? true : bits === 'none' ? false : i % 2 === 0;
        break;
      case 'table':
        m[name] = table({ n: i, s: 'x', nested: table({ t: true }) });
        break;
      default:
        assert.fail(`unexpected type ${primitive(a)} for ${a.name}`);
    }
  });
  return m as unknown as Method;
}

function encode(m: Method): Buffer {
  const size = encodedMethodSize(m);
  // Encode at an offset inside a larger buffer to catch absolute-offset mistakes.
  const buf = Buffer.alloc(size + 10, 0xaa);
  const end = encodeMethod(buf, 3, m);
  assert.equal(end - 3, size, `encodedMethodSize matches bytes written for ${methodName(m.id)}`);
  assert.ok(encodedMethodSizeBound(m) >= size, `encodedMethodSizeBound is an upper bound for ${methodName(m.id)}`);
  assert.equal(buf[2], 0xaa, 'nothing written before offset');
  assert.equal(buf[end], 0xaa, 'nothing written past the end');
  return buf.subarray(3, end);
}

function decode(payload: Buffer): Method {
  // Decode from inside a larger buffer with trailing junk: the reader must stop at `end`.
  const big = Buffer.concat([Buffer.from([1, 2]), payload, Buffer.from([0xff, 0xff, 0xff])]);
  const r = new ByteReader(big, 2, 2 + payload.length);
  const m = decodeMethod(r);
  assert.equal(r.pos, r.end, `${methodName(m.id)} consumed its payload exactly`);
  return m;
}

describe('spec.generated.ts', () => {
  it('is exactly what the generator makes from the spec JSON', () => {
    const committed = readFileSync(resolve(repoRoot(), 'src', 'amqp', 'spec.generated.ts'), 'utf8');
    assert.equal(generateSpec(specJson), committed, 'run `npm run generate` and commit the result');
  });

  it('exports the frame constants and reply codes', () => {
    assert.deepEqual(FrameType, { Method: 1, Header: 2, Body: 3, Heartbeat: 8 });
    assert.equal(ReplyCode.PRECONDITION_FAILED, 406);
    assert.equal(ReplyCode.FRAME_ERROR, 501);
    assert.equal(replyCodeName[406], 'PRECONDITION_FAILED');
    assert.equal(replyCodeName[541], 'INTERNAL_ERROR');
    assert.equal(isConnectionError(ReplyCode.NOT_FOUND), false);
    assert.equal(isConnectionError(ReplyCode.FRAME_ERROR), true);
    assert.equal(isConnectionError(ReplyCode.CONNECTION_FORCED), true);
    assert.equal(isConnectionError(ReplyCode.REPLY_SUCCESS), false);
  });

  it('numbers methods (class << 16) | method and names them', () => {
    assert.equal(MethodId.ConnectionStart, 0x000a000a);
    assert.equal(MethodId.BasicPublish, 0x003c0028);
    assert.equal(MethodId.ExchangeUnbindOk, 0x00280033);
    assert.equal(methodName(MethodId.ConnectionStartOk), 'connection.start-ok');
    assert.equal(methodHasContent(MethodId.BasicPublish), true);
    assert.equal(methodHasContent(MethodId.BasicAck), false);
    let count = 0;
    for (const c of specJson.classes) count += c.methods.length;
    assert.equal(Object.keys(MethodId).length, count);
  });
});

describe('method codecs', () => {
  for (const c of specJson.classes) {
    for (const sm of c.methods) {
      it(`${c.name}.${sm.name} round-trips`, () => {
        const patterns: BitPattern[] = sm.arguments.some((a) => primitive(a) === 'bit') ? ['alternate', 'all', 'none'] : ['alternate'];
        for (const bits of patterns) {
          const m = sampleMethod(c.name, sm.name, sm.arguments, bits);
          const bytes = encode(m);
          assert.equal(bytes.readUInt16BE(0), c.id);
          assert.equal(bytes.readUInt16BE(2), sm.id);
          assert.deepStrictEqual(decode(bytes), m);
        }
      });
    }
  }

  it('writes basic.publish byte for byte', () => {
    const m: Method = { id: MethodId.BasicPublish, ticket: 0, exchange: 'ex', routingKey: 'rk', mandatory: true, immediate: false };
    assert.deepEqual(encode(m), hex('003c 0028  0000  02 6578  02 726b  01'));
  });

  it('packs queue.declare bits LSB first, in spec order, for all 32 combinations', () => {
    const names = ['passive', 'durable', 'exclusive', 'autoDelete', 'nowait'] as const;
    for (let mask = 0; mask < 32; mask++) {
      const m = {
        id: MethodId.QueueDeclare,
        ticket: 0,
        queue: 'q',
        passive: false,
        durable: false,
        exclusive: false,
        autoDelete: false,
        nowait: false,
        arguments: table({}),
      };
      names.forEach((n, i) => (m[n] = (mask & (1 << i)) !== 0));
      const bytes = encode(m);
      // class, method, ticket, shortstr 'q', bits, empty table
      assert.deepEqual(bytes, Buffer.concat([hex('0032 000a 0000 01 71'), Buffer.from([mask]), hex('00000000')]));
      assert.deepStrictEqual(decode(bytes), m);
    }
  });

  it('packs basic.nack multiple and requeue into one octet', () => {
    const m: Method = { id: MethodId.BasicNack, deliveryTag: 2 ** 32 + 5, multiple: true, requeue: true };
    assert.deepEqual(encode(m), hex('003c 0078 00000001 00000005 03'));
    assert.deepEqual(encode({ ...m, multiple: false }), hex('003c 0078 00000001 00000005 02'));
    assert.equal(encodedMethodSize(m), 13);
  });

  it('keeps a bit group separate when a non-bit field comes between bits', () => {
    // basic.deliver: consumer-tag, delivery-tag, redelivered (bit), exchange, routing-key
    const m: Method = { id: MethodId.BasicDeliver, consumerTag: 'c', deliveryTag: 1, redelivered: true, exchange: '', routingKey: 'k' };
    assert.deepEqual(encode(m), hex('003c 003c 01 63 0000000000000001 01 00 01 6b'));
  });

  it('accepts a string longstr when encoding and decodes it to a Buffer', () => {
    const m: Method = { id: MethodId.ConnectionSecureOk, response: '\0guest\0guest' };
    const back = decode(encode(m));
    assert.ok(back.id === MethodId.ConnectionSecureOk);
    assert.ok(Buffer.isBuffer(back.response));
    assert.equal(back.response.toString(), '\0guest\0guest');
  });

  it('rejects a shortstr over 255 bytes with RangeError', () => {
    const m: Method = { id: MethodId.BasicConsumeOk, consumerTag: 'x'.repeat(256) };
    assert.throws(() => encodedMethodSize(m), RangeError);
    assert.throws(() => encodeMethod(Buffer.alloc(300), 0, m), RangeError);
    // 255 bytes of 2-byte characters is over too, though only 128 UTF-16 units
    assert.throws(() => encodedMethodSize({ id: MethodId.BasicConsumeOk, consumerTag: 'é'.repeat(128) }), RangeError);
    assert.equal(encodedMethodSize({ id: MethodId.BasicConsumeOk, consumerTag: 'x'.repeat(255) }), 4 + 256);
  });

  it('throws COMMAND_INVALID for an unknown method', () => {
    const r = new ByteReader(hex('003c 00ff'), 0, 4);
    assert.throws(
      () => decodeMethod(r),
      (e: unknown) => e instanceof AmqpError && e.code === 503 && e.classId === 60 && e.methodId === 255 && e.isConnectionError,
    );
  });

  it('throws SYNTAX_ERROR for a truncated method, at every truncation point', () => {
    const bytes = encode({ id: MethodId.BasicDeliver, consumerTag: 'ctag', deliveryTag: 9, redelivered: false, exchange: 'x', routingKey: 'rk' });
    for (let n = 0; n < bytes.length; n++) {
      assert.throws(
        () => decodeMethod(new ByteReader(bytes, 0, n)),
        (e: unknown) => e instanceof AmqpError && e.code === 502,
        `truncated at ${n}`,
      );
    }
  });
});

describe('basic content properties', () => {
  const all: BasicProperties = {
    contentType: 'application/json',
    contentEncoding: 'gzip',
    headers: table({ 'x-death': [table({ count: 1 })], flag: true }),
    deliveryMode: 2,
    priority: 9,
    correlationId: 'corr',
    replyTo: 'amq.rabbitmq.reply-to',
    expiration: '60000',
    messageId: 'mid-1',
    timestamp: 1_700_000_000,
    type: 'order.created',
    userId: 'guest',
    appId: 'app',
    clusterId: 'cluster',
  };

  function roundTrip(p: BasicProperties): Buffer {
    const size = encodedBasicPropertiesSize(p);
    const buf = Buffer.alloc(size + 4, 0xaa);
    const end = encodeBasicProperties(buf, 2, p);
    assert.equal(end - 2, size);
    const r = new ByteReader(buf, 2, end);
    assert.deepStrictEqual(decodeBasicProperties(r), p);
    assert.equal(r.pos, end);
    return buf.subarray(2, end);
  }

  it('round-trips all 14 properties', () => {
    const bytes = roundTrip(all);
    assert.equal(bytes.readUInt16BE(0), 0xfffc, 'bits 15..2 set, continuation bit clear');
  });

  it('round-trips every subset that leaves one property out, and none', () => {
    for (const key of Object.keys(all) as (keyof BasicProperties)[]) {
      const p = { ...all };
      delete p[key];
      roundTrip(p);
    }
    assert.deepEqual(roundTrip({}), hex('0000'));
  });

  it('lays out flags and values as hand-computed', () => {
    const bytes = roundTrip({ contentType: 'text/plain', deliveryMode: 2, timestamp: 0x0102 });
    // content-type = bit 15, delivery-mode = bit 12, timestamp = bit 6
    assert.deepEqual(bytes, hex('9040  0a 746578742f706c61696e  02  0000000000000102'));
  });

  it('skips continuation flag words', () => {
    // First word: content-type + continuation bit. Second word: no continuation, one flag for a
    // property this spec does not define; its value would come after the known ones.
    const bytes = hex('8001 8000 01 61');
    assert.deepStrictEqual(decodeBasicProperties(new ByteReader(bytes, 0, bytes.length)), { contentType: 'a' });
  });
});
