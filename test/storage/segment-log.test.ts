import assert from 'node:assert/strict';
import { appendFileSync, existsSync, openSync, closeSync, readdirSync, readFileSync, readlinkSync, statSync, truncateSync, writeFileSync, writeSync, cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Logger } from 'pino';
import { offsetOf, RecordFlag, segmentOf, type MessageRecord, type StoredRecord } from '../../src/storage/record.js';
import { ackFileName, SEGMENT_FORMAT_VERSION, segmentFileName } from '../../src/storage/segment-file.js';
import { SegmentLog, type SegmentLogOptions } from '../../src/storage/segment-log.js';
import type { SyncScheduler } from '../../src/storage/sync-scheduler.js';
import { captureLog, message, scheduler, tempDir, type LogLine } from './helpers.js';

type T = Parameters<typeof tempDir>[0] & Parameters<typeof scheduler>[0];

interface Env {
  dir: string;
  sync: SyncScheduler;
  log: Logger;
  lines: LogLine[];
  open(extra?: Partial<SegmentLogOptions>): SegmentLog;
}

function env(t: T, segmentSize?: number): Env {
  const { log, lines } = captureLog();
  const sync = scheduler(t, log, 1);
  const dir = join(tempDir(t), 'q');
  return { dir, sync, log, lines, open: (extra = {}) => SegmentLog.open(dir, { sync, log, durable: true, segmentSize, ...extra }) };
}

/** Everything read() returns from start to end, in small steps. */
function readAll(l: SegmentLog, step = 7): StoredRecord[] {
  const out: StoredRecord[] = [];
  let at = l.start;
  for (let guard = 0; guard < 1e6; guard++) {
    const { records, next } = l.read(at, step, Infinity);
    out.push(...records);
    if (records.length === 0) {
      assert.equal(next, l.end, 'an empty read only at the end');
      return out;
    }
    assert.ok(next > at, 'read moves forward');
    at = next;
  }
  throw new Error('read loop did not end');
}

function seqs(records: StoredRecord[]): number[] {
  return records.map((r) => r.seq);
}

/** A record as written: without its position, and without priority 0 (what `message()` leaves out). */
function strip(r: StoredRecord): MessageRecord {
  const { position: _, priority, ...rest } = r;
  const record: MessageRecord = { ...rest, header: Buffer.from(rest.header), body: Buffer.from(rest.body) };
  if (priority) record.priority = priority;
  return record;
}

