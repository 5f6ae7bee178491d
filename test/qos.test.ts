// basic.qos: per-consumer and per-channel (global) prefetch, round-robin
// dispatch and fair dispatch.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type TestBroker } from './support/broker.js';
import { Inbox, bodies, channel, connect, consume, names, sendAll, sync, waitForReady, type ConsumeMessage } from './support/amqp.js';

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.close();
});

function numbered(count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(i + 1));
}

describe('prefetch per consumer (global=false)', () => {
  test('at most N unacked per consumer; each ack releases one more', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    sendAll(ch, q, numbered(10));
    await waitForReady(conn, q, 10);
    await ch.prefetch(3);
    const { inbox } = await consume(ch, q);
    const first = await inbox.take(3);
    assert.deepEqual(bodies(first), ['1', '2', '3']);
    // Bounded wait: no 4th message while 3 are unacked.
    await inbox.expectNothing();
    ch.ack(first[0]!);
    assert.deepEqual(bodies(await inbox.take(1)), ['4']);
    await inbox.expectNothing();
    ch.ack(first[2]!, true); // acks 2 and 3
    assert.deepEqual(bodies(await inbox.take(2)), ['5', '6']);
    await inbox.expectNothing();
  });

  test('each consumer on the channel gets its own allowance', async (t) => {
    const n = names(t, broker.url);
    const [q1, q2] = [n.queue(), n.queue()];
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q1);
    await ch.assertQueue(q2);
    sendAll(ch, q1, numbered(5));
    sendAll(ch, q2, numbered(5));
    await waitForReady(conn, q1, 5);
    await waitForReady(conn, q2, 5);
    await ch.prefetch(2);
    const c1 = await consume(ch, q1);
    const c2 = await consume(ch, q2);
    assert.equal((await c1.inbox.take(2)).length, 2);
    assert.equal((await c2.inbox.take(2)).length, 2);
    await c1.inbox.expectNothing();
    await c2.inbox.expectNothing();
  });

  test('prefetch 0 means unlimited', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    sendAll(ch, q, numbered(50));
    await waitForReady(conn, q, 50);
    await ch.prefetch(0);
    const { inbox } = await consume(ch, q);
    assert.equal((await inbox.take(50)).length, 50);
  });

  test('basic.qos applies to consumers created after it, not to existing ones', async (t) => {
    const n = names(t, broker.url);
    const [q1, q2] = [n.queue(), n.queue()];
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q1);
    await ch.assertQueue(q2);
    await ch.prefetch(1);
    const early = await consume(ch, q1);
    await ch.prefetch(3);
    const late = await consume(ch, q2);
    sendAll(ch, q1, numbered(5));
    sendAll(ch, q2, numbered(5));
    assert.equal((await early.inbox.take(1)).length, 1);
    assert.equal((await late.inbox.take(3)).length, 3);
    await early.inbox.expectNothing();
    await late.inbox.expectNothing();
  });
});

describe('prefetch per channel (global=true)', () => {
  test('the limit is shared by all consumers of the channel', async (t) => {
    const n = names(t, broker.url);
    const [q1, q2] = [n.queue(), n.queue()];
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q1);
    await ch.assertQueue(q2);
    await ch.prefetch(3, true);
    const both = new Inbox<ConsumeMessage | null>();
    await consume(ch, q1, {}, both);
    await consume(ch, q2, {}, both);
    sendAll(ch, q1, numbered(5));
    sendAll(ch, q2, numbered(5));
    const three = await both.take(3);
    // Bounded wait: no 4th delivery while 3 are unacked on the channel.
    await both.expectNothing();
    // One ack frees exactly one slot.
    ch.ack(three[0]!);
    await both.take(1);
    await both.expectNothing();
  });

  test('both at once: per-consumer 2 and per-channel 3 → each consumer ≤ 2, total 3', async (t) => {
    const n = names(t, broker.url);
    const [q1, q2] = [n.queue(), n.queue()];
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q1);
    await ch.assertQueue(q2);
    await ch.prefetch(2, false);
    await ch.prefetch(3, true);
    const c1 = await consume(ch, q1);
    const c2 = await consume(ch, q2);
    sendAll(ch, q1, numbered(5));
    await sync(ch);
    // q1 alone: limited by its consumer allowance (2).
    assert.equal((await c1.inbox.take(2)).length, 2);
    await c1.inbox.expectNothing();
    sendAll(ch, q2, numbered(5));
    // q2: the channel has room for one more only.
    assert.equal((await c2.inbox.take(1)).length, 1);
    await c2.inbox.expectNothing();
  });
});

describe('dispatch between consumers', () => {
  test('round-robin: two consumers with a large prefetch get strictly alternating messages', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch1 = await channel(conn);
    const ch2 = await channel(conn);
    await ch1.assertQueue(q);
    await ch1.prefetch(100);
    await ch2.prefetch(100);
    const c1 = await consume(ch1, q, { noAck: false });
    const c2 = await consume(ch2, q, { noAck: false });
    const pub = await channel(conn);
    sendAll(pub, q, numbered(20));
    const a = bodies(await c1.inbox.take(10));
    const b = bodies(await c2.inbox.take(10));
    const odd = numbered(20).filter((_, i) => i % 2 === 0);
    const even = numbered(20).filter((_, i) => i % 2 === 1);
    assert.ok(
      (JSON.stringify(a) === JSON.stringify(odd) && JSON.stringify(b) === JSON.stringify(even)) ||
        (JSON.stringify(a) === JSON.stringify(even) && JSON.stringify(b) === JSON.stringify(odd)),
      `not strictly alternating: ${a} / ${b}`,
    );
  });

  test('fair dispatch with prefetch 1: a busy consumer is skipped while a free one keeps acking', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const slow = await channel(conn);
    const fast = await channel(conn);
    await slow.assertQueue(q);
    await slow.prefetch(1);
    await fast.prefetch(1);
    const s = await consume(slow, q); // never acks
    const fastInbox = new Inbox<string>();
    await fast.consume(q, (m) => {
      if (!m) return;
      fastInbox.push(m.content.toString());
      fast.ack(m);
    });
    const pub = await channel(conn);
    sendAll(pub, q, numbered(10));
    const [held] = await s.inbox.take(1);
    const rest = await fastInbox.take(9);
    assert.ok(!rest.includes(held!.content.toString()));
    assert.deepEqual([...rest, held!.content.toString()].sort((a, b) => Number(a) - Number(b)), numbered(10));
    await s.inbox.expectNothing();
  });
});
