// Consumer priorities (x-priority on basic.consume) and single active consumer
// (x-single-active-consumer), on classic and quorum queues, as RabbitMQ 3.10.8 serves
// them: the highest-priority consumer that has room gets each message, equals take
// turns, one active consumer at a time with failover. Run against RabbitMQ 3.10.8 first;
// where Warren follows RabbitMQ 4 instead (or does better) the test says so.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { startBroker, type TestBroker } from './support/broker.js';
import {
  bodies,
  channel,
  connect,
  consume,
  delay,
  expectChannelClosed,
  expectConnectionClosed,
  Inbox,
  names,
  sendAll,
  sync,
} from './support/amqp.js';

const EXTERNAL = process.env.WARREN_TEST_URL !== undefined;

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.close();
});

const TYPES = [
  { type: 'classic', args: {}, durable: false },
  { type: 'quorum', args: { 'x-queue-type': 'quorum' }, durable: true },
] as const;

/** A consumer on its own channel with prefetch 1 (unless given), feeding a shared log of "tag:body". */
async function tagged(conn: ChannelModel, queue: string, tag: string, log: Inbox<string>, options: { priority?: number; prefetch?: number } = {}) {
  const ch = await channel(conn);
  if (options.prefetch !== 0) await ch.prefetch(options.prefetch ?? 1);
  const held: ConsumeMessage[] = [];
  await ch.consume(
    queue,
    (m) => {
      if (!m) return;
      held.push(m);
      log.push(`${tag}:${m.content.toString()}`);
    },
    { consumerTag: tag, arguments: options.priority === undefined ? {} : { 'x-priority': options.priority } },
  );
  return { ch, held, ackOldest: () => ch.ack(held.shift()!) };
}