function appendAll(l: SegmentLog, from: number, to: number, bodySize = 40, extra: Partial<MessageRecord> = {}): number[] {
  const positions: number[] = [];
  for (let s = from; s <= to; s++) positions.push(l.append(message(s, bodySize, extra)).position);
  return positions;
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('SegmentLog: append and read', () => {
  it('reads back every field in order, before and after a reopen', async (t) => {
    const e = env(t);
    let l = e.open();
    const written = range(1, 60).map((s) => message(s, (s * 37) % 300, { exchange: s % 2 ? 'ex' : '', routingKey: `ключ.${s}` }));
    const positions = written.map((m) => l.append(m).position);
    assert.deepEqual([...positions].sort((a, b) => a - b), positions, 'positions increase');
    // Still only in memory: read writes it out first.
    assert.deepEqual(readAll(l).map(strip), written);
    await e.sync.flush();
    l.close();
    l = e.open();
    assert.equal(l.recovery.unackedRecords, 60);
    assert.equal(l.recovery.maxSeq, 60);
    assert.deepEqual(l.recovery.tornTails, []);
    const back = readAll(l, 1000);
    assert.deepEqual(back.map(strip), written);
    assert.deepEqual(back.map((r) => r.position), positions);
    l.close();
  });

  it('returns the durability epoch: > 0 and synced by the scheduler for a durable log, 0 for a scratch log', async (t) => {
    const e = env(t);
    const l = e.open();
    const { epoch } = l.append(message(1));
    assert.equal(epoch, e.sync.currentEpoch);
    await e.sync.flush();
    assert.ok(e.sync.syncedEpoch >= epoch);
    // Durable on disk without close(): a fresh open (as after kill -9) finds it.
    const copy = join(e.dir, '..', 'copy');
    cpSync(e.dir, copy, { recursive: true });
    const again = SegmentLog.open(copy, { sync: e.sync, log: e.log, durable: true });
    assert.deepEqual(seqs(readAll(again)), [1]);
    again.close();
    l.close();
    const scratch = SegmentLog.open(join(e.dir, '..', 'scratch'), { sync: e.sync, log: e.log, durable: false });
    assert.equal(scratch.append(message(1)).epoch, 0);
    scratch.close();
  });

  it('walks the whole log with small maxRecords and maxBytes, always at least one record', async (t) => {
    const e = env(t, 2048);
    const l = e.open();
    appendAll(l, 1, 200, 100);
    for (const [maxRecords, maxBytes] of [[1, Infinity], [3, Infinity], [50, 250], [1000, 0]] as const) {
      const out: number[] = [];
      let at = l.start;
      for (;;) {
        const { records, next } = l.read(at, maxRecords, maxBytes);
        if (records.length === 0) break;
        assert.ok(records.length <= maxRecords);
        const body = records.reduce((n, r) => n + r.body.length, 0);
        assert.ok(records.length === 1 || body - records.at(-1)!.body.length < maxBytes, 'stops once maxBytes is reached');
        out.push(...seqs(records));
        at = next;
      }
      assert.deepEqual(out, range(1, 200), `maxRecords ${maxRecords} maxBytes ${maxBytes}`);
    }
    assert.ok(l.segmentCount > 5);
    l.close();
  });

  it('gives a record bigger than a segment a segment of its own, and reads records bigger than the read buffer', async (t) => {
    const e = env(t, 4096);
    let l = e.open();
    appendAll(l, 1, 3, 100);
    const big = l.append(message(4, 10_000));
    appendAll(l, 5, 6, 100);
    const huge = l.append(message(7, 3 * 1024 * 1024 + 5));
    appendAll(l, 8, 8, 100);
    assert.equal(offsetOf(big.position), 8, 'starts a fresh segment');
    assert.equal(offsetOf(huge.position), 8);
    const check = (records: StoredRecord[]) => {
      assert.deepEqual(seqs(records), range(1, 8));
      assert.deepEqual(strip(records[3]), message(4, 10_000));
      assert.deepEqual(strip(records[6]), message(7, 3 * 1024 * 1024 + 5));
    };
    check(readAll(l, 1));
    await e.sync.flush();
    l.close();
    l = e.open();
    assert.deepEqual(l.recovery.tornTails, []);
    check(readAll(l, 1));
    l.close();
  });

  it('keeps bodies written by reference intact (bodies of 16 KiB and more are not copied)', async (t) => {
    const e = env(t);
    const l = e.open();
    const bodies = [20_000, 5, 70_000, 16 * 1024, 100].map((n, i) => message(i + 1, n));
    for (const m of bodies) l.append(m);
    await e.sync.flush();
    l.close();
    const again = e.open();
    assert.deepEqual(readAll(again).map(strip), bodies);
    again.close();
  });
});

/** A log of `count` records in one segment, closed; returns the positions. */
async function writeLog(e: Env, count: number, bodySize = 30): Promise<number[]> {
  const l = e.open();
  const positions = appendAll(l, 1, count, bodySize);
  await e.sync.flush();
  l.close();
  return positions;
}

function torn(lines: LogLine[]): LogLine[] {
  return lines.filter((l) => l.msg.startsWith('torn tail'));
}

describe('SegmentLog: recovery from torn tails', () => {
  it('recovers from a cut at every byte offset of the last record, and keeps working', async (t) => {
    const e = env(t);
    const positions = await writeLog(e, 3);
    const file = join(e.dir, segmentFileName(1));
    const original = readFileSync(file);
    const last = offsetOf(positions[2]);
    assert.equal(segmentOf(positions[2]), 1);
    for (let cut = last; cut < original.length; cut++) {
      writeFileSync(file, original.subarray(0, cut));
      rmSync(join(e.dir, ackFileName(1)), { force: true });
      e.lines.length = 0;
      let l = e.open();
      assert.deepEqual(seqs(readAll(l)), [1, 2], `cut at ${cut}`);
      if (cut === last) {
        assert.deepEqual(l.recovery.tornTails, [], 'a cut at a record boundary is a clean end');
      } else {
        assert.equal(l.recovery.tornTails.length, 1, `cut at ${cut}`);
        assert.deepEqual({ ...l.recovery.tornTails[0], reason: '' }, { file, offset: last, reason: '' });
        const logged = torn(e.lines);
        assert.equal(logged.length, 1);
        assert.equal(logged[0].file, file);
        assert.equal(logged[0].offset, last);
      }
      assert.equal(statSync(file).size, last, 'truncated');
      l.append(message(9));
      await e.sync.flush();
      l.close();
      l = e.open();
      assert.deepEqual(seqs(readAll(l)), [1, 2, 9], `after reopen, cut at ${cut}`);
      assert.deepEqual(l.recovery.tornTails, []);
      l.close();
    }
  });

  it('treats a zeroed last record, and zeros appended to the file, as a torn tail', async (t) => {
    const e = env(t);
    const positions = await writeLog(e, 3);
    const file = join(e.dir, segmentFileName(1));
    const size = statSync(file).size;
    // kill -9 / power loss on ext4: the size grew but the blocks never got their data.
    appendFileSync(file, Buffer.alloc(4096));
    let l = e.open();
    assert.deepEqual(seqs(readAll(l)), [1, 2, 3]);
    assert.equal(l.recovery.tornTails.length, 1);
    assert.equal(l.recovery.tornTails[0].offset, size);
    assert.match(l.recovery.tornTails[0].reason, /zero/);
    l.close();
    // The last record's bytes and more beyond them are zeros.
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(size - offsetOf(positions[2]) + 100), 0, undefined, offsetOf(positions[2]));
    closeSync(fd);
    l = e.open();
    assert.deepEqual(seqs(readAll(l)), [1, 2]);
    assert.equal(l.recovery.tornTails[0].offset, offsetOf(positions[2]));
    l.close();
  });

  it('drops a last record whose CRC fails (a flipped byte), logging file and offset', async (t) => {
    const e = env(t);
    const positions = await writeLog(e, 3);
    const file = join(e.dir, segmentFileName(1));
    const bytes = readFileSync(file);
    bytes[offsetOf(positions[2]) + 40] ^= 0x20;
    writeFileSync(file, bytes);
    const l = e.open();
    assert.deepEqual(seqs(readAll(l)), [1, 2]);
    assert.equal(l.recovery.tornTails.length, 1);
    assert.match(l.recovery.tornTails[0].reason, /checksum/);
    assert.equal(torn(e.lines)[0].offset, offsetOf(positions[2]));
    l.close();
  });

  it('keeps the good records after one damaged in the middle, and skips the damaged one when read', async (t) => {
    const e = env(t);
    const positions = await writeLog(e, 5);
    const file = join(e.dir, segmentFileName(1));
    const bytes = readFileSync(file);
    bytes[offsetOf(positions[1]) + 50] ^= 0x01;
    writeFileSync(file, bytes);
    let l = e.open();
    assert.deepEqual(l.recovery.tornTails, [], 'not a tail: good records follow');
    assert.equal(l.recovery.unackedRecords, 5);
    assert.deepEqual(seqs(readAll(l)), [1, 3, 4, 5]);
    const logged = e.lines.filter((x) => x.msg.includes('checksum mismatch'));
    assert.ok(logged.length >= 1 && logged.every((x) => x.file === file && x.offset === offsetOf(positions[1])));
    await e.sync.flush();
    l.close();
    l = e.open();
    assert.equal(l.recovery.unackedRecords, 4, 'the damaged record was acked when read');
    l.close();
  });

  it('reads segments of format version 1 (no priority byte) and appends only to a new segment', async (t) => {
    const e = env(t);
    let l = e.open();
    appendAll(l, 1, 5);
    await e.sync.flush();
    l.close();
    // What Warren 0.1 wrote: version 1 in the header, byte 11 of every record 0.
    const file = join(e.dir, segmentFileName(1));
    const bytes = readFileSync(file);
    bytes.writeUInt32LE(1, 4);
    writeFileSync(file, bytes);
    l = e.open();
    assert.deepEqual(seqs(readAll(l)), [1, 2, 3, 4, 5]);
    assert.ok(readAll(l).every((r) => r.priority === 0));
    l.append(message(6, 16, { priority: 9 }));
    await e.sync.flush();
    l.close();
    assert.equal(readFileSync(file).readUInt32LE(4), 1, 'the old segment is left as it was');
    assert.equal(readFileSync(join(e.dir, segmentFileName(2))).readUInt32LE(4), SEGMENT_FORMAT_VERSION);
    l = e.open();
    const back = readAll(l);
    assert.deepEqual(seqs(back), [1, 2, 3, 4, 5, 6]);
    assert.equal(back.at(-1)!.priority, 9);
    l.close();
  });

  it('moves a segment with a garbage header aside, drops an empty torn one, and refuses a newer format', async (t) => {
    const e = env(t, 1024);
    let l = e.open();
    appendAll(l, 1, 30, 60);
    await e.sync.flush();
    l.close();
    const segs = readdirSync(e.dir).filter((n) => n.endsWith('.seg')).sort();
    assert.ok(segs.length >= 3);
    // Garbage where the header of the first segment should be.
    const first = join(e.dir, segs[0]);
    const bytes = readFileSync(first);
    bytes.write('JUNK', 0, 'latin1');
    writeFileSync(first, bytes);
    l = e.open();
    const all = seqs(readAll(l));
    assert.ok(all.length > 0 && all[0] > 1 && all.at(-1) === 30, 'the other segments are all there');
    assert.equal(l.recovery.tornTails[0].file, first);
    assert.match(l.recovery.tornTails[0].reason, /moved aside/);
    assert.ok(readdirSync(e.dir).some((n) => n.startsWith(`${segs[0]}.corrupt-`)), 'kept for inspection');
    l.close();

    // A segment created but never synced: 3 bytes of header.
    const nextId = Number(segs.at(-1)!.slice(0, 10)) + 5;
    const stub = join(e.dir, segmentFileName(nextId));
    writeFileSync(stub, Buffer.from('WRN'));
    l = e.open();
    assert.ok(l.recovery.tornTails.some((x) => x.file === stub && /incomplete/.test(x.reason)));
    assert.equal(seqs(readAll(l)).at(-1), 30);
    l.close();

    const last = join(e.dir, segs.at(-1)!);
    const future = readFileSync(last);
    future.writeUInt32LE(SEGMENT_FORMAT_VERSION + 1, 4);
    writeFileSync(last, future);
    assert.throws(() => e.open(), (err: Error) => err.message.includes(last) && /newer Warren/.test(err.message));
  });
});

