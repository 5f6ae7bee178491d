// The Prometheus endpoint: RabbitMQ 3.10's metric names with HELP and TYPE lines, at
// /metrics (aggregated) and /metrics/per-object (per queue), and values that move when
// messages flow.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Broker } from '../src/index.js';
import { connect, uniqueName } from './support/amqp.js';

let broker: Broker;
before(async () => {
  const { Broker } = await import('../src/index.js');
  broker = await Broker.start({ port: 0, metricsPort: 0 });
});
after(() => broker.close());

interface Scrape {
  text: string;
  /** `name` or `name{labels}` -> value */
  samples: Map<string, number>;
  value(name: string, labels?: Record<string, string>): number | undefined;
}

async function scrape(path = ''): Promise<Scrape> {
  const response = await fetch(broker.metricsUrl! + path);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  const value = (name: string, labels?: Record<string, string>) => {
    if (!labels) return samples.get(name);
    const rendered = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
    return samples.get(`${name}{${rendered}}`);
  };
  return { text, samples, value };
}

const AMQP091 = { protocol: 'amqp091' };

const REQUIRED: ReadonlyArray<readonly [string, string]> = [
  ['rabbitmq_queue_messages_ready', 'gauge'],
  ['rabbitmq_queue_messages_unacked', 'gauge'],
  ['rabbitmq_queue_messages', 'gauge'],
  ['rabbitmq_queue_messages_ready_bytes', 'gauge'],
  ['rabbitmq_queue_messages_unacked_bytes', 'gauge'],
  ['rabbitmq_queue_messages_bytes', 'gauge'],
  ['rabbitmq_queue_consumers', 'gauge'],
  ['rabbitmq_queues', 'gauge'],
  ['rabbitmq_connections', 'gauge'],
  ['rabbitmq_channels', 'gauge'],
  ['rabbitmq_consumers', 'gauge'],
  ['rabbitmq_global_messages_received_total', 'counter'],
  ['rabbitmq_global_messages_routed_total', 'counter'],
  ['rabbitmq_global_messages_unroutable_dropped_total', 'counter'],
  ['rabbitmq_global_messages_unroutable_returned_total', 'counter'],
  ['rabbitmq_global_messages_confirmed_total', 'counter'],
  ['rabbitmq_global_messages_delivered_total', 'counter'],
  ['rabbitmq_global_messages_redelivered_total', 'counter'],
  ['rabbitmq_global_messages_acknowledged_total', 'counter'],
  ['rabbitmq_process_resident_memory_bytes', 'gauge'],
  ['rabbitmq_identity_info', 'untyped'],
];

