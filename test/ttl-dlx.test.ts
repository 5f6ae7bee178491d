// Message TTL (queue x-message-ttl and per-message expiration), dead
// lettering (x-dead-letter-exchange / -routing-key) with the x-death and
// x-first-death-* headers RabbitMQ 3.10 writes, and argument validation.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Channel, ChannelModel } from 'amqplib';
import { startBroker, type TestBroker } from './support/broker.js';
import {
  bodies,
  channel,
  connect,
  consume,
  delay,
  drain,
  expectChannelClosed,
  get,
  names,
  returns,
  sync,
  waitForReady,
} from './support/amqp.js';

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.close();
});

/** Waits (bounded) until a dead-letter queue holds `n` messages, then drains it. */
async function deadLetters(conn: ChannelModel, ch: Channel, q: string, n: number) {
  await waitForReady(conn, q, n);
  return drain(ch, q);
}

type XDeath = {
  count: number;
  reason: string;
  queue: string;
  time: { '!': string; value: number };
  exchange: string;
  'routing-keys': string[];
  'original-expiration'?: string;
};

function xDeath(m: import('amqplib').Message): XDeath[] {
  return m.properties.headers?.['x-death'] as XDeath[];
}

describe('queue TTL (x-message-ttl)', () => {
  test('messages waiting in the queue expire; basic.get after the TTL → get-empty', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { arguments: { 'x-message-ttl': 100 } });
    for (const b of ['1', '2', '3']) ch.sendToQueue(q, Buffer.from(b));
    await sync(ch);
    // Bounded wait until they are gone (RabbitMQ drops them ~100 ms later).
    await waitForReady(conn, q, 0);
    assert.equal(await get(ch, q), false);
  });

  test('messages consumed before the TTL are delivered normally', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q, { arguments: { 'x-message-ttl': 60000 } });
    ch.sendToQueue(q, Buffer.from('fresh'));
    const { inbox } = await consume(ch, q, { noAck: true });
    const m = await inbox.next();
    assert.equal(m!.content.toString(), 'fresh');
    // The queue TTL does not add an expiration property.
    assert.equal(m!.properties.expiration, undefined);
  });

  test('x-message-ttl 0: delivered to a waiting consumer, dropped when nobody is consuming', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q, { arguments: { 'x-message-ttl': 0 } });
    ch.sendToQueue(q, Buffer.from('nobody home'));
    await sync(ch);
    assert.equal(await get(ch, q), false);
    const { inbox } = await consume(ch, q, { noAck: true });
    ch.sendToQueue(q, Buffer.from('someone home'));
    assert.deepEqual(bodies(await inbox.take(1)), ['someone home']);
  });
});

describe('per-message TTL (expiration)', () => {
  test('a message with expiration "100" expires while waiting', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    ch.sendToQueue(q, Buffer.from('short-lived'), { expiration: '100' });
    ch.sendToQueue(q, Buffer.from('long-lived'), { expiration: '60000' });
    await sync(ch);
    // Let the first message's 100 ms pass (time must elapse; there is no event to await).
    await delay(200);
    const m = await get(ch, q, { noAck: true });
    assert.ok(m);
    assert.equal(m.content.toString(), 'long-lived');
    // The expiration property is delivered unchanged.
    assert.equal(m.properties.expiration, '60000');
    assert.equal(await get(ch, q), false);
  });

  test('expiration "0" without a consumer → dropped at once', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q);
    ch.sendToQueue(q, Buffer.from('gone'), { expiration: '0' });
    await sync(ch);
    assert.equal(await get(ch, q), false);
  });

  test('the shorter of queue TTL and message expiration applies', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q, { arguments: { 'x-message-ttl': 100 } });
    ch.sendToQueue(q, Buffer.from('message says 60 s, queue says 100 ms'), { expiration: '60000' });
    await sync(ch);
    await delay(250); // let 100 ms pass
    assert.equal(await get(ch, q), false);
  });

  test('an expired message behind an unexpired one is never delivered', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q);
    ch.sendToQueue(q, Buffer.from('A'));
    ch.sendToQueue(q, Buffer.from('B'), { expiration: '50' });
    await sync(ch);
    await delay(150); // let B's 50 ms pass
    const a = await get(ch, q, { noAck: true });
    assert.ok(a);
    assert.equal(a.content.toString(), 'A');
    assert.equal(await get(ch, q), false);
  });

  for (const [value, detail] of [
    ['abc', 'no_integer'],
    ['-1', '{value_negative,-1}'],
    ['1.5', '{leftover_string,".5"}'],
    ['', 'no_integer'],
  ] as const) {
    test(`an invalid expiration ${JSON.stringify(value)} → channel closed 406`, async (t) => {
      const n = names(t, broker.url);
      const q = n.queue();
      const ch = await channel(await connect(broker.url, t));
      await ch.assertQueue(q);
      await expectChannelClosed(ch, 406, `PRECONDITION_FAILED - invalid expiration '${value}': ${detail}`, () =>
        ch.sendToQueue(q, Buffer.from('x'), { expiration: value }));
    });
  }
});

