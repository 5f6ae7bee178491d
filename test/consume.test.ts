// basic.consume / cancel / get: consumer tags, exclusivity, no-ack,
// delivery fields and message_count semantics.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type TestBroker } from './support/broker.js';
import {
  bodies,
  channel,
  connect,
  consume,
  expectChannelClosed,
  expectConnectionClosed,
  get,
  names,
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

describe('consumer tags', () => {
  test('the server generates unique amq.ctag-… tags when the client gives none', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q);
    const a = await consume(ch, q);
    const b = await consume(ch, q);
    assert.match(a.consumerTag, /^amq\.ctag-[A-Za-z0-9_-]{22}$/);
    assert.match(b.consumerTag, /^amq\.ctag-[A-Za-z0-9_-]{22}$/);
    assert.notEqual(a.consumerTag, b.consumerTag);
  });

  test('a client-chosen tag is used as is, in consume-ok and in deliveries', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q);
    const { consumerTag, inbox } = await consume(ch, q, { consumerTag: 'my-tag', noAck: true });
    assert.equal(consumerTag, 'my-tag');
    ch.sendToQueue(q, Buffer.from('x'));
    const m = await inbox.next();
    assert.equal(m!.fields.consumerTag, 'my-tag');
  });

  test('the same tag on two channels is fine', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch1 = await channel(conn);
    const ch2 = await channel(conn);
    await ch1.assertQueue(q);
    await consume(ch1, q, { consumerTag: 'shared' });
    await consume(ch2, q, { consumerTag: 'shared' });
    assert.equal((await ch1.checkQueue(q)).consumerCount, 2);
  });

  test('a duplicate tag on the same channel → connection error 530 NOT_ALLOWED', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    await consume(ch, q, { consumerTag: 'dup' });
    await expectConnectionClosed(conn, 530, "NOT_ALLOWED - attempt to reuse consumer tag 'dup'", () =>
      ch.consume(q, () => {}, { consumerTag: 'dup' }));
  });
});

describe('exclusive consumers', () => {
  test('a second consumer on an exclusively consumed queue → 403 ACCESS_REFUSED', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    await consume(ch, q, { exclusive: true });
    const other = await channel(conn);
    await expectChannelClosed(other, 403, `ACCESS_REFUSED - queue '${q}' in vhost '/' in exclusive use`, () =>
      other.consume(q, () => {}));
    // Also refused on the very same channel.
    await expectChannelClosed(ch, 403, `ACCESS_REFUSED - queue '${q}' in vhost '/' in exclusive use`, () =>
      ch.consume(q, () => {}));
  });

  test('an exclusive consume on a queue that already has consumers → 403 ACCESS_REFUSED', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    await consume(ch, q);
    const other = await channel(conn);
    await expectChannelClosed(other, 403, `ACCESS_REFUSED - queue '${q}' in vhost '/' in exclusive use`, () =>
      other.consume(q, () => {}, { exclusive: true }));
  });

  test('after the exclusive consumer cancels, others may consume', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    const { consumerTag } = await consume(ch, q, { exclusive: true });
    await ch.cancel(consumerTag);
    await consume(ch, q);
    await consume(ch, q);
  });
});

