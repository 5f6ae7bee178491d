import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Broker } from '../src/index.js';
import { channel, connect, type Channel, type ConsumeMessage } from './support/amqp.js';

// Flow control is Warren's own mechanism (RabbitMQ's credit flow differs in detail), so
// these tests run on an in-process Warren.
let broker: Broker;
before(async () => {
  broker = await Broker.start({ port: 0 });
});
after(() => broker.close());

/**
 * Publishes `count` messages as fast as the socket takes them, honouring backpressure.
 * It yields now and then so the consumer in this same process keeps acking: a consumer
 * that stops for a second counts as stalled, and stalled consumers hold nobody back.
 */
async function publishAll(ch: Channel, queue: string, count: number): Promise<void> {
  const body = Buffer.alloc(100, 7);
  for (let i = 0; i < count; i++) {
    if (!ch.sendToQueue(queue, body)) await new Promise((resume) => ch.once('drain', resume));
    if (i % 200 === 199) await new Promise((resume) => setImmediate(resume));
  }
}

/** Consumes with manual acks, acking each message after `delayMs`; resolves when `count` arrived. */
function slowConsumer(ch: Channel, queue: string, count: number, delayMs: number): Promise<void> {
  let received = 0;
  return new Promise((done) => {
    void ch.consume(queue, (message: ConsumeMessage | null) => {
      if (!message) return;
      setTimeout(() => {
        ch.ack(message);
        if (++received === count) done();
      }, delayMs);
    });
  });
}

describe('publisher flow control', () => {
  test('a publisher outrunning an active consumer is held back, so the backlog stays small', async (t) => {
    const total = 30_000;
    const consumerCh = await channel(await connect(broker.url, t));
    await consumerCh.assertQueue('flow-slow', { autoDelete: true });
    await consumerCh.prefetch(50);
    const consumed = slowConsumer(consumerCh, 'flow-slow', total, 0);
    const publisherConn = await connect(broker.url, t);
    const publisherCh = await channel(publisherConn);
    const watcher = await channel(await connect(broker.url, t));

    let largestBacklog = 0;
    let publishing = true;
    const watching = (async () => {
      while (publishing) {
        largestBacklog = Math.max(largestBacklog, (await watcher.checkQueue('flow-slow')).messageCount);
        await new Promise((resume) => setTimeout(resume, 5));
      }
    })();
    await publishAll(publisherCh, 'flow-slow', total);
    await consumed;
    publishing = false;
    await watching;
    // Held at 2,000 ready messages; what is already read from the socket still lands.
    assert.ok(largestBacklog < 8000, `the backlog reached ${largestBacklog} of ${total} messages`);
  });

  test('a connection that both publishes and consumes is never held (its acks share the socket)', async (t) => {
    const total = 20_000;
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue('flow-same-connection', { autoDelete: true });
    await ch.prefetch(20);
    const consumed = slowConsumer(ch, 'flow-same-connection', total, 0);
    await publishAll(ch, 'flow-same-connection', total);
    await consumed; // would never resolve if holding the socket stalled the acks
  });

  test('without consumers nothing is held: the backlog simply grows (on disk past the memory window)', async (t) => {
    const total = 20_000;
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue('flow-no-consumer', { autoDelete: false });
    await publishAll(ch, 'flow-no-consumer', total);
    const check = await channel(await connect(broker.url, t));
    let count = 0;
    for (let attempt = 0; attempt < 200 && count < total; attempt++) {
      count = (await check.checkQueue('flow-no-consumer')).messageCount;
      if (count < total) await new Promise((resume) => setTimeout(resume, 10));
    }
    assert.equal(count, total);
    await check.deleteQueue('flow-no-consumer');
  });
});
