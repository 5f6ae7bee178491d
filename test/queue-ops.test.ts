// queue.bind / unbind / purge / delete and what consumers see when their
// queue is deleted.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type TestBroker } from './support/broker.js';
import {
  bodies,
  channel,
  connect,
  consume,
  expectChannelClosed,
  get,
  names,
  sendAll,
  sync,
  waitForReady,
  isChannelClosed,
} from './support/amqp.js';

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.close();
});

describe('queue.bind / queue.unbind', () => {
  test('bind makes the exchange route to the queue; unbind stops it; rebinding is idempotent', async (t) => {
    const n = names(t, broker.url);
    const [x, q] = [n.exchange(), n.queue()];
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertExchange(x, 'direct');
    await ch.assertQueue(q);
    await ch.bindQueue(q, x, 'k');
    await ch.bindQueue(q, x, 'k'); // duplicate binding: no error, still one binding
    ch.publish(x, 'k', Buffer.from('1'));
    await ch.unbindQueue(q, x, 'k');
    ch.publish(x, 'k', Buffer.from('2'));
    await sync(ch);
    assert.equal((await ch.checkQueue(q)).messageCount, 1);
    const m = await get(ch, q, { noAck: true });
    assert.ok(m);
    assert.equal(m.content.toString(), '1');
  });

  test('bind to a missing exchange → 404 NOT_FOUND', async (t) => {
    const n = names(t, broker.url);
    const [x, q] = [n.exchange(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q);
    const info = await expectChannelClosed(ch, 404, `NOT_FOUND - no exchange '${x}' in vhost '/'`, () => ch.bindQueue(q, x, 'k'));
    assert.deepEqual([info.classId, info.methodId], [50, 20]);
  });

  test('bind a missing queue → 404 NOT_FOUND', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await expectChannelClosed(ch, 404, `NOT_FOUND - no queue '${q}' in vhost '/'`, () => ch.bindQueue(q, 'amq.direct', 'k'));
  });

  test('bind with both queue and exchange missing → 404 naming the exchange', async (t) => {
    const n = names(t, broker.url);
    const [x, q] = [n.exchange(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await expectChannelClosed(ch, 404, `NOT_FOUND - no exchange '${x}' in vhost '/'`, () => ch.bindQueue(q, x, 'k'));
  });

  test('unbinding a binding that does not exist → unbind-ok (RabbitMQ 3.10)', async (t) => {
    const n = names(t, broker.url);
    const [x, q] = [n.exchange(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'direct');
    await ch.assertQueue(q);
    await ch.unbindQueue(q, x, 'never-bound');
    // Even missing queue / exchange are fine for unbind in 3.10.
    await ch.unbindQueue(n.queue(), x, 'k');
    await ch.unbindQueue(q, n.exchange(), 'k');
    await sync(ch);
  });
});

describe('queue.purge', () => {
  test('returns the number of ready messages and leaves unacked ones alone', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    sendAll(ch, q, ['a', 'b', 'c', 'd', 'e']);
    await waitForReady(conn, q, 5);
    const holder = await channel(conn);
    const held = await get(holder, q); // unacked
    assert.ok(held);
    assert.equal(held.content.toString(), 'a');

    assert.deepEqual(await ch.purgeQueue(q), { messageCount: 4 });
    assert.equal((await ch.checkQueue(q)).messageCount, 0);
    assert.deepEqual(await ch.purgeQueue(q), { messageCount: 0 });

    // The unacked message survives the purge and comes back when rejected.
    holder.reject(held, true);
    const again = await get(ch, q, { noAck: true });
    assert.ok(again);
    assert.equal(again.content.toString(), 'a');
    assert.equal(again.fields.redelivered, true);
  });

  test('purging a missing queue → 404 NOT_FOUND', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await expectChannelClosed(ch, 404, `NOT_FOUND - no queue '${q}' in vhost '/'`, () => ch.purgeQueue(q));
  });
});

describe('queue.delete', () => {
  test('delete-ok carries the ready message count only (unacked not counted)', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    sendAll(ch, q, ['1', '2', '3', '4']);
    await waitForReady(conn, q, 4);
    const holder = await channel(conn);
    assert.ok(await get(holder, q)); // one unacked
    assert.deepEqual(await ch.deleteQueue(q), { messageCount: 3 });
    await expectChannelClosed(ch, 404, `NOT_FOUND - no queue '${q}' in vhost '/'`, () => ch.checkQueue(q));
  });

  test('deleting a missing queue → delete-ok with message_count 0 (RabbitMQ 3.10)', async (t) => {
    const n = names(t, broker.url);
    const ch = await channel(await connect(broker.url, t));
    assert.deepEqual(await ch.deleteQueue(n.queue()), { messageCount: 0 });
    assert.deepEqual(await ch.deleteQueue(n.queue(), { ifEmpty: true, ifUnused: true }), { messageCount: 0 });
  });

  test('if_unused with a consumer → 406 PRECONDITION_FAILED', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    const { consumerTag } = await consume(ch, q);
    const deleter = await channel(conn);
    await expectChannelClosed(deleter, 406, `PRECONDITION_FAILED - queue '${q}' in vhost '/' in use`, () =>
      deleter.deleteQueue(q, { ifUnused: true }));
    await ch.cancel(consumerTag);
    assert.deepEqual(await ch.deleteQueue(q, { ifUnused: true }), { messageCount: 0 });
  });

  test('if_empty with ready messages → 406 PRECONDITION_FAILED', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    ch.sendToQueue(q, Buffer.from('x'));
    await waitForReady(conn, q, 1);
    await expectChannelClosed(ch, 406, `PRECONDITION_FAILED - queue '${q}' in vhost '/' not empty`, () =>
      ch.deleteQueue(q, { ifEmpty: true }));
    const ch2 = await channel(conn);
    await ch2.purgeQueue(q);
    assert.deepEqual(await ch2.deleteQueue(q, { ifEmpty: true }), { messageCount: 0 });
  });

  test('if_empty looks at ready messages only: a queue holding just unacked messages is deleted', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    ch.sendToQueue(q, Buffer.from('x'));
    await waitForReady(conn, q, 1);
    const holder = await channel(conn);
    assert.ok(await get(holder, q));
    assert.deepEqual(await ch.deleteQueue(q, { ifEmpty: true }), { messageCount: 0 });
    await expectChannelClosed(ch, 404, `NOT_FOUND - no queue '${q}' in vhost '/'`, () => ch.checkQueue(q));
  });

  test('consumers of a deleted queue get basic.cancel (amqplib: callback receives null)', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const consumerCh = await channel(conn);
    await consumerCh.assertQueue(q);
    const c1 = await consume(consumerCh, q, { noAck: true });
    const c2 = await consume(consumerCh, q, { noAck: true });
    const cancels: string[] = [];
    consumerCh.on('cancel', (f: { consumerTag: string }) => cancels.push(f.consumerTag));

    // Deleted from a different connection.
    const other = await channel(await connect(broker.url, t));
    await other.deleteQueue(q);
    assert.deepEqual(await c1.inbox.take(1), [null]);
    assert.deepEqual(await c2.inbox.take(1), [null]);
    assert.deepEqual(cancels.sort(), [c1.consumerTag, c2.consumerTag].sort());
    // The channel itself stays open.
    await consumerCh.assertQueue(n.queue());
  });

  test('a consumer with unacked messages is cancelled when the queue is deleted; acking those deliveries is still fine', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    sendAll(ch, q, ['a', 'b']);
    const { inbox } = await consume(ch, q);
    const msgs = await inbox.take(2);
    await (await channel(conn)).deleteQueue(q);
    assert.deepEqual(bodies(await inbox.take(1)), ['<cancel>']);
    // Acking a delivery from a deleted queue is allowed: the tag is still known to the channel.
    ch.ack(msgs[0]!);
    await sync(ch);
    ch.ack(msgs[1]!);
    await sync(ch);
    assert.equal(isChannelClosed(ch), false);
  });
});
