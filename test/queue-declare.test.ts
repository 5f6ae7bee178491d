// queue.declare: passive, counts, server-named queues, reserved names,
// property and argument equivalence, exclusive ownership, auto-delete.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type TestBroker } from './support/broker.js';
import {
  channel,
  closeQuietly,
  connect,
  consume,
  expectChannelClosed,
  names,
  waitForReady,
  within,
} from './support/amqp.js';

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.close();
});

const lockedText = (q: string) =>
  `RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${q}' in vhost '/'. ` +
  'It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.';

describe('passive declare', () => {
  test('of a missing queue → 404 NOT_FOUND', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    const info = await expectChannelClosed(ch, 404, `NOT_FOUND - no queue '${q}' in vhost '/'`, () => ch.checkQueue(q));
    assert.deepEqual([info.classId, info.methodId], [50, 10]);
  });

  test('reports ready messages (not unacked ones) and consumers', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    const declared = await ch.assertQueue(q);
    assert.deepEqual(declared, { queue: q, messageCount: 0, consumerCount: 0 });
    for (let i = 0; i < 5; i++) ch.sendToQueue(q, Buffer.from(`m${i}`));
    await waitForReady(conn, q, 5);
    assert.deepEqual(await ch.checkQueue(q), { queue: q, messageCount: 5, consumerCount: 0 });

    // Take two without acking: they are unacked, no longer "ready".
    const taker = await channel(conn);
    assert.ok(await taker.get(q));
    assert.ok(await taker.get(q));
    assert.deepEqual(await ch.checkQueue(q), { queue: q, messageCount: 3, consumerCount: 0 });

    // A consumer (prefetch 1 so it holds one more message) is counted.
    const consumerCh = await channel(conn);
    await consumerCh.prefetch(1);
    const { inbox } = await consume(consumerCh, q);
    await inbox.take(1);
    const r = await ch.checkQueue(q);
    assert.deepEqual(r, { queue: q, messageCount: 2, consumerCount: 1 });
    // A non-passive redeclare reports the same counts.
    assert.deepEqual(await ch.assertQueue(q), { queue: q, messageCount: 2, consumerCount: 1 });
  });
});

describe('server-named queues', () => {
  test('declaring "" gives unique amq.gen-… names', async (t) => {
    const n = names(t, broker.url);
    const ch = await channel(await connect(broker.url, t));
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const { queue, messageCount, consumerCount } = await ch.assertQueue('', { exclusive: true });
      n.adoptQueue(queue);
      assert.match(queue, /^amq\.gen-[A-Za-z0-9_-]{22}$/);
      assert.equal(messageCount, 0);
      assert.equal(consumerCount, 0);
      seen.add(queue);
    }
    assert.equal(seen.size, 5);
  });

  test('a server-named queue is reachable by its name and passively declarable', async (t) => {
    const n = names(t, broker.url);
    const ch = await channel(await connect(broker.url, t));
    const { queue } = await ch.assertQueue('', { exclusive: false, autoDelete: false, durable: false });
    n.adoptQueue(queue);
    await ch.checkQueue(queue);
    ch.sendToQueue(queue, Buffer.from('hi'));
    const { inbox } = await consume(ch, queue, { noAck: true });
    assert.equal((await inbox.next())!.content.toString(), 'hi');
  });
});

describe('reserved names', () => {
  test('declaring amq.* → 403 ACCESS_REFUSED', async (t) => {
    const ch = await channel(await connect(broker.url, t));
    await expectChannelClosed(ch, 403, "ACCESS_REFUSED - queue name 'amq.warren-test' contains reserved prefix 'amq.*'", () =>
      ch.assertQueue('amq.warren-test'));
  });

  test('passive declare of a missing amq.* queue → 404, not 403', async (t) => {
    const ch = await channel(await connect(broker.url, t));
    await expectChannelClosed(ch, 404, "NOT_FOUND - no queue 'amq.warren-test-missing' in vhost '/'", () =>
      ch.checkQueue('amq.warren-test-missing'));
  });
});

