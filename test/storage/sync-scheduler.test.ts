import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SyncScheduler, type SyncResult, type SyncTarget } from '../../src/storage/sync-scheduler.js';
import { captureLog, scheduler, tempDir } from './helpers.js';

/** A file target that buffers strings and writes them at the start of a cycle. */
class TextTarget implements SyncTarget {
  readonly fd: number;
  readonly file: string;
  buffered: string[] = [];
  writes = 0;
  constructor(file: string, flags = 'w') {
    this.file = file;
    this.fd = openSync(file, flags);
  }
  writePending(): void {
    this.writes++;
    while (this.buffered.length > 0) {
      writeSync(this.fd, this.buffered[0]); // throws with the data still buffered
      this.buffered.shift();
    }
  }
  close(): void {
    closeSync(this.fd);
  }
}

function results(s: SyncScheduler): SyncResult[] {
  const seen: SyncResult[] = [];
  s.onSynced((r) => seen.push(r));
  return seen;
}

describe('SyncScheduler', () => {
  it('advances epochs: a cycle takes the current epoch, later marks belong to the next', async (t) => {
    const { log } = captureLog();
    const s = scheduler(t, log, 0);
    const target = new TextTarget(join(tempDir(t), 'a'));
    t.after(() => target.close());
    const seen = results(s);
    assert.equal(s.currentEpoch, 1);
    assert.equal(s.syncedEpoch, 0);
    assert.equal(s.markDirty(target), 1);
    assert.equal(s.markDirty(target), 1, 'same epoch until a cycle starts');
    await s.flush();
    assert.deepEqual(seen, [{ epoch: 1, ok: true }]);
    assert.equal(s.syncedEpoch, 1);
    assert.equal(s.currentEpoch, 2);
    assert.equal(s.markDirty(target), 2);
    await s.flush();
    assert.deepEqual(seen.map((r) => r.epoch), [1, 2]);
  });

  it('writes and syncs before flush() resolves, and reports every cycle in epoch order', async (t) => {
    const { log } = captureLog();
    const s = scheduler(t, log, 1);
    const dir = tempDir(t);
    const a = new TextTarget(join(dir, 'a'));
    const b = new TextTarget(join(dir, 'b'));
    t.after(() => (a.close(), b.close()));
    const seen = results(s);
    for (let i = 0; i < 50; i++) {
      a.buffered.push(`a${i};`);
      s.markDirty(a);
      if (i % 3 === 0) {
        b.buffered.push(`b${i};`);
        s.markDirty(b);
      }
      if (i % 7 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await s.flush();
    assert.equal(readFileSync(a.file, 'utf8'), Array.from({ length: 50 }, (_, i) => `a${i};`).join(''));
    assert.equal(readFileSync(b.file, 'utf8').split(';').length - 1, 17);
    const epochs = seen.map((r) => r.epoch);
    assert.ok(epochs.length >= 2, 'several windows');
    assert.deepEqual(epochs, Array.from({ length: epochs.length }, (_, i) => i + 1), 'consecutive, in order');
    assert.ok(seen.every((r) => r.ok));
  });

  it('puts marks made during a cycle into the next one', async (t) => {
    const { log } = captureLog();
    const s = scheduler(t, log, 0);
    const target = new TextTarget(join(tempDir(t), 'a'));
    t.after(() => target.close());
    const epochsSeen: number[] = [];
    let markedDuringCycle = 0;
    const during: SyncTarget = {
      fd: -1,
      writePending: () => {
        // Called at the start of cycle 1: a write made now belongs to epoch 2.
        markedDuringCycle = s.markDirty(target);
      },
    };
    s.onSynced((r) => epochsSeen.push(r.epoch));
    s.markDirty(during);
    await s.flush();
    assert.equal(markedDuringCycle, 2);
    await s.flush();
    assert.deepEqual(epochsSeen, [1, 2]);
  });

  it('waits for the window before a cycle', async (t) => {
    const { log } = captureLog();
    const s = scheduler(t, log, 40);
    const target = new TextTarget(join(tempDir(t), 'a'));
    t.after(() => target.close());
    const started = performance.now();
    let syncedAt = 0;
    s.onSynced(() => (syncedAt = performance.now()));
    s.markDirty(target);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(s.syncedEpoch, 0, 'not before the window ends');
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(s.syncedEpoch, 1);
    assert.ok(syncedAt - started >= 35, `synced after ${syncedAt - started} ms`);
  });

  it('reports a failed fdatasync (closed fd) with its error, and later cycles still run', async (t) => {
    const { log, lines } = captureLog();
    const s = scheduler(t, log, 0);
    const dir = tempDir(t);
    const good = new TextTarget(join(dir, 'good'));
    t.after(() => good.close());
    const closed = new TextTarget(join(dir, 'closed'));
    closed.close();
    const seen = results(s);
    s.markDirty(closed);
    s.markDirty(good);
    await assert.rejects(s.flush(), (e: NodeJS.ErrnoException) => e.code === 'EBADF');
    assert.equal(seen[0].ok, false);
    assert.equal((seen[0].error as NodeJS.ErrnoException).code, 'EBADF');
    assert.ok(lines.some((l) => l.level === 50 && l.file === closed.file), 'logged with the file');
    good.buffered.push('later');
    s.markDirty(good);
    await s.flush();
    assert.deepEqual(seen.map((r) => [r.epoch, r.ok]), [[1, false], [2, true]]);
    assert.equal(readFileSync(good.file, 'utf8'), 'later');
  });

  it('keeps the data of a target whose write failed (ENOSPC on /dev/full) and retries it', async (t) => {
    const { log, lines } = captureLog();
    const s = scheduler(t, log, 0);
    const full = new TextTarget('/dev/full', 'w');
    t.after(() => full.close());
    const seen = results(s);
    full.buffered.push('does not fit');
    s.markDirty(full);
    await assert.rejects(s.flush(), (e: NodeJS.ErrnoException) => e.code === 'ENOSPC');
    assert.equal(seen[0].ok, false);
    assert.deepEqual(full.buffered, ['does not fit'], 'nothing dropped');
    assert.ok(lines.some((l) => l.level === 50 && l.file === '/dev/full'));
    // Retried by the scheduler itself (after a short back-off), without a new mark.
    const writes = full.writes;
    await new Promise((r) => setTimeout(r, 60));
    assert.ok(full.writes > writes, 'retried');
    assert.ok(seen.length >= 2 && seen.every((r) => !r.ok));
    // Once the disk has room again (here: the data goes away), cycles succeed.
    full.buffered = [];
    await new Promise((r) => setTimeout(r, 40));
    const ok = new TextTarget(join(tempDir(t), 'ok'));
    t.after(() => ok.close());
    s.markDirty(ok);
    await s.flush();
    assert.equal(seen.at(-1)!.ok, true);
  });

  it('flush() with nothing written resolves at once; close() flushes and stops', async (t) => {
    const { log } = captureLog();
    const s = new SyncScheduler({ intervalMs: 1000, log });
    await s.flush();
    const target = new TextTarget(join(tempDir(t), 'a'));
    t.after(() => target.close());
    target.buffered.push('last words');
    s.markDirty(target);
    const started = performance.now();
    await s.close();
    assert.ok(performance.now() - started < 500, 'close does not wait out the window');
    assert.equal(readFileSync(target.file, 'utf8'), 'last words');
    assert.throws(() => s.markDirty(target), /closed/);
  });

  it('skips targets whose fd is closed (negative) and tells every target its cycle ended', async (t) => {
    const { log } = captureLog();
    const s = scheduler(t, log, 0);
    const after: SyncResult[] = [];
    s.markDirty({ fd: -1, writePending() {}, afterSync: (r) => after.push(r) });
    await s.flush();
    assert.deepEqual(after, [{ epoch: 1, ok: true }]);
  });
});
