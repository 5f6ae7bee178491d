/**
 * Stream crash test: Warren is killed with SIGKILL and restarted at random moments while
 *   - an AMQP 0-9-1 publisher with confirms appends ids to a stream,
 *   - a stream-protocol publisher with a publisher reference (deduplication) appends ids
 *     and, after each reconnect, sends again everything not yet confirmed, same ids,
 *   - an AMQP 0-9-1 consumer with server-side offset tracking (x-stream-automatic-offset-tracking)
 *     reads it, reconnecting after each crash and resuming where its acks got to.
 * At the end, read from the first offset: every confirmed message is in the stream exactly
 * once (the deduplicated publisher's resends included), every offset holds what it held
 * when first read, and the tracking consumer received every message of the stream.
 *
 *   node dist/scripts/stream-crash-test.js [--cycles 10] [--seed 1] [--keep]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import amqp from 'amqplib';
import * as streams from 'rabbitmq-stream-js-client';

const { values: args } = parseArgs({
  options: {
    cycles: { type: 'string', default: '10' },
    seed: { type: 'string', default: String(Date.now() % 100000) },
    keep: { type: 'boolean', default: false },
  },
});
const CYCLES = Number(args.cycles);
const STREAM = 'stream-crash-test';
const MAX_IN_FLIGHT = 200;
const TRACKING_TAG = 'stream-crash-reader';

let seed = Number(args.seed);
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const warrenCli = resolve(import.meta.dirname, '../src/cli/warren.js');
const dataDir = mkdtempSync(join(tmpdir(), 'warren-stream-crash-'));
const logFile = join(dataDir, 'broker.log');

// The stream client throws from its socket handlers when a connection dies mid-frame; the
// test only cares about what was confirmed and what is in the stream.
let clientLibraryErrors = 0;
process.on('uncaughtException', () => clientLibraryErrors++);
process.on('unhandledRejection', () => clientLibraryErrors++);

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1');
  });
}

let broker: ChildProcess | undefined;

async function startBroker(port: number, streamPort: number): Promise<void> {
  const log = openSync(logFile, 'a');
  const flags = ['--port', String(port), '--stream-port', String(streamPort), '--http-port', '0', '--metrics-port', '0'];
  broker = spawn(process.execPath, [warrenCli, ...flags, '--data-dir', join(dataDir, 'data'), '--log-level', 'info'], { stdio: ['ignore', log, log] });
  for (let i = 0; i < 300; i++) {
    if ((await portOpen(port)) && (await portOpen(streamPort))) return;
    if (broker.exitCode !== null) throw new Error(`broker exited with ${broker.exitCode}; see ${logFile}`);
    await sleep(50);
  }
  throw new Error(`broker did not open its ports; see ${logFile}`);
}

async function stopBroker(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  const child = broker;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill(signal);
  await exited;
}

// --- what the clients saw ---------------------------------------------------
/** Body -> confirmed. Bodies are "a<n>" (AMQP publisher) and "s<n>" (stream publisher). */
const confirmed = new Set<string>();
let publishedAmqp = 0;
let publishedStream = 0;
let resent = 0;
/** What the tracking consumer saw at each offset (first sighting), and every body it got. */
const seenAt = new Map<number, string>();
const trackedBodies = new Set<string>();
let offsetMismatches = 0;
let publishing = true;
let consuming = true;

function declareStream(url: string): Promise<void> {
  return amqp.connect(url).then(async (connection) => {
    const channel = await connection.createChannel();
    await channel.assertQueue(STREAM, { durable: true, arguments: { 'x-queue-type': 'stream' } });
    await connection.close();
  });
}

async function amqpPublisher(url: string): Promise<void> {
  let next = 1;
  while (publishing) {
    try {
      const connection = await amqp.connect(url);
      connection.on('error', () => {});
      const channel = await connection.createConfirmChannel();
      channel.on('error', () => {});
      let inFlight = 0;
      let failed = false;
      connection.once('close', () => (failed = true));
      while (publishing && !failed) {
        if (inFlight >= MAX_IN_FLIGHT) {
          await sleep(1);
          continue;
        }
        const body = `a${next++}`;
        inFlight++;
        publishedAmqp++;
        channel.publish('', STREAM, Buffer.from(body), { persistent: true }, (error) => {
          inFlight--;
          if (!error) confirmed.add(body);
        });
        if (next % 50 === 0) await sleep(0);
      }
      await connection.close().catch(() => {});
    } catch {
      await sleep(100);
    }
  }
}

/** Publishes s1, s2, ... with publishing id n; after a reconnect, resends every id not confirmed yet. */
async function streamPublisher(streamPort: number): Promise<void> {
  const unconfirmed = new Map<bigint, string>();
  let next = 1n;
  while (publishing) {
    let client: streams.Client | undefined;
    try {
      client = await streams.connect({ hostname: '127.0.0.1', port: streamPort, username: 'guest', password: 'guest', vhost: '/', heartbeat: 0 });
      let failed = false;
      const publisher = await client.declarePublisher({ stream: STREAM, publisherRef: 'stream-crash-publisher', connectionClosedListener: () => (failed = true) });
      publisher.on('publish_confirm', (error, ids) => {
        if (error !== null) return;
        for (const id of ids) {
          const body = unconfirmed.get(id);
          if (body === undefined) continue;
          unconfirmed.delete(id);
          confirmed.add(body);
        }
      });
      // What was sent before the crash and not confirmed goes again, with its old ids.
      for (const [id, body] of [...unconfirmed].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        await publisher.basicSend(id, Buffer.from(body));
        resent++;
      }
      await publisher.flush();
      while (publishing && !failed) {
        if (unconfirmed.size >= MAX_IN_FLIGHT) {
          await sleep(2);
          continue;
        }
        const id = next++;
        const body = `s${id}`;
        unconfirmed.set(id, body);
        publishedStream++;
        await publisher.basicSend(id, Buffer.from(body));
        if (id % 20n === 0n) await publisher.flush();
      }
      await publisher.flush();
      await sleep(200);
    } catch {
      await sleep(100);
    } finally {
      await client?.close().catch(() => {});
    }
  }
}