describe('equivalence on redeclare', () => {
  test('same flags and arguments → ok, idempotent', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    const opts = { durable: true, autoDelete: false, arguments: { 'x-message-ttl': 60000, 'x-max-length': 10 } };
    await ch.assertQueue(q, opts);
    await ch.assertQueue(q, opts);
    await ch.assertQueue(q, opts);
  });

  test('different x-message-ttl → 406 PRECONDITION_FAILED', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { arguments: { 'x-message-ttl': 1000 } });
    await expectChannelClosed(
      ch,
      406,
      `PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue '${q}' in vhost '/': ` +
        "received '2000' but current is '1000'",
      () => ch.assertQueue(q, { arguments: { 'x-message-ttl': 2000 } }),
    );
  });

  test('omitting an argument the queue was declared with → 406', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q, { arguments: { 'x-message-ttl': 1000 } });
    await expectChannelClosed(
      ch,
      406,
      `PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue '${q}' in vhost '/': ` +
        // amqplib encodes 1000 as a 16-bit signed int: RabbitMQ names the type 'short'.
        "received none but current is the value '1000' of type 'short'",
      () => ch.assertQueue(q),
    );
  });

  test('adding an argument the queue was declared without → 406', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q);
    await expectChannelClosed(
      ch,
      406,
      `PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue '${q}' in vhost '/': ` +
        "received the value '1000' of type 'short' but current is none",
      () => ch.assertQueue(q, { arguments: { 'x-message-ttl': 1000 } }),
    );
  });

  test('the same value with a different integer width is equivalent (long 1000 = short 1000)', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q, { arguments: { 'x-message-ttl': { '!': 'long', value: 1000 } } });
    await ch.assertQueue(q, { arguments: { 'x-message-ttl': 1000 } });
    await ch.assertQueue(q, { arguments: { 'x-message-ttl': { '!': 'int', value: 1000 } } });
  });

  test('an unknown x-argument is not checked for equivalence', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q, { arguments: { 'x-warren-unknown': 'a' } });
    await ch.assertQueue(q, { arguments: { 'x-warren-unknown': 'b' } });
    await ch.assertQueue(q);
  });

  test('passive declare ignores flags and arguments', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q, { durable: true, arguments: { 'x-message-ttl': 1000 } });
    await ch.checkQueue(q);
  });

  for (const [flag, first, second] of [
    ['durable', { durable: false }, { durable: true }],
    ['durable', { durable: true }, { durable: false }],
    ['auto_delete', { autoDelete: false }, { autoDelete: true }],
  ] as const) {
    test(`different ${flag} (${JSON.stringify(first)} then ${JSON.stringify(second)}) → 406 PRECONDITION_FAILED`, async (t) => {
      const n = names(t, broker.url);
      const q = n.queue();
      const ch = await channel(await connect(broker.url, t));
      await ch.assertQueue(q, { durable: false, autoDelete: false, ...first });
      const received = Object.values(second)[0];
      const current = Object.values(first)[0];
      await expectChannelClosed(
        ch,
        406,
        `PRECONDITION_FAILED - inequivalent arg '${flag}' for queue '${q}' in vhost '/': received '${received}' but current is '${current}'`,
        () => ch.assertQueue(q, { durable: false, autoDelete: false, ...second }),
      );
    });
  }

  test('different exclusive from the owning connection → 405 RESOURCE_LOCKED (exclusive=true then false)', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { exclusive: true });
    await expectChannelClosed(ch, 405, lockedText(q), () => ch.assertQueue(q, { exclusive: false }));
  });

  test('different exclusive (false then true) → 405 RESOURCE_LOCKED', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { exclusive: false });
    await expectChannelClosed(ch, 405, lockedText(q), () => ch.assertQueue(q, { exclusive: true }));
  });
});