describe('SegmentLog: acks', () => {
  it('deletes a sealed segment and its ack file once every record is acked, but keeps the write segment', async (t) => {
    const e = env(t, 1024);
    const l = e.open();
    const positions = appendAll(l, 1, 40, 60);
    await e.sync.flush();
    const firstSeg = segmentOf(positions[0]);
    const inFirst = positions.filter((p) => segmentOf(p) === firstSeg);
    for (const p of inFirst.slice(0, -1)) l.ack(p);
    await e.sync.flush();
    assert.ok(existsSync(join(e.dir, segmentFileName(firstSeg))));
    assert.ok(existsSync(join(e.dir, ackFileName(firstSeg))));
    l.ack(inFirst.at(-1)!);
    assert.ok(!existsSync(join(e.dir, segmentFileName(firstSeg))), 'segment deleted');
    assert.ok(!existsSync(join(e.dir, ackFileName(firstSeg))), 'ack file deleted');
    // Ack everything: only the write segment stays.
    for (const p of positions) l.ack(p);
    await e.sync.flush();
    assert.equal(l.segmentCount, 1);
    assert.deepEqual(readdirSync(e.dir).filter((n) => n.endsWith('.seg')), [segmentFileName(segmentOf(positions.at(-1)!))]);
    assert.equal(l.read(l.start, 10, Infinity).records.length, 0);
    assert.equal(l.unackedRecords, 0);
    l.close();
  });

  it('brings back exactly the unacked records, in order, after acks in several segments', async (t) => {
    const e = env(t, 1024);
    let l = e.open();
    const positions = appendAll(l, 1, 100, 50);
    const acked = new Set(range(1, 100).filter((s) => s % 3 === 0 || s % 7 === 0 || (s > 20 && s < 35)));
    for (const s of acked) l.ack(positions[s - 1]);
    l.ack(positions[2]); // twice: harmless
    await e.sync.flush();
    const expected = range(1, 100).filter((s) => !acked.has(s));
    assert.deepEqual(seqs(readAll(l)), expected, 'reads skip acked records');
    l.close();
    l = e.open();
    assert.equal(l.recovery.unackedRecords, expected.length);
    assert.deepEqual(seqs(readAll(l)), expected);
    l.close();
  });

  it('counts a second ack of the same record once, so its segment is not deleted early', async (t) => {
    const e = env(t, 1024);
    const l = e.open();
    const positions = appendAll(l, 1, 40, 60);
    const firstSeg = positions.filter((p) => segmentOf(p) === segmentOf(positions[0]));
    l.ack(firstSeg[0]);
    l.ack(firstSeg[0]);
    l.ack(firstSeg[0]);
    for (let i = 2; i < firstSeg.length; i++) l.ack(firstSeg[i]);
    assert.ok(existsSync(join(e.dir, segmentFileName(segmentOf(positions[0])))), 'record 2 is still unacked');
    assert.equal(l.read(l.start, 1, Infinity).records[0].seq, 2);
    l.close();
  });

  it('brings records back when the ack file is missing (acks lost), and ignores a torn last ack entry', async (t) => {
    const e = env(t);
    let l = e.open();
    const positions = appendAll(l, 1, 10);
    for (const p of positions.slice(0, 4)) l.ack(p);
    await e.sync.flush();
    l.close();
    const acks = join(e.dir, ackFileName(1));
    assert.equal(statSync(acks).size, 16);
    appendFileSync(acks, Buffer.from([0x99, 0x01])); // half an entry
    l = e.open();
    assert.deepEqual(seqs(readAll(l)), range(5, 10));
    assert.equal(statSync(acks).size, 16, 'partial entry cut off');
    assert.ok(e.lines.some((x) => x.msg.includes('partial entry') && x.file === acks));
    l.ack(positions[4]);
    await e.sync.flush();
    l.close();
    l = e.open();
    assert.deepEqual(seqs(readAll(l)), range(6, 10), 'later acks land on entry boundaries');
    l.close();
    rmSync(acks);
    l = e.open();
    assert.deepEqual(seqs(readAll(l)), range(1, 10), 'acks lost: redelivered, never lost');
    l.close();
  });

  it('does not let the ack of a record cut off by a crash ack the record later written in its place', async (t) => {
    const e = env(t);
    let l = e.open();
    const positions = appendAll(l, 1, 3);
    l.ack(positions[2]);
    await e.sync.flush();
    l.close();
    // The crash kept the ack file but not the last record.
    truncateSync(join(e.dir, segmentFileName(1)), offsetOf(positions[2]) + 10);
    l = e.open();
    const replacement = l.append(message(4));
    assert.equal(replacement.position, positions[2], 'same place');
    await e.sync.flush();
    l.close();
    l = e.open();
    assert.deepEqual(seqs(readAll(l)), [1, 2, 4]);
    l.close();
  });

  it('ackFrom purges from a position to the end, whole segments without reading them', async (t) => {
    const e = env(t, 1024);
    let l = e.open();
    const positions = appendAll(l, 1, 60, 50);
    l.ack(positions[45]);
    await e.sync.flush();
    const before = l.segmentCount;
    assert.equal(l.ackFrom(positions[20]), 39);
    assert.ok(l.segmentCount < before);
    assert.deepEqual(seqs(readAll(l)), range(1, 20));
    assert.equal(l.ackFrom(l.end), 0);
    // The log goes on after a purge.
    const after = l.append(message(61)).position;
    assert.ok(after > positions[59]);
    await e.sync.flush();
    l.close();
    l = e.open();
    assert.deepEqual(seqs(readAll(l)), [...range(1, 20), 61]);
    assert.equal(l.ackFrom(l.start), 21);
    assert.equal(l.unackedRecords, 0);
    assert.equal(l.segmentCount, 1);
    l.close();
  });

  it('empties to one small segment and starts numbering afresh when reopened empty', async (t) => {
    const e = env(t, 1024);
    let l = e.open();
    for (const p of appendAll(l, 1, 100, 50)) l.ack(p);
    await e.sync.flush();
    l.close();
    l = e.open();
    assert.equal(l.recovery.unackedRecords, 0);
    assert.equal(segmentOf(l.start), 1);
    assert.equal(l.segmentCount, 1);
    l.close();
  });
});