async function trackingConsumer(url: string): Promise<void> {
  while (consuming) {
    try {
      const connection = await amqp.connect(url);
      connection.on('error', () => {});
      const channel = await connection.createChannel();
      channel.on('error', () => {});
      await channel.prefetch(100);
      const closed = new Promise((done) => connection.once('close', done));
      await channel.consume(
        STREAM,
        (message) => {
          if (!message) return;
          const offset = Number(message.properties.headers?.['x-stream-offset']);
          const body = message.content.toString();
          const before = seenAt.get(offset);
          if (before === undefined) seenAt.set(offset, body);
          else if (before !== body) offsetMismatches++;
          trackedBodies.add(body);
          channel.ack(message);
        },
        { consumerTag: TRACKING_TAG, arguments: { 'x-stream-offset': 'first', 'x-stream-automatic-offset-tracking': true } },
      );
      await closed;
    } catch {
      await sleep(100);
    }
  }
}

/** Everything in the stream from its first offset: offset -> body. */
async function readAll(url: string): Promise<Map<number, string>> {
  const connection = await amqp.connect(url);
  const channel = await connection.createChannel();
  const { messageCount } = await channel.checkQueue(STREAM);
  await channel.prefetch(1000);
  const all = new Map<number, string>();
  await channel.consume(
    STREAM,
    (message) => {
      if (!message) return;
      all.set(Number(message.properties.headers?.['x-stream-offset']), message.content.toString());
      channel.ack(message);
    },
    { arguments: { 'x-stream-offset': 'first' } },
  );
  // Until it has them all, or nothing came for 3 s.
  for (let size = -1, quiet = 0; all.size < messageCount && quiet < 30; ) {
    await sleep(100);
    quiet = all.size === size ? quiet + 1 : 0;
    size = all.size;
  }
  await connection.close();
  return all;
}

async function main(): Promise<void> {
  const [port, streamPort] = [await freePort(), await freePort()];
  const url = `amqp://guest:guest@127.0.0.1:${port}/`;
  console.log(`stream crash test: ${CYCLES} cycles, seed ${args.seed}, data in ${dataDir}`);
  await startBroker(port, streamPort);
  await declareStream(url);
  const publishers = [amqpPublisher(url), streamPublisher(streamPort)];
  const reader = trackingConsumer(url);
  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    await sleep(500 + random() * 1500);
    await stopBroker('SIGKILL');
    console.log(`cycle ${cycle}: killed after ${publishedAmqp} + ${publishedStream} published, ${confirmed.size} confirmed, ${trackedBodies.size} read by the tracking consumer`);
    await startBroker(port, streamPort);
  }
  publishing = false;
  await Promise.all(publishers);
  await sleep(1000);
  const all = await readAll(url);
  // Let the tracking consumer reach the end.
  for (let size = -1, quiet = 0; trackedBodies.size < all.size && quiet < 30; ) {
    await sleep(100);
    quiet = trackedBodies.size === size ? quiet + 1 : 0;
    size = trackedBodies.size;
  }
  consuming = false;
  await stopBroker('SIGTERM');
  await Promise.race([reader, sleep(2000)]);

  const copies = new Map<string, number>();
  for (const body of all.values()) copies.set(body, (copies.get(body) ?? 0) + 1);
  const lost = [...confirmed].filter((body) => !copies.has(body));
  const duplicated = [...copies].filter(([body, n]) => n > 1 && body.startsWith('s')).map(([body]) => body);
  let moved = 0;
  for (const [offset, body] of seenAt) if (all.has(offset) && all.get(offset) !== body) moved++;
  const missedByTracking = [...all.values()].filter((body) => !trackedBodies.has(body));
  console.log(
    `summary: published ${publishedAmqp} over AMQP + ${publishedStream} over the stream protocol (${resent} resent after crashes), ` +
      `confirmed ${confirmed.size}, in the stream ${all.size}; confirmed-and-lost ${lost.length}, ` +
      `deduplicated publisher's messages stored twice ${duplicated.length}, offsets whose message changed ${moved + offsetMismatches}, ` +
      `missed by the tracking consumer ${missedByTracking.length} (stream client errors ignored: ${clientLibraryErrors})`,
  );
  if (lost.length > 0) console.log(`lost (first 20): ${lost.slice(0, 20).join(', ')}`);
  if (duplicated.length > 0) console.log(`stored twice (first 20): ${duplicated.slice(0, 20).join(', ')}`);
  if (missedByTracking.length > 0) console.log(`missed (first 20): ${missedByTracking.slice(0, 20).join(', ')}`);
  const ok = lost.length === 0 && duplicated.length === 0 && moved + offsetMismatches === 0 && missedByTracking.length === 0;
  if (!args.keep && ok) rmSync(dataDir, { recursive: true, force: true });
  else console.log(`data and broker log kept in ${dataDir}`);
  process.exit(ok ? 0 : 1);
}

main().catch(async (error: Error) => {
  console.error(`stream crash test failed to run: ${error.message}`);
  await stopBroker('SIGKILL');
  process.exit(2);
});
