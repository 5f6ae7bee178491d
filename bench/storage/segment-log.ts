/**
 * Storage benchmark, run by hand (not part of npm test):
 *
 *   npm run build && node dist/bench/storage/segment-log.js [records] [bodyBytes] [dir]
 *
 * 1. Appends `records` (default 1,000,000) records of `bodyBytes` (default 1024) to one durable
 *    log with group commit every 2 ms, yielding to the event loop every 1,000 appends as a
 *    broker would between socket reads; reports appends/s and the rate at which they became
 *    durable (last sync done).
 * 2. In a fresh process (so its RSS is only what opening costs): reopens the log, reports the
 *    open time and RSS, reads every record (reads/s) and acks the first half one by one.
 * 3. In another fresh process: reopens (now with ack files to load), then purges the rest
 *    with ackFrom(start).
 *
 * With --cold, step 3 first drops the page cache (needs root) so the reopen reads from disk.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../src/log.js';
import { RecordFlag } from '../../src/storage/record.js';
import { SegmentLog } from '../../src/storage/segment-log.js';
import { SyncScheduler } from '../../src/storage/sync-scheduler.js';

const log = createLogger('warn');
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

async function writePhase(dir: string, count: number, bodyBytes: number): Promise<void> {
  const sync = new SyncScheduler({ intervalMs: 2, log });
  let cycles = 0;
  // Confirm latency: from the first append of an epoch to the result that makes it durable.
  const firstAppend = new Map<number, number>();
  const latencies: number[] = [];
  sync.onSynced((r) => {
    cycles++;
    const t = firstAppend.get(r.epoch);
    if (t !== undefined) latencies.push(performance.now() - t);
    firstAppend.delete(r.epoch);
  });
  const l = SegmentLog.open(dir, { sync, log, durable: true });
  const header = Buffer.from('003c000000000000000004001000' + '02', 'hex');
  const body = Buffer.alloc(bodyBytes, 0x61);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const { epoch } = l.append({ flags: RecordFlag.Persistent, seq: i + 1, expiresAt: 0, exchange: 'bench', routingKey: 'bench.key', header, body });
    if (!firstAppend.has(epoch)) firstAppend.set(epoch, performance.now());
    if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
  }
  const t1 = performance.now();
  await sync.flush();
  const t2 = performance.now();
  console.log(
    `append   ${count} x ${bodyBytes} B: ${((count / (t1 - t0)) * 1000).toFixed(0)} appends/s, ` +
      `durable at ${((count / (t2 - t0)) * 1000).toFixed(0)} records/s (${((count * bodyBytes) / 1024 / 1024 / ((t2 - t0) / 1000)).toFixed(0)} MiB/s), ` +
      `${cycles} sync cycles, ${l.segmentCount} segments, ${mib(l.diskBytes)} on disk`,
  );
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(1);
  console.log(`confirm  latency (first append of an epoch -> its sync result): p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${pct(1)} ms`);
  l.close();
  await sync.close();
}

async function reopenPhase(dir: string, ackHalf: boolean): Promise<void> {
  const rss0 = process.memoryUsage().rss;
  const sync = new SyncScheduler({ intervalMs: 2, log });
  const t0 = performance.now();
  const l = SegmentLog.open(dir, { sync, log, durable: true });
  const t1 = performance.now();
  globalThis.gc?.();
  const mem = process.memoryUsage();
  console.log(
    `reopen   ${l.recovery.unackedRecords} unacked in ${l.recovery.segments} segments: ${(t1 - t0).toFixed(0)} ms, ` +
      `RSS ${mib(mem.rss)} (+${mib(mem.rss - rss0)} over an idle node), heap used ${mib(mem.heapUsed)}`,
  );
  if (ackHalf) {
    // Read everything as a consumer would, then ack the first half one by one.
    const half = Math.floor(l.recovery.unackedRecords / 2);
    const positions = new Float64Array(half);
    let n = 0;
    let at = l.start;
    const t2 = performance.now();
    for (;;) {
      const { records, next } = l.read(at, 256, 1024 * 1024);
      if (records.length === 0) break;
      for (const r of records) if (n < half) positions[n++] = r.position;
      else n++;
      at = next;
    }
    const t3 = performance.now();
    console.log(`read     ${n} records in batches of 256: ${((n / (t3 - t2)) * 1000).toFixed(0)} reads/s, RSS ${mib(process.memoryUsage().rss)}`);
    for (let i = 0; i < half; i++) l.ack(positions[i]);
    await sync.flush();
    console.log(`ack      ${half} one by one: ${((half / (performance.now() - t3)) * 1000).toFixed(0)} acks/s (synced), ${l.segmentCount} segments left`);
    l.close();
    await sync.close();
    return;
  }
  const t4 = performance.now();
  const purged = l.ackFrom(l.start);
  await sync.flush();
  console.log(`purge    ackFrom(start) of ${purged}: ${(performance.now() - t4).toFixed(0)} ms, ${l.segmentCount} segment left`);
  l.close();
  await sync.close();
}

const args = process.argv.slice(2);
if (args[0] === '--reopen') {
  await reopenPhase(args[1], args[2] === 'ack-half');
} else {
  const cold = args.includes('--cold');
  const [count = 1_000_000, bodyBytes = 1024] = args.filter((a) => !a.startsWith('--')).map(Number);
  const given = args.filter((a) => !a.startsWith('--'))[2];
  const dir = given ?? join(mkdtempSync(join(tmpdir(), 'warren-bench-')), 'q');
  console.log(`node ${process.version}, dir ${dir}`);
  try {
    await writePhase(dir, count, bodyBytes);
    for (const step of ['ack-half', 'purge']) {
      if (cold) execFileSync('sh', ['-c', 'sync && echo 3 > /proc/sys/vm/drop_caches']);
      const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--reopen', dir, step], { stdio: 'inherit' });
      if (child.status !== 0) process.exitCode = 1;
    }
  } finally {
    if (given === undefined) rmSync(join(dir, '..'), { recursive: true, force: true });
  }
}