for (const { type, args, durable } of TYPES) {
  describe(`consumer priorities, ${type} queue`, () => {
    test('the highest priority with room gets each message; lower ones only while it is full', async (t) => {
      const q = names(t, broker.url).queue();
      const conn = await connect(broker.url, t);
      const ch = await channel(conn);
      await ch.assertQueue(q, { durable, arguments: args });
      const log = new Inbox<string>();
      const low = await tagged(conn, q, 'L', log, { priority: 1 });
      const high = await tagged(conn, q, 'H', log, { priority: 10 });
      sendAll(ch, q, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
      assert.deepEqual((await log.take(2)).sort(), ['H:m1', 'L:m2']);
      await log.expectNothing();
      assert.equal((await ch.checkQueue(q)).messageCount, 4);
      low.ackOldest();
      assert.deepEqual(await log.take(1), ['L:m3'], 'H is still full');
      high.ackOldest();
      assert.deepEqual(await log.take(1), ['H:m4']);
    });

    test('without prefetch the highest priority takes everything', async (t) => {
      const q = names(t, broker.url).queue();
      const conn = await connect(broker.url, t);
      const ch = await channel(conn);
      await ch.assertQueue(q, { durable, arguments: args });
      const log = new Inbox<string>();
      await tagged(conn, q, 'L', log, { priority: 1, prefetch: 0 });
      await tagged(conn, q, 'H', log, { priority: 10, prefetch: 0 });
      sendAll(ch, q, ['m1', 'm2', 'm3', 'm4']);
      assert.deepEqual(await log.take(4), ['H:m1', 'H:m2', 'H:m3', 'H:m4']);
    });

    test('equal priorities take turns; a consumer joining goes to the back of the line', async (t) => {
      const q = names(t, broker.url).queue();
      const conn = await connect(broker.url, t);
      const ch = await channel(conn);
      await ch.assertQueue(q, { durable, arguments: args });
      const log = new Inbox<string>();
      const all = await channel(conn);
      const onto = (tag: string) => all.consume(q, (m) => m && log.push(`${tag}:${m.content.toString()}`), { noAck: true, consumerTag: tag });
      await onto('c1');
      await onto('c2');
      sendAll(ch, q, ['m1', 'm2', 'm3']);
      assert.deepEqual(await log.take(3), ['c1:m1', 'c2:m2', 'c1:m3']);
      await onto('c3');
      sendAll(ch, q, ['m4', 'm5', 'm6', 'm7', 'm8', 'm9']);
      assert.deepEqual(await log.take(6), ['c2:m4', 'c1:m5', 'c3:m6', 'c2:m7', 'c1:m8', 'c3:m9']);
    });

    test('negative priorities rank below the default 0', async (t) => {
      const q = names(t, broker.url).queue();
      const conn = await connect(broker.url, t);
      const ch = await channel(conn);
      await ch.assertQueue(q, { durable, arguments: args });
      const log = new Inbox<string>();
      await tagged(conn, q, 'minus10', log, { priority: -10 });
      await tagged(conn, q, 'none', log);
      await tagged(conn, q, 'minus1', log, { priority: -1 });
      sendAll(ch, q, ['p1', 'p2', 'p3', 'p4']);
      assert.deepEqual((await log.take(3)).sort(), ['minus10:p3', 'minus1:p2', 'none:p1']);
    });

    test('x-priority must be an integer: 406 on basic.consume', async (t) => {
      const q = names(t, broker.url).queue();
      const conn = await connect(broker.url, t);
      for (const [value, kind] of [['5', 'longstr'], [true, 'bool'], [2.5, 'double']] as const) {
        const ch = await channel(conn);
        await ch.assertQueue(q, { durable, arguments: args });
        const text = `PRECONDITION_FAILED - invalid arg 'x-priority' for queue '${q}' in vhost '/': "expected integer, got ${kind}"`;
        const close = await expectChannelClosed(ch, 406, text, () => ch.consume(q, () => {}, { arguments: { 'x-priority': value } }));
        assert.equal(close.text, text);
        assert.deepEqual([close.classId, close.methodId], [60, 20]);
      }
    });
  });

  describe(`single active consumer, ${type} queue`, () => {
    const sacArgs = { ...args, 'x-single-active-consumer': true };

    test("only the first consumer receives; when its channel closes, the next one gets its unacked messages first, redelivered, then the rest", async (t) => {
      const q = names(t, broker.url).queue();
      const conn = await connect(broker.url, t);
      const ch = await channel(conn);
      await ch.assertQueue(q, { durable, arguments: sacArgs });
      const log = new Inbox<string>();
      const redelivered: boolean[] = [];
      const c1 = await tagged(conn, q, 'c1', log, { prefetch: 2 });
      const c2ch = await channel(conn);
      await c2ch.prefetch(2);
      await c2ch.consume(q, (m) => {
        if (!m) return;
        log.push(`c2:${m.content.toString()}`);
        redelivered.push(m.fields.redelivered);
      }, { consumerTag: 'c2' });
      sendAll(ch, q, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
      assert.deepEqual(await log.take(2), ['c1:m1', 'c1:m2']);
      await log.expectNothing();
      await c1.ch.close();
      assert.deepEqual(await log.take(2), ['c2:m1', 'c2:m2']);
      assert.deepEqual(redelivered, [true, true]);
    });

    test('the consumer JSON says who is active and who waits', { skip: !process.env.WARREN_TEST_HTTP_URL && EXTERNAL && 'needs the management API' }, async (t) => {
      if (EXTERNAL) return;
      const { Broker } = await import('../src/index.js');
      const warren = await Broker.start({ port: 0, httpPort: 0 });
      t.after(() => warren.close());
      const q = `sac.view.${type}`;
      const conn = await connect(warren.url);
      const ch = await channel(conn);
      await ch.assertQueue(q, { durable, arguments: sacArgs });
      await ch.consume(q, () => {}, { consumerTag: 'active-one' });
      await ch.consume(q, () => {}, { consumerTag: 'waiting-one' });
      const auth = { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` };
      const view = await (await fetch(`${warren.httpUrl}/api/queues/%2F/${encodeURIComponent(q)}`, { headers: auth })).json();
      const tagKey = type === 'quorum' ? 'single_active_consumer_ctag' : 'single_active_consumer_tag';
      assert.equal(view[tagKey], 'active-one');
      const states = Object.fromEntries(
        (view.consumer_details as { consumer_tag: string; active: boolean; activity_status: string }[]).map((c) => [c.consumer_tag, [c.active, c.activity_status]]),
      );
      assert.deepEqual(states, { 'active-one': [true, 'single_active'], 'waiting-one': [false, 'waiting'] });
    });

    test('basic.cancel of the active consumer hands over to the next one at once', async (t) => {
      const q = names(t, broker.url).queue();
      const conn = await connect(broker.url, t);
      const ch = await channel(conn);
      await ch.assertQueue(q, { durable, arguments: sacArgs });
      const log = new Inbox<string>();
      const c1 = await tagged(conn, q, 'c1', log, { prefetch: 2 });
      await tagged(conn, q, 'c2', log, { prefetch: 2 });
      sendAll(ch, q, ['m1', 'm2', 'm3', 'm4', 'm5']);
      assert.deepEqual(await log.take(2), ['c1:m1', 'c1:m2']);
      await c1.ch.cancel('c1');
      if (EXTERNAL && type === 'classic') return; // RabbitMQ 3.10 stalls here until another event (fixed in 4.0)
      assert.deepEqual(await log.take(2), ['c2:m3', 'c2:m4']);
      // c1 may still settle what it holds.
      c1.ackOldest();
      c1.ackOldest();
      await sync(c1.ch);
    });

    test('the next active consumer is the one with the highest priority, the earliest of those', { skip: EXTERNAL && type === 'quorum' && 'RabbitMQ 3.10 quorum queues ignore priorities here (4.0 does not)' }, async (t) => {
      const q = names(t, broker.url).queue();
      const conn = await connect(broker.url, t);
      const ch = await channel(conn);
      await ch.assertQueue(q, { durable, arguments: sacArgs });
      const log = new Inbox<string>();
      const consumers = new Map<string, Channel>();
      for (const [tag, priority] of [['act', 0], ['w1', 0], ['w2', 5], ['w3', undefined], ['w4', 5]] as const) {
        const own = await channel(conn);
        await own.consume(q, (m) => m && log.push(`${tag}:${m.content.toString()}`), {
          noAck: true,
          consumerTag: tag,
          arguments: priority === undefined ? {} : { 'x-priority': priority },
        });
        consumers.set(tag, own);
      }
      const order: string[] = [];
      for (let i = 0; i < 5; i++) {
        ch.sendToQueue(q, Buffer.from(`m${i}`));
        const [entry] = await log.take(1);
        const tag = entry.split(':')[0];
        order.push(tag);
        await consumers.get(tag)!.close();
        await delay(20);
      }
      assert.deepEqual(order, ['act', 'w2', 'w4', 'w1', 'w3']);
    });

    test('an exclusive consumer is refused on a single-active-consumer queue, even an empty one', { skip: EXTERNAL && type === 'quorum' && 'RabbitMQ ignores exclusive on quorum queues' }, async (t) => {
      const q = names(t, broker.url).queue();
      const conn = await connect(broker.url, t);
      const ch = await channel(conn);
      await ch.assertQueue(q, { durable, arguments: sacArgs });
      const text = `ACCESS_REFUSED - queue '${q}' in vhost '/' in exclusive use`;
      const close = await expectChannelClosed(ch, 403, text, () => ch.consume(q, () => {}, { exclusive: true }));
      assert.equal(close.text, text);
    });

    test('x-single-active-consumer must be a boolean, and false is not the same as leaving it out', async (t) => {
      const q = names(t, broker.url).queue();
      const conn = await connect(broker.url, t);
      let ch = await channel(conn);
      await expectChannelClosed(
        ch,
        406,
        `PRECONDITION_FAILED - invalid arg 'x-single-active-consumer' for queue '${q}' in vhost '/': {unacceptable_type,longstr}`,
        () => ch.assertQueue(q, { durable, arguments: { ...args, 'x-single-active-consumer': 'true' } }),
      );
      ch = await channel(conn);
      await ch.assertQueue(q, { durable, arguments: sacArgs });
      await expectChannelClosed(
        ch,
        406,
        `PRECONDITION_FAILED - inequivalent arg 'x-single-active-consumer' for queue '${q}' in vhost '/': received 'false' but current is 'true'`,
        () => ch.assertQueue(q, { durable, arguments: { ...args, 'x-single-active-consumer': false } }),
      );
    });
  });
}

describe('quorum queues refuse what they cannot do', () => {
  test('basic.qos(global) then basic.consume: connection closed with 540', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await ch.prefetch(10, true);
    const text = `NOT_IMPLEMENTED - queue '${q}' in vhost '/' does not support global qos`;
    const close = await expectConnectionClosed(conn, 540, text, () => ch.consume(q, () => {}));
    assert.equal(close.text, text);
  });

  test('a global prefetch of 0 is no limit: the consume works; basic.get is never checked', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await ch.prefetch(0, true);
    const { inbox } = await consume(ch, q, { noAck: true });
    await ch.prefetch(10, true);
    ch.sendToQueue(q, Buffer.from('x'));
    assert.deepEqual(bodies(await inbox.take(1)), ['x']);
    assert.equal(await ch.get(q), false);
  });

  test('basic.get on a quorum queue with a single active consumer: 405', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-single-active-consumer': true } });
    const text = `RESOURCE_LOCKED - cannot obtain access to locked queue '${q}' in vhost '/'. basic.get operations are not supported by quorum queues with single active consumer`;
    const close = await expectChannelClosed(ch, 405, text, () => ch.get(q));
    assert.equal(close.text, text);
    assert.deepEqual([close.classId, close.methodId], [60, 70]);
  });
});