describe('SegmentLog: transient records, scratch logs, bookkeeping', () => {
  it('drops transient records on recovery unless told not to', async (t) => {
    const e = env(t);
    let l = e.open();
    for (let s = 1; s <= 10; s++) l.append(message(s, 20, { flags: s % 2 === 0 ? RecordFlag.Persistent : 0 }));
    await e.sync.flush();
    assert.equal(readAll(l).length, 10, 'all there while running');
    l.close();
    l = e.open({ dropTransientOnRecovery: false });
    assert.deepEqual(seqs(readAll(l)), range(1, 10));
    l.close();
    l = e.open();
    assert.equal(l.recovery.unackedRecords, 5);
    assert.deepEqual(seqs(readAll(l)), [2, 4, 6, 8, 10]);
    l.close();
  });

  it('starts a scratch (non-durable) log empty, wiping what was there', async (t) => {
    const e = env(t, 1024);
    let l = e.open({ durable: false });
    appendAll(l, 1, 50, 50);
    assert.deepEqual(seqs(readAll(l)), range(1, 50));
    l.close();
    l = e.open({ durable: false });
    assert.equal(l.recovery.unackedRecords, 0);
    assert.equal(readAll(l).length, 0);
    assert.equal(readdirSync(e.dir).length, 1, 'one fresh segment');
    l.close();
    assert.equal(e.sync.currentEpoch, 1, 'never asked for a sync');
  });

  it('counts disk bytes as the files hold them', async (t) => {
    const e = env(t, 1024);
    const l = e.open();
    const positions = appendAll(l, 1, 50, 50);
    for (const p of positions.slice(5, 25)) l.ack(p);
    await e.sync.flush();
    const onDisk = () => readdirSync(e.dir).reduce((n, f) => n + statSync(join(e.dir, f)).size, 0);
    assert.equal(l.diskBytes, onDisk());
    l.ackFrom(positions[30]);
    await e.sync.flush();
    assert.equal(l.diskBytes, onDisk());
    l.close();
  });

  it('destroy() removes the folder', async (t) => {
    const e = env(t);
    const l = e.open();
    appendAll(l, 1, 5);
    l.destroy();
    assert.ok(!existsSync(e.dir));
  });
});

