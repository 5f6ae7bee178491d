// Transactions: tx.select / commit / rollback for publishes and acks.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type TestBroker } from './support/broker.js';
import {
  bodies,
  channel,
  connect,
  consume,
  drain,
  expectChannelClosed,
  get,
  names,
  raw,
  returns,
  sendAll,
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

describe('transactional publishes', () => {
  test('nothing is routed before tx.commit; everything after', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const observer = await channel(conn);
    await observer.assertQueue(q);
    const ch = await channel(conn);
    await raw.txSelect(ch);
    sendAll(ch, q, ['1', '2', '3']);
    await sync(ch);
    assert.equal((await observer.checkQueue(q)).messageCount, 0);
    await raw.txCommit(ch);
    assert.equal((await observer.checkQueue(q)).messageCount, 3);
    assert.deepEqual(bodies(await drain(observer, q)), ['1', '2', '3']);
  });

  test('tx.rollback discards the publishes; the channel stays transactional', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const observer = await channel(conn);
    await observer.assertQueue(q);
    const ch = await channel(conn);
    await raw.txSelect(ch);
    sendAll(ch, q, ['discard-1', 'discard-2']);
    await raw.txRollback(ch);
    sendAll(ch, q, ['keep']);
    await sync(ch);
    assert.equal((await observer.checkQueue(q)).messageCount, 0);
    await raw.txCommit(ch);
    assert.deepEqual(bodies(await drain(observer, q)), ['keep']);
  });

  test('an empty commit and repeated tx.select are fine', async (t) => {
    const ch = await channel(await connect(broker.url, t));
    await raw.txSelect(ch);
    await raw.txSelect(ch);
    await raw.txCommit(ch);
    await raw.txRollback(ch);
  });

  test('closing the channel with an open transaction discards its publishes', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const observer = await channel(conn);
    await observer.assertQueue(q);
    const ch = await channel(conn);
    await raw.txSelect(ch);
    sendAll(ch, q, ['never']);
    await sync(ch);
    await ch.close();
    assert.equal((await observer.checkQueue(q)).messageCount, 0);
  });

  test('mandatory + unroutable inside a transaction: basic.return comes with the commit', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'direct');
    const returned = returns(ch);
    await raw.txSelect(ch);
    ch.publish(x, 'nowhere', Buffer.from('r'), { mandatory: true });
    await sync(ch);
    // Bounded wait: nothing is returned before the commit.
    await returned.expectNothing();
    await raw.txCommit(ch);
    const m = await returned.next();
    assert.equal(m.fields.replyCode, 312);
    assert.equal(m.content.toString(), 'r');
  });
});

describe('transactional acks', () => {
  test('acks take effect only on commit; rollback leaves the messages unacked', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const admin = await channel(conn);
    await admin.assertQueue(q);
    sendAll(admin, q, ['a', 'b', 'c']);
    await waitForReady(conn, q, 3);

    const ch = await channel(conn);
    await raw.txSelect(ch);
    const { inbox, consumerTag } = await consume(ch, q);
    const [a, b, c] = await inbox.take(3);
    await ch.cancel(consumerTag);

    ch.ack(a!);
    await raw.txRollback(ch); // a's ack is discarded: a is still unacked
    ch.ack(b!);
    await raw.txCommit(ch); // b is acked for good
    ch.ack(c!); // pending, never committed

    await sync(ch);
    // Nothing was requeued by the rollback.
    assert.equal((await admin.checkQueue(q)).messageCount, 0);
    // When the channel goes, a (rolled back) and c (uncommitted) come back; b does not.
    await ch.close();
    await waitForReady(conn, q, 2);
    const back = await drain(admin, q);
    assert.deepEqual(bodies(back), ['a', 'c']);
    assert.ok(back.every((m) => m.fields.redelivered));
  });

  test('after a rollback the same delivery can be acked again and committed', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const admin = await channel(conn);
    await admin.assertQueue(q);
    sendAll(admin, q, ['x']);
    await waitForReady(conn, q, 1);
    const ch = await channel(conn);
    await raw.txSelect(ch);
    const m = await get(ch, q);
    assert.ok(m);
    ch.ack(m);
    await raw.txRollback(ch);
    ch.ack(m);
    await raw.txCommit(ch);
    await ch.close();
    assert.equal((await admin.checkQueue(q)).messageCount, 0);
  });

  test('reject with requeue inside a transaction happens on commit', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const admin = await channel(conn);
    await admin.assertQueue(q);
    sendAll(admin, q, ['r']);
    await waitForReady(conn, q, 1);
    const ch = await channel(conn);
    await raw.txSelect(ch);
    const m = await get(ch, q);
    assert.ok(m);
    ch.reject(m, true);
    await sync(ch);
    assert.equal((await admin.checkQueue(q)).messageCount, 0);
    await raw.txCommit(ch);
    await waitForReady(conn, q, 1);
  });
});

describe('tx errors', () => {
  test('tx.commit without tx.select → 406 PRECONDITION_FAILED (channel)', async (t) => {
    const ch = await channel(await connect(broker.url, t));
    const info = await expectChannelClosed(ch, 406, 'PRECONDITION_FAILED - channel is not transactional', () => raw.txCommit(ch));
    assert.deepEqual([info.classId, info.methodId], [90, 20]);
  });

  test('tx.rollback without tx.select → 406 PRECONDITION_FAILED (channel)', async (t) => {
    const ch = await channel(await connect(broker.url, t));
    const info = await expectChannelClosed(ch, 406, 'PRECONDITION_FAILED - channel is not transactional', () => raw.txRollback(ch));
    assert.deepEqual([info.classId, info.methodId], [90, 30]);
  });
});
