// Priority queues (x-max-priority), as RabbitMQ 3.10.8 orders them: higher first, FIFO
// within a priority, no priority = 0, above the maximum = the maximum; requeued messages
// back at their place within their level; drop-head drops the next message to be
// delivered; durable priority queues keep their order across a restart.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Channel, Options } from 'amqplib';
import type { Broker } from '../src/index.js';
import { startBroker, type TestBroker } from './support/broker.js';
import {
  channel,
  confirmChannel,
  connect,
  consume,
  drain,
  expectChannelClosed,
  getOne,
  names,
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

/** Publishes "body/priority" pairs ("b/-" has no priority property) in order. */
function publishWithPriorities(ch: Channel, queue: string, spec: string): void {
  for (const item of spec.split(' ')) {
    const [body, priority] = item.split('/');
    const options: Options.Publish = priority === '-' ? {} : { priority: Number(priority) };
    ch.sendToQueue(queue, Buffer.from(body), options);
  }
}

function labels(list: { content: Buffer; properties: { priority?: number } }[]): string {
  return list.map((m) => `${m.content.toString()}/${m.properties.priority ?? '-'}`).join(' ');
}

describe('delivery order', () => {
  test('higher priority first, FIFO within one, none = 0, above the maximum counts as the maximum and is delivered unchanged', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { arguments: { 'x-max-priority': 10 } });
    publishWithPriorities(ch, q, 'a/3 b/- c/7 d/3 e/0 f/10 g/11 h/255 i/7 j/- k/1 l/10');
    await sync(ch);
    assert.equal(labels(await drain(ch, q)), 'f/10 g/11 h/255 l/10 c/7 i/7 a/3 d/3 k/1 b/- e/0 j/-');
  });

  test('basic.consume sees the same order as basic.get, picking the next message when there is room', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { arguments: { 'x-max-priority': 10 } });
    publishWithPriorities(ch, q, 'a/1 b/5 c/- d/5 e/9');
    await sync(ch);
    const consumer = await channel(conn);
    await consumer.prefetch(1);
    const { inbox } = await consume(consumer, q);
    const first = await inbox.next();
    publishWithPriorities(ch, q, 'X/10 Y/2');
    await sync(ch);
    const seen = [first!];
    consumer.ack(first!);
    for (let i = 0; i < 6; i++) {
      const m = (await inbox.next())!;
      seen.push(m);
      consumer.ack(m);
    }
    assert.equal(labels(seen), 'e/9 X/10 b/5 d/5 Y/2 a/1 c/-');
  });

  test('x-max-priority 0 is one level (plain FIFO); 1 has two levels; a queue without it ignores priorities', async (t) => {
    const n = names(t, broker.url);
    const zero = n.queue();
    const one = n.queue();
    const plain = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(zero, { arguments: { 'x-max-priority': 0 } });
    await ch.assertQueue(one, { arguments: { 'x-max-priority': 1 } });
    await ch.assertQueue(plain);
    for (const q of [zero, one, plain]) publishWithPriorities(ch, q, 'a/2 b/0 c/1 d/- e/255 f/1 g/254');
    await sync(ch);
    assert.equal(labels(await drain(ch, zero)), 'a/2 b/0 c/1 d/- e/255 f/1 g/254');
    assert.equal(labels(await drain(ch, one)), 'a/2 c/1 e/255 f/1 g/254 b/0 d/-');
    assert.equal(labels(await drain(ch, plain)), 'a/2 b/0 c/1 d/- e/255 f/1 g/254');
  });

  test('a requeued message goes back into its own level at its original place', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { arguments: { 'x-max-priority': 10 } });
    publishWithPriorities(ch, q, 'a/5 b/5 c/1 d/9');
    await sync(ch);
    const taker = await channel(conn);
    const d = (await getOne(taker, q));
    const a = (await getOne(taker, q));
    const b = (await getOne(taker, q));
    assert.equal(labels([d, a, b]), 'd/9 a/5 b/5');
    publishWithPriorities(ch, q, 'e/5 f/9 g/0');
    await sync(ch);
    taker.nack(b, false, true);
    taker.nack(d, false, true);
    taker.nack(a, false, true);
    await sync(taker);
    const drained = await drain(ch, q);
    assert.equal(labels(drained), 'd/9 f/9 a/5 b/5 e/5 c/1 g/0');
    assert.deepEqual(
      drained.map((m) => m.fields.redelivered),
      [true, false, true, true, false, false, false],
    );
  });

  test('drop-head drops the next message to be delivered (the head of the highest level), not the oldest', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const dlq = n.queue('dlq');
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(dlq);
    await ch.assertQueue(q, {
      arguments: { 'x-max-priority': 10, 'x-max-length': 3, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dlq },
    });
    publishWithPriorities(ch, q, 'a/1 b/9 c/5 d/1 e/0 f/9');
    await sync(ch);
    assert.equal(labels(await drain(ch, q)), 'a/1 d/1 e/0');
    await waitForReady(conn, dlq, 3);
    assert.equal(labels(await drain(ch, dlq)), 'b/9 c/5 f/9');
  });

  test('reject-publish counts every level together', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await confirmChannel(conn);
    await ch.assertQueue(q, { arguments: { 'x-max-priority': 10, 'x-max-length': 2, 'x-overflow': 'reject-publish' } });
    const outcomes: string[] = [];
    for (const [body, priority] of [['a', 1], ['b', 1], ['c', 9]] as const) {
      outcomes.push(await new Promise((resolve) => ch.sendToQueue(q, Buffer.from(body), { priority }, (err) => resolve(err ? 'nack' : 'ack'))));
    }
    assert.deepEqual(outcomes, ['ack', 'ack', 'nack']);
  });
});

