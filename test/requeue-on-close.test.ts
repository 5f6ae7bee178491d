// Unacked messages go back to their queue, in original order and marked
// redelivered, whenever the channel holding them goes away; no-ack
// deliveries never come back.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ChannelModel } from 'amqplib';
import { startBroker, type TestBroker } from './support/broker.js';
import { M, RawClient, bits, longlong, methodFrame } from './support/raw-client.js';
import {
  bodies,
  channel,
  QUIET_MS,
  closeQuietly,
  delay,
  connect,
  consume,
  drain,
  get,
  names,
  sendAll,
  sync,
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

const ways: Array<[string, (conn: ChannelModel, ch: import('amqplib').Channel) => Promise<void>]> = [
  ['the channel closes', async (_conn, ch) => within(ch.close(), 3000, 'channel close')],
  ['the connection closes', async (conn) => closeQuietly(conn)],
  [
    'the client socket is destroyed abruptly',
    async (conn) => {
      // Destroying the socket with an error makes amqplib notice at once
      // (a plain destroy() leaves it waiting for missed heartbeats).
      const closed = new Promise<void>((resolve) => conn.once('close', () => resolve()));
      (conn as unknown as { connection: { stream: { destroy(e?: Error): void } } }).connection.stream.destroy(
        new Error('test: abrupt disconnect'),
      );
      await within(closed, 3000, 'socket close');
    },
  ],
];

describe('requeue of unacked messages', () => {
  for (const [how, end] of ways) {
    test(`when ${how}: unacked messages return in original order with redelivered=true`, async (t) => {
      const n = names(t, broker.url);
      const q = n.queue();
      const admin = await channel(await connect(broker.url, t));
      await admin.assertQueue(q);
      sendAll(admin, q, ['1', '2', '3', '4', '5', '6']);

      const consumerConn = await connect(broker.url, t);
      const ch = await channel(consumerConn);
      const { inbox } = await consume(ch, q);
      const msgs = await inbox.take(6);
      ch.ack(msgs[1]!); // 2
      ch.ack(msgs[4]!); // 5
      // amqplib may put connection.close on the wire ahead of channel frames
      // still queued, so make sure the acks were processed first.
      await sync(ch);
      await end(consumerConn, ch);

      const watcher = await connect(broker.url, t);
      await waitForReady(watcher, q, 4);
      const back = await drain(admin, q);
      assert.deepEqual(bodies(back), ['1', '3', '4', '6']);
      assert.ok(back.every((m) => m.fields.redelivered), 'every returned message is marked redelivered');
    });
  }

  test('requeued messages go ahead of messages published later', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const admin = await channel(conn);
    await admin.assertQueue(q);
    sendAll(admin, q, ['old-1', 'old-2']);
    const ch = await channel(conn);
    await ch.prefetch(2);
    const { inbox } = await consume(ch, q);
    await inbox.take(2);
    sendAll(admin, q, ['new-1']);
    await waitForReady(conn, q, 1);
    await ch.close();
    await waitForReady(conn, q, 3);
    assert.deepEqual(bodies(await drain(admin, q)), ['old-1', 'old-2', 'new-1']);
  });

  test('messages taken with basic.get (ack mode) are requeued too', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const admin = await channel(conn);
    await admin.assertQueue(q);
    sendAll(admin, q, ['a', 'b']);
    await waitForReady(conn, q, 2);
    const ch = await channel(conn);
    assert.ok(await get(ch, q));
    await ch.close();
    await waitForReady(conn, q, 2);
    const back = await drain(admin, q);
    assert.deepEqual(bodies(back), ['a', 'b']);
    assert.deepEqual(back.map((m) => m.fields.redelivered), [true, false]);
  });
});

describe('frames before connection.close', () => {
  test('an ack sent right before connection.close (same write) is honoured', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const admin = await channel(conn);
    await admin.assertQueue(q);
    sendAll(admin, q, ['1', '2', '3']);
    await waitForReady(conn, q, 3);
    const c = await RawClient.open(broker.url);
    try {
      await c.openChannel(1);
      c.write(M.basicConsume(1, q, 'raw'));
      await c.expectMethod(60, 21);
      for (let i = 0; i < 3; i++) {
        await c.expectMethod(60, 60); // deliver, then header and body
        await c.next();
        await c.next();
      }
      // basic.ack(delivery-tag 2) and connection.close in one write.
      c.write(Buffer.concat([methodFrame(1, 60, 80, longlong(2), bits(false)), M.close()]));
      await c.expectMethod(10, 51);
    } finally {
      c.destroy();
    }
    await waitForReady(conn, q, 2);
    assert.deepEqual(bodies(await drain(admin, q)), ['1', '3']);
  });
});

describe('no-ack deliveries', () => {
  for (const [how, end] of ways) {
    test(`do not come back when ${how}`, async (t) => {
      const n = names(t, broker.url);
      const q = n.queue();
      const adminConn = await connect(broker.url, t);
      const admin = await channel(adminConn);
      await admin.assertQueue(q);
      sendAll(admin, q, ['1', '2', '3']);
      const consumerConn = await connect(broker.url, t);
      const ch = await channel(consumerConn);
      const { inbox } = await consume(ch, q, { noAck: true });
      await inbox.take(3);
      await end(consumerConn, ch);
      // Bounded wait, then the queue must still be empty.
      await delay(QUIET_MS);
      assert.equal((await admin.checkQueue(q)).messageCount, 0);
    });
  }
});
