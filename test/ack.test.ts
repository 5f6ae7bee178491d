// basic.ack / nack / reject / recover: multiple, requeue ordering,
// redelivered flags and errors on bad delivery tags.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Channel } from 'amqplib';
import { startBroker, type TestBroker } from './support/broker.js';
import {
  bodies,
  channel,
  connect,
  consume,
  drain,
  expectChannelClosed,
  expectConnectionClosed,
  names,
  raw,
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

/** Declares q, fills it with `list`, and starts a manual-ack consumer on a second channel. */
async function setup(t: Parameters<typeof names>[0], list: string[]) {
  const n = names(t, broker.url);
  const q = n.queue();
  const conn = await connect(broker.url, t);
  const admin = await channel(conn);
  await admin.assertQueue(q);
  sendAll(admin, q, list);
  await waitForReady(conn, q, list.length);
  const ch = await channel(conn);
  const c = await consume(ch, q);
  const msgs = await c.inbox.take(list.length);
  return { q, conn, admin, ch, msgs: msgs.map((m) => m!), inbox: c.inbox, consumerTag: c.consumerTag };
}

async function counts(admin: Channel, q: string) {
  await sync(admin);
  const r = await admin.checkQueue(q);
  return r.messageCount;
}

describe('basic.ack', () => {
  test('single ack removes exactly that message', async (t) => {
    const { q, admin, ch, msgs } = await setup(t, ['a', 'b', 'c']);
    ch.ack(msgs[1]);
    await sync(ch);
    await ch.close();
    // a and c return to the queue; b is gone.
    assert.equal(await counts(admin, q), 2);
    assert.deepEqual(bodies(await drain(admin, q)), ['a', 'c']);
  });

  test('ack multiple acks everything up to and including the tag', async (t) => {
    const { q, admin, ch, msgs } = await setup(t, ['a', 'b', 'c', 'd']);
    ch.ack(msgs[2], true);
    await sync(ch);
    await ch.close();
    assert.deepEqual(bodies(await drain(admin, q)), ['d']);
  });

  test('ack multiple with delivery tag 0 acks all outstanding messages', async (t) => {
    const { q, admin, ch } = await setup(t, ['a', 'b', 'c']);
    ch.ackAll(); // basic.ack(delivery_tag=0, multiple=true)
    await sync(ch);
    await ch.close();
    assert.equal(await counts(admin, q), 0);
  });

  test('ack multiple with tag 0 and nothing outstanding is fine', async (t) => {
    const ch = await channel(await connect(broker.url, t));
    ch.ackAll();
    await sync(ch);
  });

  test('ack of an unknown delivery tag → channel closed 406 PRECONDITION_FAILED', async (t) => {
    const { ch, msgs, conn } = await setup(t, ['a']);
    const info = await expectChannelClosed(ch, 406, 'PRECONDITION_FAILED - unknown delivery tag 99', () =>
      ch.ack({ ...msgs[0], fields: { ...msgs[0].fields, deliveryTag: 99 } }));
    assert.deepEqual([info.classId, info.methodId], [60, 80]);
    await (await channel(conn)).checkExchange('amq.direct'); // connection still fine
  });

  test('acking the same tag twice → 406 PRECONDITION_FAILED unknown delivery tag', async (t) => {
    const { ch, msgs } = await setup(t, ['a', 'b']);
    ch.ack(msgs[0]);
    await sync(ch);
    await expectChannelClosed(ch, 406, 'PRECONDITION_FAILED - unknown delivery tag 1', () => ch.ack(msgs[0]));
  });

  test('acking a tag already covered by a multiple ack → 406', async (t) => {
    const { ch, msgs } = await setup(t, ['a', 'b', 'c']);
    ch.ack(msgs[1], true);
    await sync(ch);
    await expectChannelClosed(ch, 406, 'PRECONDITION_FAILED - unknown delivery tag 1', () => ch.ack(msgs[0]));
  });

  test('ack of tag 0 without multiple → 406 unknown delivery tag 0', async (t) => {
    const { ch, msgs } = await setup(t, ['a']);
    await expectChannelClosed(ch, 406, 'PRECONDITION_FAILED - unknown delivery tag 0', () =>
      ch.ack({ ...msgs[0], fields: { ...msgs[0].fields, deliveryTag: 0 } }));
  });

  test('acking a no-ack delivery → 406 unknown delivery tag', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q);
    ch.sendToQueue(q, Buffer.from('x'));
    const { inbox } = await consume(ch, q, { noAck: true });
    const m = await inbox.next();
    await expectChannelClosed(ch, 406, 'PRECONDITION_FAILED - unknown delivery tag 1', () => ch.ack(m!));
  });

  test('delivery tags are per channel: acking on another channel → 406', async (t) => {
    const { conn, msgs } = await setup(t, ['a']);
    const other = await channel(conn);
    await expectChannelClosed(other, 406, 'PRECONDITION_FAILED - unknown delivery tag 1', () => other.ack(msgs[0]));
  });
});

