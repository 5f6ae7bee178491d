/**
 * Management API listing benchmark, run by hand (not part of npm test):
 *
 *   npm run build && node dist/bench/http-list-queues.js [queues]
 *
 * Starts an embedded broker with the HTTP API and metrics, declares `queues` (default
 * 10,000) queues over AMQP (a few messages in every tenth, a consumer on one), then
 * times GET /api/queues (the whole list, as RabbitMQ's UI and scripts fetch it), a
 * paged and a columns-only listing, and the per-object metrics scrape. The target is
 * under a second for the full listing of 10,000 queues.
 *
 * 2026-11-23, the project's 2-core / 24 GiB machine, Node 20.20, 10,000 queues:
 *   GET /api/queues                          median   153 ms (8.3 MiB of JSON)
 *   GET /api/queues?columns=name,messages    median    73 ms
 *   GET /api/queues?page=50&page_size=100    median    49 ms
 *   GET /api/bindings                        median    28 ms
 *   GET /metrics/per-object                  median    88 ms
 *   one rate sample (every 5 s)                       20 ms
 */
import { performance } from 'node:perf_hooks';
import amqp from 'amqplib';
import { Broker } from '../src/index.js';

const count = Number(process.argv[2] ?? 10_000);
const RUNS = 5;
const auth = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

async function time(label: string, url: string, headers: Record<string, string> = { authorization: auth }): Promise<void> {
  const durations: number[] = [];
  let bytes = 0;
  let items = 0;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers });
    const text = await response.text();
    durations.push(performance.now() - started);
    if (response.status !== 200) throw new Error(`${label}: HTTP ${response.status} ${text.slice(0, 200)}`);
    bytes = text.length;
    if (text.startsWith('[')) items = (JSON.parse(text) as unknown[]).length;
  }
  durations.sort((a, b) => a - b);
  const median = durations[Math.floor(RUNS / 2)];
  const what = items > 0 ? `${items} items, ` : '';
  console.log(`${label.padEnd(40)} median ${median.toFixed(0).padStart(5)} ms  (min ${durations[0].toFixed(0)}, max ${durations[RUNS - 1].toFixed(0)}; ${what}${(bytes / 1024 / 1024).toFixed(1)} MiB)`);
}

const broker = await Broker.start({ port: 0, httpPort: 0, metricsPort: 0 });
try {
  const connection = await amqp.connect(broker.url);
  const channel = await connection.createChannel();
  const declared = performance.now();
  for (let i = 0; i < count; i++) {
    void channel.assertQueue(`bench.q.${String(i).padStart(6, '0')}`, { durable: false });
    if (i % 10 === 0) channel.sendToQueue(`bench.q.${String(i).padStart(6, '0')}`, Buffer.from('payload'));
  }
  await channel.checkQueue('bench.q.000000');
  await channel.consume('bench.q.000001', () => {});
  console.log(`declared ${count} queues over AMQP in ${(performance.now() - declared).toFixed(0)} ms`);
  broker.control.sampler.sample();

  await time('GET /api/queues', `${broker.httpUrl}/api/queues`);
  await time('GET /api/queues/%2F', `${broker.httpUrl}/api/queues/%2F`);
  await time('GET /api/queues?columns=name,messages', `${broker.httpUrl}/api/queues?columns=name,messages`);
  await time('GET /api/queues?page=50&page_size=100', `${broker.httpUrl}/api/queues?page=50&page_size=100`);
  await time('GET /api/bindings', `${broker.httpUrl}/api/bindings`);
  await time('GET /api/overview', `${broker.httpUrl}/api/overview`);
  await time('GET /metrics/per-object', `${broker.metricsUrl}/per-object`, {});
  await time('GET /metrics', `${broker.metricsUrl}`, {});
  const sampled = performance.now();
  broker.control.sampler.sample();
  console.log(`one rate sample over ${count} queues: ${(performance.now() - sampled).toFixed(1)} ms`);
  await connection.close();
} finally {
  await broker.close();
}
