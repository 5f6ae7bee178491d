// basic.publish: mandatory returns, unroutable drops, missing exchanges,
// large and empty bodies, and properties/headers round-tripping unchanged.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startBroker, type TestBroker } from './support/broker.js';
import {
  channel,
  connect,
  consume,
  expectChannelClosed,
  get,
  isChannelClosed,
  names,
  returns,
  sync,
  within,
} from './support/amqp.js';
import {
  FRAME_BODY,
  FRAME_HEADER,
  M,
  RawClient,
  frame,
  long,
  longlong,
  longstr,
  octet,
  short,
  shortstr,
} from './support/raw-client.js';

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.close();
});

function withQuery(url: string, query: string): string {
  return url + (url.includes('?') ? '&' : '?') + query;
}

const FULL_PROPERTIES = {
  contentType: 'application/json',
  contentEncoding: 'gzip',
  headers: { 'x-custom': 'yes', n: 42 },
  deliveryMode: 2,
  priority: 7,
  correlationId: 'corr-123',
  replyTo: 'some-reply-queue',
  expiration: '600000',
  messageId: 'msg-456',
  timestamp: 1700000000,
  type: 'order.created',
  userId: 'guest',
  appId: 'warren-tests',
};

describe('mandatory and unroutable publishes', () => {
  test('mandatory + unroutable → basic.return 312 NO_ROUTE with exchange, key, body and properties intact', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'direct');
    const returned = returns(ch);
    const body = Buffer.from('return me');
    ch.publish(x, 'no-binding', body, { mandatory: true, ...FULL_PROPERTIES });
    const m = await returned.next();
    assert.equal(m.fields.replyCode, 312);
    assert.equal(m.fields.replyText, 'NO_ROUTE');
    assert.equal(m.fields.exchange, x);
    assert.equal(m.fields.routingKey, 'no-binding');
    assert.deepEqual(m.content, body);
    assert.deepEqual(
      { ...m.properties, headers: m.properties.headers },
      { ...FULL_PROPERTIES, clusterId: undefined },
    );
    assert.equal(isChannelClosed(ch), false);
  });

  test('mandatory to the default exchange with no such queue → basic.return', async (t) => {
    const n = names(t, broker.url);
    const ch = await channel(await connect(broker.url, t));
    const returned = returns(ch);
    const missing = n.queue();
    ch.sendToQueue(missing, Buffer.from('x'), { mandatory: true });
    const m = await returned.next();
    assert.equal(m.fields.replyCode, 312);
    assert.equal(m.fields.exchange, '');
    assert.equal(m.fields.routingKey, missing);
  });

  test('mandatory + routable → no return, message delivered', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q);
    const returned = returns(ch);
    ch.sendToQueue(q, Buffer.from('ok'), { mandatory: true });
    await sync(ch);
    const m = await get(ch, q, { noAck: true });
    assert.ok(m);
    assert.equal(m.content.toString(), 'ok');
    await returned.expectNothing();
  });

  test('non-mandatory + unroutable → silently dropped, channel stays open', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'fanout');
    const returned = returns(ch);
    ch.publish(x, '', Buffer.from('dropped'));
    ch.sendToQueue(n.queue(), Buffer.from('dropped too'));
    await sync(ch);
    // Bounded wait: no basic.return may arrive.
    await returned.expectNothing();
    assert.equal(isChannelClosed(ch), false);
  });

  test('publishing to a missing exchange → channel closed 404 NOT_FOUND (class 60, method 40)', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    const info = await expectChannelClosed(ch, 404, `NOT_FOUND - no exchange '${x}' in vhost '/'`, () =>
      ch.publish(x, 'k', Buffer.from('x')));
    assert.deepEqual([info.classId, info.methodId], [60, 40]);
    // The connection is fine.
    await (await channel(conn)).checkExchange('amq.direct');
  });

  test('user_id that differs from the authenticated user → 406 PRECONDITION_FAILED', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q);
    await expectChannelClosed(ch, 406, "PRECONDITION_FAILED - user_id property set to 'someone-else' but authenticated user was 'guest'", () =>
      ch.sendToQueue(q, Buffer.from('x'), { userId: 'someone-else' }));
  });
});