describe('/metrics', () => {
  test('every main RabbitMQ metric is there with its HELP and TYPE lines', async () => {
    const { text } = await scrape();
    for (const [name, type] of REQUIRED) {
      assert.match(text, new RegExp(`^# TYPE ${name} ${type}$`, 'm'), `TYPE of ${name}`);
      assert.match(text, new RegExp(`^# HELP ${name} \\S.*$`, 'm'), `HELP of ${name}`);
      assert.match(text, new RegExp(`^${name}(\\{[^}]*\\})? [0-9.e+-]+$`, 'm'), `a sample of ${name}`);
    }
    assert.match(text, /^rabbitmq_identity_info\{rabbitmq_node="warren@[^"]+",rabbitmq_cluster="[^"]+",rabbitmq_cluster_permanent_id="[^"]+"\} 1$/m);
    assert.ok(Number(/^rabbitmq_process_resident_memory_bytes (\d+)$/m.exec(text)?.[1]) > 1_000_000);
  });

  test('values move as messages are published, routed, dropped, returned, confirmed, delivered, redelivered and acked', async (t) => {
    const before = await scrape();
    const counter = (s: Scrape, what: string) => s.value(`rabbitmq_global_messages_${what}_total`, AMQP091) ?? NaN;
    const conn = await connect(broker.url, t);
    const ch = await conn.createConfirmChannel();
    const q = uniqueName('q');
    await ch.assertQueue(q, { exclusive: true });
    for (let i = 0; i < 5; i++) ch.sendToQueue(q, Buffer.from(`m${i}`));
    ch.publish('amq.direct', 'nowhere', Buffer.from('dropped'));
    ch.publish('amq.direct', 'nowhere', Buffer.from('returned'), { mandatory: true });
    await ch.waitForConfirms();

    const published = await scrape();
    assert.equal(counter(published, 'received') - counter(before, 'received'), 7);
    assert.equal(counter(published, 'routed') - counter(before, 'routed'), 5);
    assert.equal(counter(published, 'unroutable_dropped') - counter(before, 'unroutable_dropped'), 1);
    assert.equal(counter(published, 'unroutable_returned') - counter(before, 'unroutable_returned'), 1);
    assert.equal(counter(published, 'confirmed') - counter(before, 'confirmed'), 7);
    assert.equal(published.value('rabbitmq_connections'), 1);
    assert.equal(published.value('rabbitmq_channels'), 1);
    assert.ok((published.value('rabbitmq_queue_messages_ready') ?? 0) >= 5);

    const consumer = await conn.createChannel();
    await consumer.prefetch(5);
    const delivered: import('amqplib').ConsumeMessage[] = [];
    await consumer.consume(q, (message) => message && delivered.push(message));
    while (delivered.length < 5) await new Promise((resolve) => setTimeout(resolve, 5));
    const consuming = await scrape();
    assert.equal(consuming.value('rabbitmq_consumers'), 1);
    assert.equal(consuming.value('rabbitmq_queue_messages_unacked'), 5);
    assert.equal(counter(consuming, 'delivered') - counter(before, 'delivered'), 5);

    consumer.nack(delivered[0], false, true); // back to the queue, delivered again as redelivered
    while (delivered.length < 6) await new Promise((resolve) => setTimeout(resolve, 5));
    for (const message of delivered.slice(1)) consumer.ack(message);
    await consumer.checkQueue(q);
    const acked = await scrape();
    assert.equal(counter(acked, 'redelivered') - counter(before, 'redelivered'), 1);
    assert.equal(counter(acked, 'acknowledged') - counter(before, 'acknowledged'), 5);
    assert.equal(acked.value('rabbitmq_queue_messages_unacked'), 0);
  });

  test('/metrics/per-object gives each queue its own samples with vhost and queue labels', async (t) => {
    const conn = await connect(broker.url, t);
    const ch = await conn.createConfirmChannel();
    const q = uniqueName('q');
    await ch.assertQueue(q, { exclusive: true });
    for (let i = 0; i < 3; i++) ch.sendToQueue(q, Buffer.from('x'));
    await ch.waitForConfirms();
    const perObject = await scrape('/per-object');
    const labels = { vhost: '/', queue: q };
    assert.equal(perObject.value('rabbitmq_queue_messages_ready', labels), 3);
    assert.equal(perObject.value('rabbitmq_queue_messages', labels), 3);
    assert.equal(perObject.value('rabbitmq_queue_messages_unacked', labels), 0);
    assert.equal(perObject.value('rabbitmq_queue_messages_ready_bytes', labels), 3, 'body bytes');
    assert.equal(perObject.value('rabbitmq_queue_messages_bytes', labels), 3);
    assert.equal(perObject.value('rabbitmq_queue_consumers', labels), 0);
    assert.equal(perObject.value('rabbitmq_queue_messages_published_total', labels), 3);
    // The aggregated endpoint has no per-queue samples.
    const aggregated = await scrape();
    assert.equal(aggregated.value('rabbitmq_queue_messages_ready', labels), undefined);
    assert.ok(aggregated.text.includes('\nrabbitmq_queue_messages_ready '));
  });

  test('label values are escaped', async () => {
    const q = 'a "quoted" \\ name';
    broker.control.queues.declare('/', q, {});
    try {
      const { text } = await scrape('/per-object');
      assert.ok(text.includes('queue="a \\"quoted\\" \\\\ name"'));
    } finally {
      broker.control.queues.delete('/', q, {});
    }
  });

  test('other paths are 404', async () => {
    const response = await fetch(broker.metricsUrl!.replace(/\/metrics$/, '/other'));
    assert.equal(response.status, 404);
    await response.text();
  });
});

describe('endpoints are optional', () => {
  test('without httpPort and metricsPort a broker serves neither', async () => {
    const { Broker } = await import('../src/index.js');
    const plain = await Broker.start({ port: 0 });
    try {
      assert.equal(plain.httpUrl, undefined);
      assert.equal(plain.metricsUrl, undefined);
      assert.equal(plain.control.listeners.length, 1);
    } finally {
      await plain.close();
    }
  });

  test('a port in use fails the start with a message that says what to do, leaving nothing open', async () => {
    const { Broker } = await import('../src/index.js');
    const { createServer } = await import('node:net');
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await assert.rejects(Broker.start({ port: 0, metricsPort: port }), {
        code: 'EADDRINUSE',
        message: `Prometheus metrics port 127.0.0.1:${port} is already in use: choose another with --metrics-port (WARREN_METRICS_PORT), or 0 to turn it off`,
      });
    } finally {
      blocker.close();
    }
  });

  test('httpPort and metricsPort null mean off; 0 means a free port', async () => {
    const { Broker } = await import('../src/index.js');
    const both = await Broker.start({ port: 0, httpPort: 0, metricsPort: null });
    try {
      assert.match(both.httpUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(both.metricsUrl, undefined);
    } finally {
      await both.close();
    }
  });
});
