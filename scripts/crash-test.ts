/**
 * Crash test: a publisher with confirms and a consumer with manual acks run against a
 * Warren that is killed with SIGKILL and restarted at random moments. At the end every
 * confirmed message must have been received, and any message received twice must carry
 * redelivered=true the second time.
 *
 *   node dist/scripts/crash-test.js [--cycles 20] [--seed 1] [--keep]
 *
 * Prints one line per cycle and a summary; exits 1 if a confirmed message was lost or a
 * duplicate was not flagged redelivered.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import amqp from 'amqplib';

const { values: args } = parseArgs({
  options: {
    cycles: { type: 'string', default: '20' },
    seed: { type: 'string', default: String(Date.now() % 100000) },
    keep: { type: 'boolean', default: false },
  },
});
const CYCLES = Number(args.cycles);
const QUEUE = 'crash-test';
const MAX_IN_FLIGHT = 200;

let seed = Number(args.seed);
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const warrenCli = resolve(import.meta.dirname, '../src/cli/warren.js');
const dataDir = mkdtempSync(join(tmpdir(), 'warren-crash-'));
const logFile = join(dataDir, 'broker.log');

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

async function startBroker(port: number): Promise<void> {
  const log = openSync(logFile, 'a');
  broker = spawn(process.execPath, [warrenCli, '--port', String(port), '--http-port', '0', '--metrics-port', '0', '--stream-port', '0', '--data-dir', join(dataDir, 'data'), '--log-level', 'info'], {
    stdio: ['ignore', log, log],
  });
  for (let i = 0; i < 300; i++) {
    if (await portOpen(port)) return;
    if (broker.exitCode !== null) throw new Error(`broker exited with ${broker.exitCode}; see ${logFile}`);
    await sleep(50);
  }
  throw new Error(`broker did not open port ${port}; see ${logFile}`);
}

async function killBroker(): Promise<void> {
  const child = broker;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGKILL');
  await exited;
}

async function stopBroker(): Promise<void> {
  const child = broker;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

// --- what the clients saw ---------------------------------------------------
const confirmed = new Set<number>();
const receipts = new Map<number, number>(); // id -> times received
let unflaggedDuplicates = 0;
let redeliveries = 0;
let published = 0;
let publishing = true;
let running = true;

async function publisher(url: string): Promise<void> {
  let next = 1;
  while (publishing) {
    try {
      const connection = await amqp.connect(url);
      connection.on('error', () => {});
      const channel = await connection.createConfirmChannel();
      channel.on('error', () => {});
      await channel.assertQueue(QUEUE, { durable: true });
      let inFlight = 0;
      let failed = false;
      connection.once('close', () => (failed = true));
      while (publishing && !failed) {
        if (inFlight >= MAX_IN_FLIGHT) {
          await sleep(1);
          continue;
        }
        const id = next++;
        inFlight++;
        published++;
        channel.publish('', QUEUE, Buffer.from(String(id)), { persistent: true, messageId: String(id) }, (error) => {
          inFlight--;
          if (!error) confirmed.add(id);
        });
        if (id % 50 === 0) await sleep(0);
      }
      await connection.close().catch(() => {});
    } catch {
      await sleep(100); // broker down: try again
    }
  }
}

async function consumer(url: string): Promise<void> {
  while (running) {
    try {
      const connection = await amqp.connect(url);
      connection.on('error', () => {});
      const channel = await connection.createChannel();
      channel.on('error', () => {});
      await channel.assertQueue(QUEUE, { durable: true });
      await channel.prefetch(100);
      const closed = new Promise((done) => connection.once('close', done));
      await channel.consume(QUEUE, (message) => {
        if (!message) return;
        const id = Number(message.content.toString());
        const seen = receipts.get(id) ?? 0;
        if (seen > 0) {
          if (message.fields.redelivered) redeliveries++;
          else unflaggedDuplicates++;
        }
        receipts.set(id, seen + 1);
        channel.ack(message);
      });
      await closed;
    } catch {
      await sleep(100);
    }
  }
}

async function drain(url: string): Promise<number> {
  // Consume until the queue stays empty for a while; what is left is counted.
  const connection = await amqp.connect(url);
  const channel = await connection.createChannel();
  let quietSince = Date.now();
  for (;;) {
    const { messageCount } = await channel.checkQueue(QUEUE);
    if (messageCount > 0) quietSince = Date.now();
    if (Date.now() - quietSince > 2000) break;
    await sleep(200);
  }
  const left = (await channel.checkQueue(QUEUE)).messageCount;
  await connection.close();
  return left;
}

async function main(): Promise<void> {
  const port = await freePort();
  const url = `amqp://guest:guest@127.0.0.1:${port}/`;
  console.log(`crash test: ${CYCLES} cycles, seed ${args.seed}, data in ${dataDir}`);
  await startBroker(port);
  const clients = [publisher(url), consumer(url)];
  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    await sleep(300 + random() * 1200);
    await killBroker();
    const lost = [...confirmed].filter((id) => !receipts.has(id)).length;
    console.log(
      `cycle ${cycle}: killed after ${published} published, ${confirmed.size} confirmed, ${receipts.size} received (${lost} confirmed not yet received)`,
    );
    await startBroker(port);
  }
  // Stop publishing, let the consumer take everything, then stop cleanly.
  publishing = false;
  await clients[0];
  const left = await drain(url);
  running = false;
  await stopBroker();
  await Promise.race([clients[1], sleep(2000)]);

  const lost = [...confirmed].filter((id) => !receipts.has(id));
  console.log(
    `summary: published ${published}, confirmed ${confirmed.size}, received ${receipts.size} distinct, ` +
      `left in queue ${left}, redelivered duplicates ${redeliveries}, ` +
      `confirmed-and-lost ${lost.length}, duplicates not flagged redelivered ${unflaggedDuplicates}`,
  );
  if (lost.length > 0) console.log(`lost ids (first 20): ${lost.slice(0, 20).join(', ')}`);
  const ok = lost.length === 0 && unflaggedDuplicates === 0;
  if (!args.keep && ok) rmSync(dataDir, { recursive: true, force: true });
  else console.log(`data and broker log kept in ${dataDir}`);
  process.exit(ok ? 0 : 1);
}

main().catch(async (error: Error) => {
  console.error(`crash test failed to run: ${error.message}`);
  await killBroker();
  process.exit(2);
});
