import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Logger } from 'pino';
import { forEachRecord } from '../../src/storage/stream/chunk.js';
import { StreamLog, type StreamLogOptions } from '../../src/storage/stream/stream-log.js';
import type { StreamCursor } from '../../src/storage/stream/stream-cursor.js';
import type { SyncScheduler } from '../../src/storage/sync-scheduler.js';
import { captureLog, scheduler, tempDir, type LogLine } from './helpers.js';

type T = Parameters<typeof tempDir>[0] & Parameters<typeof scheduler>[0];

interface Env {
  dir: string;
  sync: SyncScheduler;
  log: Logger;
  lines: LogLine[];
  open(extra?: Partial<StreamLogOptions>): StreamLog;
}

function env(t: T): Env {
  const { log, lines } = captureLog();
  const sync = scheduler(t, log, 1);
  const dir = join(tempDir(t), 's');
  const opened: StreamLog[] = [];
  t.after(() => opened.forEach((l) => l.close()));
  return {
    dir,
    sync,
    log,
    lines,
    open: (extra = {}) => {
      const l = StreamLog.open(dir, { sync, log, ...extra });
      opened.push(l);
      return l;
    },
  };
}

function body(n: number, size = 20): Buffer {
  const b = Buffer.alloc(size);
  b.write(`m${n}:`);
  return b;
}

/** Appends messages from..to (inclusive) as records "m<n>:..." */
function appendRange(l: StreamLog, from: number, to: number, size = 20, filter?: (n: number) => string | undefined): void {
  for (let n = from; n <= to; n++) {
    const b = body(n, size);
    l.appendBytes(b, 0, b.length, filter?.(n));
  }
}

/** Every record the cursor returns until it runs dry: [offset, text]. */
function drain(cursor: StreamCursor): [number, string][] {
  const out: [number, string][] = [];
  for (let chunk = cursor.next(); chunk !== undefined; chunk = cursor.next()) {
    let offset = chunk.chunkId;
    forEachRecord(chunk.data, (buf, start, end) => {
      const text = buf.toString('latin1', start, end);
      out.push([offset++, text.slice(0, text.indexOf(':'))]);
    });
  }
  return out;
}

function names(records: [number, string][]): string[] {
  return records.map(([, text]) => text);
}