describe('dead lettering', () => {
  async function setupDlx(t: Parameters<typeof names>[0], srcArgs: Record<string, unknown> = {}) {
    const n = names(t, broker.url);
    const [dlx, dlq, src] = [n.exchange('dlx'), n.queue('dlq'), n.queue('src')];
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertExchange(dlx, 'fanout');
    await ch.assertQueue(dlq);
    await ch.bindQueue(dlq, dlx, '');
    await ch.assertQueue(src, { arguments: { 'x-dead-letter-exchange': dlx, ...srcArgs } });
    return { n, conn, ch, dlx, dlq, src };
  }

  test('rejected (requeue=false) → dead-lettered with x-death and x-first-death-* headers', async (t) => {
    const { n, conn, ch, dlx, dlq, src } = await setupDlx(t);
    const cc = n.queue('cc'); // no such queue: the CC key routes nowhere, but is recorded
    ch.sendToQueue(src, Buffer.from('reject me'), { headers: { mine: 'kept' }, messageId: 'm-1', CC: [cc] });
    await sync(ch);
    const before = Math.floor(Date.now() / 1000);
    const m = await get(ch, src);
    assert.ok(m);
    ch.reject(m, false);
    const [dead] = await deadLetters(conn, ch, dlq, 1);
    assert.equal(dead.content.toString(), 'reject me');
    assert.equal(dead.properties.messageId, 'm-1');
    assert.equal(dead.fields.exchange, dlx);
    assert.equal(dead.fields.routingKey, src); // original key kept (no x-dead-letter-routing-key)
    assert.equal(dead.fields.redelivered, false);
    const h = dead.properties.headers!;
    assert.equal(h.mine, 'kept');
    assert.deepEqual(h.CC, [cc]); // without x-dead-letter-routing-key the CC header is kept
    assert.equal(h['x-first-death-reason'], 'rejected');
    assert.equal(h['x-first-death-queue'], src);
    assert.equal(h['x-first-death-exchange'], '');
    const deaths = xDeath(dead);
    assert.equal(deaths.length, 1);
    const d = deaths[0];
    // Exactly these fields: count (long), reason, queue, time (timestamp, seconds), exchange, routing-keys (array).
    assert.deepEqual(Object.keys(d).sort(), ['count', 'exchange', 'queue', 'reason', 'routing-keys', 'time']);
    assert.equal(d.count, 1);
    assert.equal(d.reason, 'rejected');
    assert.equal(d.queue, src);
    assert.equal(d.exchange, '');
    assert.deepEqual(d['routing-keys'], [src, cc]);
    assert.equal(d.time['!'], 'timestamp');
    assert.ok(Math.abs(d.time.value - before) <= 5, `x-death time ${d.time.value} is in seconds, near ${before}`);
  });

  test('nacked (requeue=false) → reason "rejected" too', async (t) => {
    const { conn, ch, dlq, src } = await setupDlx(t);
    ch.sendToQueue(src, Buffer.from('nack me'));
    const { inbox } = await consume(ch, src);
    ch.nack((await inbox.next())!, false, false);
    const [dead] = await deadLetters(conn, ch, dlq, 1);
    assert.equal(xDeath(dead)[0].reason, 'rejected');
    assert.equal(dead.properties.headers!['x-first-death-reason'], 'rejected');
  });

  test('expired by queue TTL → reason "expired", no original-expiration', async (t) => {
    const { conn, ch, dlq, src } = await setupDlx(t, { 'x-message-ttl': 50 });
    ch.sendToQueue(src, Buffer.from('too slow'));
    const [dead] = await deadLetters(conn, ch, dlq, 1);
    const d = xDeath(dead)[0];
    assert.equal(d.reason, 'expired');
    assert.equal(d.queue, src);
    assert.equal(d['original-expiration'], undefined);
    assert.equal(dead.properties.headers!['x-first-death-reason'], 'expired');
  });

  test('expired by per-message expiration → x-death has original-expiration and the property is removed', async (t) => {
    const { conn, ch, dlq, src } = await setupDlx(t);
    ch.sendToQueue(src, Buffer.from('short'), { expiration: '50' });
    const [dead] = await deadLetters(conn, ch, dlq, 1);
    const d = xDeath(dead)[0];
    assert.equal(d.reason, 'expired');
    assert.equal(d['original-expiration'], '50');
    assert.equal(dead.properties.expiration, undefined);
  });

  test('x-dead-letter-routing-key replaces the routing key and drops CC; x-death keeps the original keys (CC included)', async (t) => {
    const n = names(t, broker.url);
    const [dlx, dlq, src] = [n.exchange('dlx'), n.queue('dlq'), n.queue('src')];
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertExchange(dlx, 'direct');
    await ch.assertQueue(dlq);
    await ch.bindQueue(dlq, dlx, 'dead-key');
    await ch.assertQueue(src, { arguments: { 'x-dead-letter-exchange': dlx, 'x-dead-letter-routing-key': 'dead-key' } });
    await ch.bindQueue(src, 'amq.direct', 'orig-key');
    await ch.bindQueue(src, 'amq.direct', 'cc-key');
    ch.publish('amq.direct', 'orig-key', Buffer.from('x'), { CC: ['cc-key'] });
    await sync(ch);
    const m = await get(ch, src);
    assert.ok(m);
    ch.reject(m, false);
    const [dead] = await deadLetters(conn, ch, dlq, 1);
    assert.equal(dead.fields.routingKey, 'dead-key');
    assert.equal(dead.fields.exchange, dlx);
    const d = xDeath(dead)[0];
    assert.equal(d.exchange, 'amq.direct');
    assert.deepEqual(d['routing-keys'], ['orig-key', 'cc-key']);
    // With x-dead-letter-routing-key set, RabbitMQ strips the CC header.
    assert.equal(dead.properties.headers!.CC, undefined);
    await ch.unbindQueue(src, 'amq.direct', 'orig-key');
    await ch.unbindQueue(src, 'amq.direct', 'cc-key');
  });

  test('dead-lettering again from the same queue for the same reason increments count; x-first-death-* stay', async (t) => {
    // qa and qb dead-letter into each other through the default exchange.
    const n = names(t, broker.url);
    const [qa, qb] = [n.queue('a'), n.queue('b')];
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(qa, { arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': qb } });
    await ch.assertQueue(qb, { arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': qa } });
    ch.sendToQueue(qa, Buffer.from('ping-pong'));
    await waitForReady(conn, qa, 1);

    const rejectFrom = async (q: string, other: string) => {
      const m = await get(ch, q);
      assert.ok(m);
      ch.reject(m, false);
      await waitForReady(conn, other, 1);
    };
    await rejectFrom(qa, qb); // a → b
    await rejectFrom(qb, qa); // b → a
    await rejectFrom(qa, qb); // a → b again
    const m = await get(ch, qb, { noAck: true });
    assert.ok(m);
    const deaths = xDeath(m).map((d) => ({ queue: d.queue, reason: d.reason, count: d.count, keys: d['routing-keys'] }));
    // Most recent first; the entry for (qa, rejected) was updated and moved to the front.
    assert.deepEqual(deaths, [
      { queue: qa, reason: 'rejected', count: 2, keys: [qa] },
      { queue: qb, reason: 'rejected', count: 1, keys: [qb] },
    ]);
    const h = m.properties.headers!;
    assert.equal(h['x-first-death-queue'], qa);
    assert.equal(h['x-first-death-reason'], 'rejected');
    assert.equal(h['x-first-death-exchange'], '');
  });

  test('reject with requeue=true does not dead-letter', async (t) => {
    const { ch, dlq, src } = await setupDlx(t);
    ch.sendToQueue(src, Buffer.from('stay'));
    await sync(ch);
    const m = await get(ch, src);
    assert.ok(m);
    ch.reject(m, true);
    await sync(ch);
    assert.equal((await ch.checkQueue(dlq)).messageCount, 0);
    assert.equal((await ch.checkQueue(src)).messageCount, 1);
  });
});

describe('invalid queue arguments → 406 PRECONDITION_FAILED', () => {
  const cases: Array<[string, Record<string, unknown>, (q: string) => string]> = [
    ['x-message-ttl = -1', { 'x-message-ttl': -1 }, (q) => `invalid arg 'x-message-ttl' for queue '${q}' in vhost '/': {value_negative,-1}`],
    ['x-message-ttl as a string', { 'x-message-ttl': '1000' }, (q) => `invalid arg 'x-message-ttl' for queue '${q}' in vhost '/': "expected integer, got longstr"`],
    ['x-message-ttl as a double', { 'x-message-ttl': 1.5 }, (q) => `invalid arg 'x-message-ttl' for queue '${q}' in vhost '/': "expected integer, got double"`],
    ['x-message-ttl too large', { 'x-message-ttl': { '!': 'long', value: 2 ** 40 } }, (q) => `invalid arg 'x-message-ttl' for queue '${q}' in vhost '/': {value_too_large,1099511627776}`],
    ['x-expires = 0', { 'x-expires': 0 }, (q) => `invalid arg 'x-expires' for queue '${q}' in vhost '/': {value_zero,0}`],
    ['x-expires = -1', { 'x-expires': -1 }, (q) => `invalid arg 'x-expires' for queue '${q}' in vhost '/': {value_negative,-1}`],
    ['x-max-length = -1', { 'x-max-length': -1 }, (q) => `invalid arg 'x-max-length' for queue '${q}' in vhost '/': {value_negative,-1}`],
    ['x-dead-letter-routing-key without x-dead-letter-exchange', { 'x-dead-letter-routing-key': 'k' }, (q) => `invalid arg 'x-dead-letter-routing-key' for queue '${q}' in vhost '/': routing_key_but_no_dlx_defined`],
    ['x-dead-letter-exchange that is not a string', { 'x-dead-letter-exchange': 5 }, (q) => `invalid type 'byte' for arg 'x-dead-letter-exchange' in queue '${q}' in vhost '/'`],
  ];
  for (const [label, args, text] of cases) {
    test(label, async (t) => {
      const n = names(t, broker.url);
      const q = n.queue();
      const conn = await connect(broker.url, t);
      const ch = await channel(conn);
      const info = await expectChannelClosed(ch, 406, `PRECONDITION_FAILED - ${text(q)}`, () => ch.assertQueue(q, { arguments: args }));
      assert.deepEqual([info.classId, info.methodId], [50, 10]);
      // Nothing was created.
      const ch2 = await channel(conn);
      await expectChannelClosed(ch2, 404, 'NOT_FOUND - ', () => ch2.checkQueue(q));
    });
  }

  test('x-message-ttl = 0 is valid', async (t) => {
    const n = names(t, broker.url);
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(n.queue(), { arguments: { 'x-message-ttl': 0 } });
  });
});

describe('queue expiry (x-expires)', () => {
  test('an unused queue is deleted after x-expires', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { arguments: { 'x-expires': 200 } });
    // A passive declare counts as "use" and would reset the timer, so probe
    // with mandatory publishes (which do not): the first basic.return says
    // the queue is gone. Bounded to 3 s.
    const returned = returns(ch);
    const deadline = Date.now() + 3000;
    while (returned.size === 0) {
      assert.ok(Date.now() < deadline, 'queue with x-expires 200 still exists after 3 s');
      ch.sendToQueue(q, Buffer.from('probe'), { mandatory: true, expiration: '0' });
      await delay(50);
    }
    const ch2 = await channel(conn);
    await expectChannelClosed(ch2, 404, `NOT_FOUND - no queue '${q}' in vhost '/'`, () => ch2.checkQueue(q));
  });

  test('a passive declare counts as use and postpones x-expires', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { arguments: { 'x-expires': 300 } });
    for (let i = 0; i < 6; i++) {
      await delay(100);
      await ch.checkQueue(q); // 600 ms in all, never 300 ms idle
    }
  });
});
