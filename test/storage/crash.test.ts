/**
 * kill -9 in the middle of a stream of appends and acks: every record whose epoch was
 * reported synced (what the broker confirms) must be there after reopening, in order.
 * kill -9 keeps the page cache, so this checks the logic (nothing is confirmed before it is
 * written and synced, rotation and recovery work under load), not the disk.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { SegmentLog } from '../../src/storage/segment-log.js';
import { captureLog, scheduler, tempDir } from './helpers.js';

const src = (file: string) => pathToFileURL(join(import.meta.dirname, '..', '..', 'src', file)).href;

/** Appends records forever, acking every fifth, printing the highest seq known durable after each sync. */
const writer = (dir: string) => `
import { SegmentLog } from '${src('storage/segment-log.js')}';
import { SyncScheduler } from '${src('storage/sync-scheduler.js')}';
import { createLogger } from '${src('log.js')}';
const log = createLogger('silent');
const sync = new SyncScheduler({ intervalMs: 1, log });
const l = SegmentLog.open(${JSON.stringify(dir)}, { sync, log, durable: true, segmentSize: 64 * 1024 });
const lastSeqOfEpoch = new Map();
sync.onSynced((r) => {
  if (!r.ok) return;
  let confirmed = 0;
  for (const [epoch, seq] of lastSeqOfEpoch) if (epoch <= r.epoch) { confirmed = Math.max(confirmed, seq); lastSeqOfEpoch.delete(epoch); }
  if (confirmed > 0) process.stdout.write(confirmed + '\\n');
});
let seq = 0;
const header = Buffer.from('abc');
for (;;) {
  for (let i = 0; i < 200; i++) {
    seq++;
    const body = Buffer.alloc(10 + (seq * 7919) % 3000, seq & 0xff);
    const { position, epoch } = l.append({ flags: 1, seq, expiresAt: 0, exchange: 'x', routingKey: 'k', header, body });
    lastSeqOfEpoch.set(epoch, seq);
    if (seq % 5 === 0) l.ack(position);
  }
  await new Promise((r) => setImmediate(r));
}
`;

describe('SegmentLog under kill -9', () => {
  it('has every confirmed record after the process is killed mid-stream', async (t) => {
    const dir = join(tempDir(t), 'q');
    const child = spawn(process.execPath, ['--input-type=module', '-e', writer(dir)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let confirmed = 0;
    let text = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const lines = text.split('\n');
        text = lines.pop()!;
        for (const line of lines) confirmed = Math.max(confirmed, Number(line));
        if (confirmed >= 20_000) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    assert.ok(confirmed >= 20_000, `child confirmed ${confirmed} before dying`);

    const { log } = captureLog();
    const l = SegmentLog.open(dir, { sync: scheduler(t, log), log, durable: true, segmentSize: 64 * 1024 });
    const seen: number[] = [];
    let at = l.start;
    for (;;) {
      const { records, next } = l.read(at, 1000, Infinity);
      if (records.length === 0) break;
      for (const r of records) {
        assert.equal(r.body.length, 10 + (r.seq * 7919) % 3000);
        assert.equal(r.body[r.body.length - 1], r.seq & 0xff);
        seen.push(r.seq);
      }
      at = next;
    }
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], 'in order');
    const present = new Set(seen);
    for (let s = 1; s <= confirmed; s++) if (s % 5 !== 0) assert.ok(present.has(s), `confirmed record ${s} is missing`);
    assert.ok(l.recovery.maxSeq >= confirmed);
    l.close();
  });
});