describe('exclusive queues', () => {
  test('the owning connection may use it from any of its channels', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch1 = await channel(conn);
    const ch2 = await channel(conn);
    await ch1.assertQueue(q, { exclusive: true });
    await ch2.assertQueue(q, { exclusive: true });
    await ch2.checkQueue(q);
    ch2.sendToQueue(q, Buffer.from('x'));
    const { inbox } = await consume(ch2, q, { noAck: true });
    await inbox.take(1);
  });

  const otherConnectionOps: Array<[string, (ch: import('amqplib').Channel, q: string) => Promise<unknown>]> = [
    ['declare', (ch, q) => ch.assertQueue(q, { exclusive: true })],
    ['declare (non-exclusive)', (ch, q) => ch.assertQueue(q)],
    ['passive declare', (ch, q) => ch.checkQueue(q)],
    ['consume', (ch, q) => ch.consume(q, () => {})],
    ['get', (ch, q) => ch.get(q)],
    ['purge', (ch, q) => ch.purgeQueue(q)],
    ['delete', (ch, q) => ch.deleteQueue(q)],
    ['bind', (ch, q) => ch.bindQueue(q, 'amq.direct', 'k')],
    // The owner binds q to amq.direct with key 'k' first (below); unbinding
    // that existing binding is refused. (RabbitMQ 3.10 answers unbind-ok,
    // without the exclusivity check, when the binding does not exist.)
    ['unbind', (ch, q) => ch.unbindQueue(q, 'amq.direct', 'k')],
  ];
  for (const [op, fn] of otherConnectionOps) {
    test(`${op} from another connection → 405 RESOURCE_LOCKED`, async (t) => {
      const n = names(t, broker.url);
      const q = n.queue();
      const owner = await channel(await connect(broker.url, t));
      await owner.assertQueue(q, { exclusive: true });
      await owner.bindQueue(q, 'amq.direct', 'k');
      const other = await channel(await connect(broker.url, t));
      await expectChannelClosed(other, 405, lockedText(q), () => fn(other, q));
      // The queue is untouched.
      await owner.checkQueue(q);
    });
  }

  test('publishing to it from another connection is allowed', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const owner = await channel(await connect(broker.url, t));
    await owner.assertQueue(q, { exclusive: true });
    const other = await channel(await connect(broker.url, t));
    other.sendToQueue(q, Buffer.from('from outside'));
    const { inbox } = await consume(owner, q, { noAck: true });
    assert.equal((await inbox.next())!.content.toString(), 'from outside');
  });

  test('is deleted when its connection closes', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ownerConn = await connect(broker.url);
    const owner = await channel(ownerConn);
    await owner.assertQueue(q, { exclusive: true });
    // Closing just the channel does not delete it.
    await owner.close();
    const watcher = await channel(await connect(broker.url, t));
    await expectChannelClosed(watcher, 405, 'RESOURCE_LOCKED - ', () => watcher.checkQueue(q));
    await closeQuietly(ownerConn);
    const after = await channel(await connect(broker.url, t));
    await expectChannelClosed(after, 404, `NOT_FOUND - no queue '${q}' in vhost '/'`, () => after.checkQueue(q));
  });
});

describe('auto-delete queues', () => {
  test('survive until they had a consumer', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { autoDelete: true });
    // A basic.get is not a consumer.
    assert.equal(await ch.get(q), false);
    await ch.checkQueue(q);
    const ch2 = await channel(conn);
    await ch2.close();
    await ch.checkQueue(q);
  });

  test('deleted when the last consumer cancels, not before', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { autoDelete: true });
    const c1 = await consume(ch, q, { noAck: true });
    const c2 = await consume(ch, q, { noAck: true });
    await ch.cancel(c1.consumerTag);
    assert.equal((await ch.checkQueue(q)).consumerCount, 1);
    await ch.cancel(c2.consumerTag);
    await expectChannelClosed(ch, 404, `NOT_FOUND - no queue '${q}' in vhost '/'`, () => ch.checkQueue(q));
  });

  test('deleted when the last consumer goes away because its channel closes', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { autoDelete: true });
    const consumerCh = await channel(conn);
    await consume(consumerCh, q);
    await within(consumerCh.close(), 3000, 'channel close');
    await expectChannelClosed(ch, 404, `NOT_FOUND - no queue '${q}' in vhost '/'`, () => ch.checkQueue(q));
  });

  test('deleted when the consumer\'s connection closes', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q, { autoDelete: true });
    const consumerConn = await connect(broker.url);
    await consume(await channel(consumerConn), q);
    await closeQuietly(consumerConn);
    await expectChannelClosed(ch, 404, `NOT_FOUND - no queue '${q}' in vhost '/'`, () => ch.checkQueue(q));
  });
});