describe('stream log', () => {
  it('shows records to readers only once their chunk is durable, in offset order', async (t) => {
    const e = env(t);
    const l = e.open();
    appendRange(l, 0, 4);
    assert.equal(l.committedOffset, 0, 'nothing is committed before its sync');
    assert.deepEqual(drain(l.openCursor(0)), []);
    await e.sync.flush();
    assert.equal(l.committedOffset, 5);
    assert.equal(l.lastUserChunkId, 0, 'the five records went in one chunk');
    appendRange(l, 5, 6);
    await e.sync.flush();
    const cursor = l.openCursor(0);
    assert.deepEqual(drain(cursor), [
      [0, 'm0'],
      [1, 'm1'],
      [2, 'm2'],
      [3, 'm3'],
      [4, 'm4'],
      [5, 'm5'],
      [6, 'm6'],
    ]);
    assert.equal(l.lastUserChunkId, 5);
    appendRange(l, 7, 7);
    assert.equal(cursor.next(), undefined, 'a reader at the tail waits for the next commit');
    await e.sync.flush();
    assert.deepEqual(drain(cursor), [[7, 'm7']]);
  });

  it('tells listeners about every commit', async (t) => {
    const e = env(t);
    const l = e.open();
    const seen: number[] = [];
    const off = l.onCommitted((id) => seen.push(id));
    appendRange(l, 0, 2);
    await e.sync.flush();
    appendRange(l, 3, 3);
    await e.sync.flush();
    off();
    appendRange(l, 4, 4);
    await e.sync.flush();
    assert.deepEqual(seen, [0, 3]);
  });

  it('starts a cursor at the chunk holding an offset, clamped into the stream', async (t) => {
    const e = env(t);
    const l = e.open({ tailCacheBytes: 0 });
    appendRange(l, 0, 9);
    await e.sync.flush();
    appendRange(l, 10, 19);
    await e.sync.flush();
    assert.equal(drain(l.openCursor(13))[0]![0], 10, 'from disk: the chunk holding 13 starts at 10');
    assert.equal(drain(l.openCursor(-5))[0]![0], 0);
    assert.deepEqual(drain(l.openCursor(1000)), []);
  });

  it('reads the same records from the tail cache and from disk', async (t) => {
    const e = env(t);
    const cachedLog = e.open();
    for (let batch = 0; batch < 20; batch++) {
      appendRange(cachedLog, batch * 50, batch * 50 + 49, 100);
      await e.sync.flush();
    }
    const fromCache = drain(cachedLog.openCursor(0));
    cachedLog.close();
    const reopened = e.open({ tailCacheBytes: 0 });
    const fromDisk = drain(reopened.openCursor(0));
    assert.equal(fromDisk.length, 1000);
    assert.deepEqual(fromDisk, fromCache);
    assert.deepEqual(names(fromDisk).slice(0, 3), ['m0', 'm1', 'm2']);
  });

  it('recovers records, offsets and tracking after a reopen, across segments', async (t) => {
    const e = env(t);
    let l = e.open({ maxSegmentBytes: 2000 });
    for (let batch = 0; batch < 10; batch++) {
      appendRange(l, batch * 10, batch * 10 + 9, 50);
      l.noteSequence('producer-1', batch * 10 + 9);
      if (batch === 3) l.storeOffset('consumer-a', 25);
      await e.sync.flush();
    }
    l.storeOffset('consumer-a', 71);
    await e.sync.flush();
    const segments = l.segmentCount;
    assert.ok(segments > 2, `segments rolled (${segments})`);
    const before = drain(l.openCursor(0));
    const committed = l.committedOffset;
    l.close();
    l = e.open({ maxSegmentBytes: 2000 });
    assert.equal(l.segmentCount, segments);
    assert.equal(l.committedOffset, committed);
    assert.deepEqual(drain(l.openCursor(0)), before);
    assert.equal(names(before).length, 100, 'tracking records are not messages');
    assert.equal(l.sequenceOf('producer-1'), 99);
    assert.equal(l.offsetOf('consumer-a'), 71);
    appendRange(l, 100, 100);
    await e.sync.flush();
    assert.equal(drain(l.openCursor(committed)).at(-1)![1], 'm100');
  });

  it('keeps tracking through retention: every new segment opens with a snapshot', async (t) => {
    const e = env(t);
    let l = e.open({ maxSegmentBytes: 1500 });
    l.storeOffset('c', 3);
    appendRange(l, 0, 9, 50);
    l.noteSequence('p', 9);
    await e.sync.flush();
    for (let batch = 1; batch < 10; batch++) {
      appendRange(l, batch * 10, batch * 10 + 9, 50);
      await e.sync.flush();
    }
    l.setRetention({ maxBytes: 1 });
    assert.equal(l.segmentCount, 1, 'only the newest segment is kept');
    l.close();
    l = e.open({ maxSegmentBytes: 1500 });
    assert.equal(l.offsetOf('c'), 3);
    assert.equal(l.sequenceOf('p'), 9);
  });

  it('cuts a torn tail and rebuilds a lost index', async (t) => {
    const e = env(t);
    let l = e.open();
    appendRange(l, 0, 4);
    await e.sync.flush();
    appendRange(l, 5, 9);
    await e.sync.flush();
    l.close();
    const segment = join(e.dir, readdirSync(e.dir).find((f) => f.endsWith('.segment'))!);
    const size = statSync(segment).size;
    truncateSync(segment, size - 7);
    l = e.open();
    assert.equal(l.committedOffset, 5, 'the torn chunk is gone');
    assert.deepEqual(names(drain(l.openCursor(0))), ['m0', 'm1', 'm2', 'm3', 'm4']);
    assert.ok(e.lines.some((line) => line.msg.includes('torn tail')));
    appendRange(l, 5, 6);
    await e.sync.flush();
    l.close();
    appendFileSync(segment, Buffer.alloc(100));
    rmSync(segment.replace('.segment', '.index'));
    l = e.open({ tailCacheBytes: 0 });
    assert.deepEqual(names(drain(l.openCursor(0))), ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    assert.equal(drain(l.openCursor(6))[0]![0], 5, 'the rebuilt index finds the chunk holding 6');
  });

  it('drops a chunk whose CRC does not match at the tail', async (t) => {
    const e = env(t);
    let l = e.open();
    appendRange(l, 0, 1);
    await e.sync.flush();
    appendRange(l, 2, 3);
    await e.sync.flush();
    l.close();
    const segment = join(e.dir, readdirSync(e.dir).find((f) => f.endsWith('.segment'))!);
    const { openSync, writeSync, closeSync } = await import('node:fs');
    const fd = openSync(segment, 'r+');
    writeSync(fd, Buffer.from('X'), 0, 1, statSync(segment).size - 3);
    closeSync(fd);
    l = e.open();
    assert.deepEqual(names(drain(l.openCursor(0))), ['m0', 'm1']);
  });

  it('removes whole old segments by size and by age, never the newest', async (t) => {
    const e = env(t);
    const l = e.open({ maxSegmentBytes: 1000 });
    for (let batch = 0; batch < 8; batch++) {
      appendRange(l, batch * 10, batch * 10 + 9, 60);
      await e.sync.flush();
    }
    const segments = l.segmentCount;
    const bytes = l.bytes;
    l.setRetention({ maxBytes: Math.floor(bytes / 2) });
    assert.ok(l.segmentCount < segments);
    assert.ok(l.bytes <= bytes / 2);
    assert.ok(l.firstOffset > 0);
    const cursor = l.openCursor(0);
    assert.equal(drain(cursor)[0]![0], l.firstOffset, 'a reader asking for offset 0 starts at the first kept');
    l.setRetention({ maxAgeMs: 1 });
    await new Promise((r) => setTimeout(r, 5));
    l.enforceRetention();
    assert.equal(l.segmentCount, 1);
    assert.equal(readdirSync(e.dir).filter((f) => f.endsWith('.segment')).length, 1, 'disk space comes back');
  });

  it('lets a reader finish a segment that retention removed under it', async (t) => {
    const e = env(t);
    const l = e.open({ maxSegmentBytes: 600, tailCacheBytes: 0 });
    for (let batch = 0; batch < 6; batch++) {
      appendRange(l, batch * 5, batch * 5 + 4, 100);
      await e.sync.flush();
    }
    const cursor = l.openCursor(0);
    const first = cursor.next()!;
    assert.equal(first.chunkId, 0);
    l.setRetention({ maxBytes: 1 });
    const rest = drain(cursor);
    assert.ok(rest.length > 0);
    assert.equal(rest.at(-1)![1], 'm29');
  });

  it('skips chunks whose filter matches none of the values a reader wants', async (t) => {
    const e = env(t);
    const l = e.open({ tailCacheBytes: 0 });
    appendRange(l, 0, 4, 20, () => 'red');
    await e.sync.flush();
    appendRange(l, 5, 9, 20, () => 'blue');
    await e.sync.flush();
    appendRange(l, 10, 11, 20, () => undefined);
    await e.sync.flush();
    assert.deepEqual(names(drain(l.openCursor(0, { values: ['blue'], matchUnfiltered: false }))), ['m5', 'm6', 'm7', 'm8', 'm9']);
    assert.deepEqual(names(drain(l.openCursor(0, { values: ['red'], matchUnfiltered: true }))), ['m0', 'm1', 'm2', 'm3', 'm4', 'm10', 'm11']);
    assert.deepEqual(drain(l.openCursor(0, { values: ['green'], matchUnfiltered: false })), []);
  });

  it('finds the first chunk at or after a timestamp', async (t) => {
    const e = env(t);
    const l = e.open({ maxSegmentBytes: 500 });
    appendRange(l, 0, 4, 50);
    await e.sync.flush();
    await new Promise((r) => setTimeout(r, 20));
    const middle = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    appendRange(l, 5, 9, 50);
    await e.sync.flush();
    appendRange(l, 10, 14, 50);
    await e.sync.flush();
    assert.equal(l.offsetAtTimestamp(0), 0);
    assert.equal(l.offsetAtTimestamp(middle), 5);
    assert.equal(l.offsetAtTimestamp(Date.now() + 60_000), l.committedOffset);
  });

  it('takes sub-batch entries as several records', async (t) => {
    const e = env(t);
    const l = e.open();
    const records = [Buffer.from('a:1'), Buffer.from('b:2'), Buffer.from('c:3')];
    const inner = Buffer.concat(records.flatMap((r) => [u32(r.length), r]));
    const entry = Buffer.alloc(11);
    entry[0] = 0x80;
    entry.writeUInt16BE(3, 1);
    entry.writeUInt32BE(inner.length, 3);
    entry.writeUInt32BE(inner.length, 7);
    l.appendEntry(Buffer.concat([entry, inner]), 3);
    appendRange(l, 3, 3);
    await e.sync.flush();
    assert.deepEqual(drain(l.openCursor(0)), [
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
      [3, 'm3'],
    ]);
    assert.equal(l.committedOffset, 4);
  });
});

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