describe('SegmentLog: torn sealed segments', () => {
  it('truncates a torn tail in a sealed segment too (its last writes were never synced)', async (t) => {
    const e = env(t, 1024);
    let l = e.open();
    const positions = appendAll(l, 1, 30, 60);
    await e.sync.flush();
    l.close();
    const firstSeg = segmentOf(positions[0]);
    const inFirst = positions.filter((p) => segmentOf(p) === firstSeg);
    const file = join(e.dir, segmentFileName(firstSeg));
    truncateSync(file, offsetOf(inFirst.at(-1)!) + 5);
    l = e.open();
    const lost = inFirst.length;
    assert.deepEqual(seqs(readAll(l)), range(1, 30).filter((s) => s !== lost));
    assert.deepEqual(l.recovery.tornTails.map((x) => [x.file, x.offset]), [[file, offsetOf(inFirst.at(-1)!)]]);
    l.close();
  });
});

describe('SegmentLog: file descriptors', () => {
  /** Paths of this process's open fds inside dir (Linux). */
  const openIn = (dir: string) =>
    readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        const target = readlinkSync(`/proc/self/fd/${fd}`);
        return target.startsWith(dir) ? [target.slice(dir.length + 1)] : [];
      } catch {
        return [];
      }
    });

  it('holds no fd for idle ack files or sealed segments once synced, and none at all after close', async (t) => {
    const e = env(t, 1024);
    const l = e.open();
    const positions = appendAll(l, 1, 200, 50);
    for (let i = 0; i < positions.length; i += 2) l.ack(positions[i]); // every segment gets acks
    await e.sync.flush();
    await e.sync.flush();
    const open = openIn(e.dir);
    assert.ok(l.segmentCount > 10);
    assert.deepEqual(open.filter((f) => f.endsWith('.ack')), [], 'ack files closed when idle');
    assert.ok(open.filter((f) => f.endsWith('.seg')).length <= 2, `only the write segment (and a read fd): ${open}`);
    // Acks after an idle close reopen the file and land after the earlier entries.
    for (let i = 1; i < positions.length; i += 4) l.ack(positions[i]);
    await e.sync.flush();
    l.close();
    assert.deepEqual(openIn(e.dir), []);
    const again = e.open();
    assert.deepEqual(seqs(readAll(again)), range(1, 200).filter((s) => s % 2 === 0 && (s - 2) % 4 !== 0));
    again.close();
  });
});