describe('x-max-priority validation', () => {
  const invalid: [unknown, string][] = [
    [256, '{max_value_exceeded,256}'],
    [1000, '{max_value_exceeded,1000}'],
    [-1, '{value_negative,-1}'],
    ['5', '"expected integer, got longstr"'],
    [true, '"expected integer, got bool"'],
    [2.5, '"expected integer, got double"'],
  ];
  for (const [value, detail] of invalid) {
    test(`${JSON.stringify(value)} → 406 ${detail}`, async (t) => {
      const q = names(t, broker.url).queue();
      const conn = await connect(broker.url, t);
      const ch = await channel(conn);
      const text = `PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue '${q}' in vhost '/': ${detail}`;
      const close = await expectChannelClosed(ch, 406, text, () => ch.assertQueue(q, { arguments: { 'x-max-priority': value } }));
      assert.equal(close.text, text);
    });
  }

  test('255 is the maximum; a redeclare must name the same maximum', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { arguments: { 'x-max-priority': 255 } });
    await expectChannelClosed(
      ch,
      406,
      `PRECONDITION_FAILED - inequivalent arg 'x-max-priority' for queue '${q}' in vhost '/': received '5' but current is '255'`,
      () => ch.assertQueue(q, { arguments: { 'x-max-priority': 5 } }),
    );
  });
});

describe('a durable priority queue', () => {
  const external = process.env.WARREN_TEST_URL !== undefined;
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('keeps its order across a restart, with a backlog mostly on disk', { skip: external && 'needs an embedded Warren to restart' }, async () => {
    const { Broker: WarrenBroker } = await import('../src/index.js');
    const dataDir = mkdtempSync(join(tmpdir(), 'warren-priority-'));
    dirs.push(dataDir);
    let warren: Broker = await WarrenBroker.start({ port: 0, dataDir });
    const q = 'priority.restart';
    const count = 20_000;
    try {
      const conn = await connect(warren.url);
      const ch = await confirmChannel(conn);
      await ch.assertQueue(q, { durable: true, arguments: { 'x-max-priority': 4 } });
      for (let i = 0; i < count; i++) ch.sendToQueue(q, Buffer.from(String(i)), { persistent: true, priority: i % 5 });
      await ch.waitForConfirms();
      await conn.close();
    } finally {
      await warren.close();
    }
    warren = await WarrenBroker.start({ port: 0, dataDir });
    try {
      const conn = await connect(warren.url);
      const ch = await channel(conn);
      assert.equal((await ch.checkQueue(q)).messageCount, count);
      await ch.prefetch(500);
      const received: number[] = [];
      const priorities: number[] = [];
      await new Promise<void>((resolve) => {
        void ch.consume(q, (m) => {
          received.push(Number(m!.content.toString()));
          priorities.push(m!.properties.priority);
          ch.ack(m!);
          if (received.length === count) resolve();
        });
      });
      const expected = [4, 3, 2, 1, 0].flatMap((p) => Array.from({ length: count / 5 }, (_, k) => k * 5 + p));
      assert.deepEqual(received, expected);
      await conn.close();
    } finally {
      await warren.close();
    }
  });
});