describe('bodies', () => {
  for (const [label, size, query] of [
    ['1 MiB, default frame_max', 1024 * 1024, ''],
    ['5 MiB, default frame_max', 5 * 1024 * 1024, ''],
    ['1 MiB, frame_max 4096', 1024 * 1024, 'frameMax=4096'],
    ['5 MiB, frame_max 4096', 5 * 1024 * 1024, 'frameMax=4096'],
  ] as const) {
    test(`a body of ${label} arrives intact`, async (t) => {
      const n = names(t, broker.url);
      const q = n.queue();
      const url = query ? withQuery(broker.url, query) : broker.url;
      const ch = await channel(await connect(url, t));
      await ch.assertQueue(q);
      const body = randomBytes(size);
      ch.sendToQueue(q, body, { messageId: 'big' });
      const { inbox } = await consume(ch, q, { noAck: true });
      const m = await inbox.next(15000);
      assert.ok(m);
      assert.equal(m.content.length, size);
      assert.ok(m.content.equals(body), 'body differs');
      assert.equal(m.properties.messageId, 'big');
    });
  }

  test('an empty body round-trips (amqplib)', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q);
    ch.sendToQueue(q, Buffer.alloc(0), { contentType: 'text/plain' });
    const m = await get(ch, q, { noAck: true });
    assert.ok(m);
    assert.equal(m.content.length, 0);
    assert.equal(m.properties.contentType, 'text/plain');
  });

  test('an empty body is sent as a content header with body-size 0 and no body frame', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const c = await RawClient.open(broker.url);
    try {
      await c.openChannel(1);
      c.write(M.queueDeclare(1, q));
      await c.expectMethod(50, 11);
      c.write(M.basicPublish(1, '', q));
      c.write(frame(FRAME_HEADER, 1, Buffer.concat([short(60), short(0), longlong(0), short(0)])));
      c.write(M.basicGet(1, q));
      await c.expectMethod(60, 71);
      const header = await c.next();
      assert.ok(header.type === FRAME_HEADER);
      assert.equal(header.payload.readBigUInt64BE(4), 0n);
      // The next frame is the reply to the next method, not a body frame.
      c.write(M.basicGet(1, q));
      await c.expectMethod(60, 72); // get-empty
    } finally {
      await c.close();
    }
  });
});

// A field table holding every AMQP 0-9-1 / RabbitMQ field type.
function fv(tag: string, ...parts: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from(tag, 'latin1'), ...parts]);
}
function rawTable(entries: Array<[string, Buffer]>): Buffer {
  const body = Buffer.concat(entries.flatMap(([k, v]) => [shortstr(k), v]));
  return Buffer.concat([long(body.length), body]);
}
function i8(n: number): Buffer {
  const b = Buffer.alloc(1);
  b.writeInt8(n);
  return b;
}
function i16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}
function i32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}
function i64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
}
function f32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeFloatBE(n);
  return b;
}
function f64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(n);
  return b;
}

const nested = rawTable([['inner', fv('S', longstr('deep'))], ['n', fv('I', i32(-7))]]);
const arrayBody = Buffer.concat([fv('S', longstr('one')), fv('I', i32(2)), fv('t', octet(0)), fv('V')]);
const EVERY_TYPE_TABLE = rawTable([
  ['longstr', fv('S', longstr('hello ✓'))],
  ['bool-true', fv('t', octet(1))],
  ['bool-false', fv('t', octet(0))],
  ['int8', fv('b', i8(-5))],
  ['uint8', fv('B', octet(250))],
  ['int16', fv('s', i16(-300))],
  ['uint16', fv('u', short(65000))],
  ['int32', fv('I', i32(-70000))],
  ['uint32', fv('i', long(4000000000))],
  ['int64', fv('l', i64(-(2n ** 40n)))],
  ['float', fv('f', f32(1.5))],
  ['double', fv('d', f64(-2.25))],
  ['decimal', fv('D', octet(2), long(12345))],
  ['timestamp', fv('T', longlong(1700000000))],
  ['void', fv('V')],
  ['bytes', fv('x', longstr(Buffer.from([0, 1, 2, 255])))],
  ['array', fv('A', long(arrayBody.length), arrayBody)],
  ['table', fv('F', nested)],
]);