describe('basic.nack and basic.reject', () => {
  test('nack multiple with requeue → messages come back in original order with redelivered=true', async (t) => {
    const { q, admin, ch, msgs, consumerTag } = await setup(t, ['1', '2', '3', '4', '5']);
    await ch.cancel(consumerTag); // so the requeued messages stay in the queue
    ch.nack(msgs[3], true, true); // 1..4 requeued, 5 still unacked
    await sync(ch);
    const back = await drain(admin, q);
    assert.deepEqual(bodies(back), ['1', '2', '3', '4']);
    assert.ok(back.every((m) => m.fields.redelivered === true));
  });

  test('reject with requeue puts messages back in their original position', async (t) => {
    const { q, admin, ch, msgs, consumerTag } = await setup(t, ['1', '2', '3', '4', '5']);
    await ch.cancel(consumerTag);
    // Reject out of order: 4 first, then 2. The queue orders them by original position.
    ch.reject(msgs[3], true);
    ch.reject(msgs[1], true);
    await sync(ch);
    assert.deepEqual(bodies(await drain(admin, q)), ['2', '4']);
    // Requeue the rest (1, 3, 5) at once: again in original order.
    ch.nackAll(true);
    await sync(ch);
    assert.deepEqual(bodies(await drain(admin, q)), ['1', '3', '5']);
  });

  test('a requeued message is redelivered to a consumer with redelivered=true', async (t) => {
    const { ch, msgs, inbox } = await setup(t, ['a', 'b']);
    ch.reject(msgs[0], true);
    const [again] = await inbox.take(1);
    assert.equal(again!.content.toString(), 'a');
    assert.equal(again!.fields.redelivered, true);
    assert.ok(again!.fields.deliveryTag > msgs[1].fields.deliveryTag, 'redelivery gets a new delivery tag');
  });

  test('nack / reject without requeue discard the message (no dead-letter exchange)', async (t) => {
    const { q, admin, ch, msgs } = await setup(t, ['a', 'b', 'c']);
    ch.reject(msgs[0], false);
    ch.nack(msgs[2], true, false); // b and c
    await sync(ch);
    await ch.close();
    assert.equal(await counts(admin, q), 0);
  });

  test('nack of an unknown delivery tag → 406', async (t) => {
    const { ch, msgs } = await setup(t, ['a']);
    await expectChannelClosed(ch, 406, 'PRECONDITION_FAILED - unknown delivery tag 7', () =>
      ch.nack({ ...msgs[0], fields: { ...msgs[0].fields, deliveryTag: 7 } }));
  });

  test('reject of an unknown delivery tag → 406', async (t) => {
    const { ch, msgs } = await setup(t, ['a']);
    await expectChannelClosed(ch, 406, 'PRECONDITION_FAILED - unknown delivery tag 8', () =>
      ch.reject({ ...msgs[0], fields: { ...msgs[0].fields, deliveryTag: 8 } }));
  });

  test('nack multiple with tag 0 requeues all outstanding', async (t) => {
    const { q, admin, ch, consumerTag } = await setup(t, ['a', 'b', 'c']);
    await ch.cancel(consumerTag);
    ch.nackAll(true);
    await sync(ch);
    assert.deepEqual(bodies(await drain(admin, q)), ['a', 'b', 'c']);
  });
});

describe('basic.recover', () => {
  test('recover(requeue=true) redelivers all unacked messages with redelivered=true, in order', async (t) => {
    const { ch, msgs, inbox } = await setup(t, ['a', 'b', 'c']);
    ch.ack(msgs[1]);
    await raw.recover(ch, true);
    const again = await inbox.take(2);
    assert.deepEqual(bodies(again), ['a', 'c']);
    assert.ok(again.every((m) => m!.fields.redelivered));
    // New delivery tags; the old ones are gone.
    assert.ok(again.every((m) => m!.fields.deliveryTag > 3));
    await inbox.expectNothing();
  });

  test('amqplib recover() (requeue=true) works too', async (t) => {
    const { ch, inbox } = await setup(t, ['a']);
    await ch.recover();
    const [m] = await inbox.take(1);
    assert.equal(m!.fields.redelivered, true);
  });

  test('recover(requeue=false) → connection error 540 NOT_IMPLEMENTED', async (t) => {
    const { conn, ch } = await setup(t, ['a']);
    await expectConnectionClosed(conn, 540, 'NOT_IMPLEMENTED - requeue=false', () => raw.recover(ch, false));
  });
});