describe('no-ack and cancel', () => {
  test('no_ack deliveries need no ack and leave the queue empty', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    sendAll(ch, q, ['1', '2', '3']);
    const { inbox } = await consume(ch, q, { noAck: true });
    assert.deepEqual(bodies(await inbox.take(3)), ['1', '2', '3']);
    assert.deepEqual(await ch.checkQueue(q), { queue: q, messageCount: 0, consumerCount: 1 });
    await ch.close();
    // Nothing comes back after the channel closes.
    const ch2 = await channel(conn);
    assert.equal((await ch2.checkQueue(q)).messageCount, 0);
  });

  test('delivery fields: consumer tag, increasing delivery tags, redelivered=false, exchange, routing key', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q);
    await ch.bindQueue(q, 'amq.direct', q);
    ch.publish('amq.direct', q, Buffer.from('a'));
    ch.sendToQueue(q, Buffer.from('b'));
    const { consumerTag, inbox } = await consume(ch, q);
    const [m1, m2] = await inbox.take(2);
    assert.deepEqual(m1!.fields, { consumerTag, deliveryTag: 1, redelivered: false, exchange: 'amq.direct', routingKey: q });
    assert.deepEqual(m2!.fields, { consumerTag, deliveryTag: 2, redelivered: false, exchange: '', routingKey: q });
    await ch.unbindQueue(q, 'amq.direct', q);
  });

  test('basic.cancel stops deliveries; cancel-ok echoes the tag', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    const { consumerTag, inbox } = await consume(ch, q, { noAck: true });
    ch.sendToQueue(q, Buffer.from('before'));
    assert.deepEqual(bodies(await inbox.take(1)), ['before']);
    assert.deepEqual(await ch.cancel(consumerTag), { consumerTag });
    ch.sendToQueue(q, Buffer.from('after'));
    await sync(ch);
    await inbox.expectNothing();
    await waitForReady(conn, q, 1);
    assert.equal((await ch.checkQueue(q)).consumerCount, 0);
  });

  test('cancelling an unknown tag → cancel-ok (no error)', async (t) => {
    const ch = await channel(await connect(broker.url, t));
    assert.deepEqual(await ch.cancel('no-such-consumer'), { consumerTag: 'no-such-consumer' });
  });

  test('consuming from a missing queue → 404 NOT_FOUND', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await expectChannelClosed(ch, 404, `NOT_FOUND - no queue '${q}' in vhost '/'`, () => ch.consume(q, () => {}));
  });
});

describe('basic.get', () => {
  test('get-ok message_count is the number of messages left after this one; then get-empty', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    sendAll(ch, q, ['a', 'b', 'c']);
    await waitForReady(conn, q, 3);
    const counts: number[] = [];
    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await get(ch, q);
      assert.ok(m);
      counts.push(m.fields.messageCount);
      got.push(m.content.toString());
      assert.equal(m.fields.deliveryTag, i + 1);
      assert.equal(m.fields.redelivered, false);
    }
    assert.deepEqual(got, ['a', 'b', 'c']);
    assert.deepEqual(counts, [2, 1, 0]);
    assert.equal(await get(ch, q), false);
  });

  test('unacked messages are not counted in message_count', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    sendAll(ch, q, ['a', 'b', 'c', 'd']);
    await waitForReady(conn, q, 4);
    const consumerCh = await channel(conn);
    await consumerCh.prefetch(2);
    const { inbox } = await consume(consumerCh, q);
    await inbox.take(2); // a, b held unacked by the consumer
    const m = await get(ch, q, { noAck: true });
    assert.ok(m);
    assert.equal(m.content.toString(), 'c');
    assert.equal(m.fields.messageCount, 1);
  });

  test('get with ack: the message is unacked until acked, then gone', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    ch.sendToQueue(q, Buffer.from('x'));
    await waitForReady(conn, q, 1);
    const m = await get(ch, q);
    assert.ok(m);
    assert.equal(await get(ch, q), false);
    ch.ack(m);
    await sync(ch);
    assert.equal((await ch.checkQueue(q)).messageCount, 0);
  });

  test('get from a missing queue → 404 NOT_FOUND', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await expectChannelClosed(ch, 404, `NOT_FOUND - no queue '${q}' in vhost '/'`, () => ch.get(q));
  });

  test('get and consume share delivery tags on a channel', async (t) => {
    const n = names(t, broker.url);
    const [q1, q2] = [n.queue(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q1);
    await ch.assertQueue(q2);
    ch.sendToQueue(q1, Buffer.from('g'));
    ch.sendToQueue(q2, Buffer.from('c'));
    await sync(ch);
    const g = await get(ch, q1);
    assert.ok(g);
    const { inbox } = await consume(ch, q2);
    const c = await inbox.next();
    assert.equal(g.fields.deliveryTag, 1);
    assert.equal(c!.fields.deliveryTag, 2);
  });
});