/** A content header with all 13 properties set (property flags 0xFFF8; cluster-id left out). */
function fullContentHeader(bodySize: number): Buffer {
  const flags = 0xfff8;
  const props = Buffer.concat([
    shortstr('application/octet-stream'), // content-type
    shortstr('identity'), // content-encoding
    EVERY_TYPE_TABLE, // headers
    octet(2), // delivery-mode
    octet(9), // priority
    shortstr('corr-id-✓'), // correlation-id
    shortstr('reply.queue.name'), // reply-to
    shortstr('3600000'), // expiration
    shortstr('message-id-1'), // message-id
    longlong(1700000001), // timestamp
    shortstr('type-x'), // type
    shortstr('guest'), // user-id
    shortstr('app-y'), // app-id
  ]);
  return Buffer.concat([short(60), short(0), longlong(bodySize), short(flags), props]);
}

describe('properties and headers', () => {
  test('every property and every header field type comes back byte-for-byte (basic.get and basic.deliver)', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const c = await RawClient.open(broker.url);
    try {
      await c.openChannel(1);
      c.write(M.queueDeclare(1, q));
      await c.expectMethod(50, 11);
      const body = Buffer.from('payload');
      const header = fullContentHeader(body.length);
      for (let i = 0; i < 2; i++) {
        c.write(M.basicPublish(1, '', q));
        c.write(frame(FRAME_HEADER, 1, header));
        c.write(frame(FRAME_BODY, 1, body));
      }
      // basic.get
      c.write(M.basicGet(1, q));
      await c.expectMethod(60, 71);
      const got = await c.next();
      assert.ok(got.type === FRAME_HEADER);
      assert.deepEqual(got.payload, header);
      const b = await c.next();
      assert.ok(b.type === FRAME_BODY);
      assert.deepEqual(b.payload, body);
      // basic.consume → basic.deliver
      c.write(M.basicConsume(1, q, 'ctag', { noAck: true }));
      await c.expectMethod(60, 21); // consume-ok
      await c.expectMethod(60, 60); // deliver
      const dh = await c.next();
      assert.ok(dh.type === FRAME_HEADER);
      assert.deepEqual(dh.payload, header);
    } finally {
      await c.close();
    }
  });

  test('amqplib sees the typed headers decoded to the same values', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q);
    const headers = {
      str: 'text',
      small: 5,
      medium: 3000,
      big: 2 ** 40,
      neg: -123456,
      dbl: 1.25,
      yes: true,
      no: false,
      nothing: null,
      list: [1, 'two', { three: 3 }],
      table: { nested: { deeper: 'x' } },
      bin: Buffer.from([1, 2, 3]),
      ts: { '!': 'timestamp', value: 1700000000 },
      dec: { '!': 'decimal', value: { places: 2, digits: 314 } },
    };
    ch.sendToQueue(q, Buffer.from('h'), { headers });
    const m = await get(ch, q, { noAck: true });
    assert.ok(m);
    const h = m.properties.headers!;
    assert.equal(h.str, 'text');
    assert.equal(h.small, 5);
    assert.equal(h.medium, 3000);
    assert.equal(h.big, 2 ** 40);
    assert.equal(h.neg, -123456);
    assert.equal(h.dbl, 1.25);
    assert.equal(h.yes, true);
    assert.equal(h.no, false);
    assert.equal(h.nothing, null);
    assert.deepEqual(h.list, [1, 'two', { three: 3 }]);
    assert.deepEqual(h.table, { nested: { deeper: 'x' } });
    assert.deepEqual(h.bin, Buffer.from([1, 2, 3]));
    assert.deepEqual(h.ts, { '!': 'timestamp', value: 1700000000 });
    assert.deepEqual(h.dec, { '!': 'decimal', value: { places: 2, digits: 314 } });
  });

  test('reply_to and correlation_id are delivered untouched', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q);
    ch.sendToQueue(q, Buffer.from('rpc'), { replyTo: 'amq.gen-not-a-real-queue', correlationId: 'abc-123' });
    const { inbox } = await consume(ch, q, { noAck: true });
    const m = await inbox.next();
    assert.ok(m);
    assert.equal(m.properties.replyTo, 'amq.gen-not-a-real-queue');
    assert.equal(m.properties.correlationId, 'abc-123');
  });

  test('a message without properties has none added', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q);
    ch.sendToQueue(q, Buffer.from('bare'));
    const m = await within(ch.get(q, { noAck: true }), 3000, 'get');
    assert.ok(m);
    for (const [k, v] of Object.entries(m.properties)) {
      // amqplib always sends an empty headers table; everything else stays unset.
      if (k === 'headers') assert.deepEqual(v, {});
      else assert.equal(v, undefined, `property ${k} should be absent`);
    }
  });
});
