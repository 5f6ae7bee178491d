import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeFileAtomic } from '../../src/storage/atomic-file.js';
import { DefinitionsStore, JOURNAL_FILE, SNAPSHOT_FILE, type Json } from '../../src/storage/definitions-store.js';
import { JOURNAL_HEADER_SIZE } from '../../src/storage/journal-file.js';
import { captureLog, scheduler, tempDir } from './helpers.js';

type T = Parameters<typeof tempDir>[0] & Parameters<typeof scheduler>[0];

function env(t: T) {
  const { log, lines } = captureLog();
  const sync = scheduler(t, log, 1);
  const dir = tempDir(t);
  return { dir, sync, log, lines, open: () => DefinitionsStore.open(dir, { sync, log }) };
}

const queue = (name: string, durable = true): Json => ({ name, durable, arguments: { 'x-max-length': 10 } });

describe('DefinitionsStore', () => {
  it('starts empty, keeps puts and deletes in insertion order, and has them again after a reopen', async (t) => {
    const e = env(t);
    let s = e.open();
    assert.deepEqual(s.entries('queue'), []);
    assert.equal(s.get('queue', 'a'), undefined);
    s.put('queue', '/\u0000a', queue('a'));
    s.put('queue', '/\u0000b', queue('b'));
    s.put('exchange', '/\u0000x', { type: 'topic', note: 'line\nbreak and \u2028 too' });
    s.put('queue', '/\u0000c', queue('c'));
    s.delete('queue', '/\u0000b');
    const epoch = s.put('queue', '/\u0000a', queue('a', false)); // replaced in place
    assert.ok(epoch >= 1);
    await e.sync.flush();
    assert.ok(e.sync.syncedEpoch >= epoch);
    const expected = [
      ['/\u0000a', queue('a', false)],
      ['/\u0000c', queue('c')],
    ];
    assert.deepEqual(s.entries('queue'), expected);
    // Durable without close() (as after kill -9): reopen from what is on disk.
    const again = DefinitionsStore.open(e.dir, { sync: e.sync, log: e.log });
    assert.deepEqual(again.entries('queue'), expected);
    assert.deepEqual(again.get('exchange', '/\u0000x'), { type: 'topic', note: 'line\nbreak and \u2028 too' });
    again.close();
    s.close();
    s = e.open();
    assert.deepEqual(s.entries('queue'), expected);
    assert.deepEqual(s.kindNames().sort(), ['exchange', 'queue']);
    s.close();
    // The snapshot is plain JSON.
    const doc = JSON.parse(readFileSync(join(e.dir, SNAPSHOT_FILE), 'utf8'));
    assert.equal(doc.format, 'warren-definitions');
    assert.equal(doc.entries.length, 3);
  });

  it('drops a torn journal tail, logged, and keeps everything before it', async (t) => {
    const e = env(t);
    const s = e.open();
    for (let i = 0; i < 5; i++) s.put('queue', `q${i}`, queue(`q${i}`));
    await e.sync.flush();
    const journal = join(e.dir, JOURNAL_FILE);
    const size = statSync(journal).size;
    // Leave the store as a crash would: no close, the journal cut in its last entry.
    truncateSync(journal, size - 3);
    const again = e.open();
    assert.deepEqual(again.entries('queue').map(([k]) => k), ['q0', 'q1', 'q2', 'q3']);
    assert.ok(e.lines.some((l) => l.msg.startsWith('torn tail') && l.file === journal && typeof l.offset === 'number'));
    again.close();
    s.close();
  });

  it('skips a damaged journal entry in the middle and keeps the ones after it', async (t) => {
    const e = env(t);
    const s = e.open();
    s.put('queue', 'q0', queue('q0'));
    await e.sync.flush();
    const journal = join(e.dir, JOURNAL_FILE);
    const firstEnd = statSync(journal).size;
    s.put('queue', 'q1', queue('q1'));
    s.put('queue', 'q2', queue('q2'));
    await e.sync.flush();
    const bytes = readFileSync(journal);
    bytes[firstEnd + 12] ^= 0xff; // inside q1's payload
    writeFileSync(journal, bytes);
    const again = e.open();
    assert.deepEqual(again.entries('queue').map(([k]) => k), ['q0', 'q2']);
    assert.ok(e.lines.some((l) => l.msg.includes('checksum') && l.file === journal));
    again.close();
    s.close();
  });

  it('ignores a temp file left by a crash during a snapshot write', async (t) => {
    const e = env(t);
    let s = e.open();
    s.put('user', 'guest', { tags: ['administrator'] });
    s.close();
    writeFileSync(join(e.dir, `${SNAPSHOT_FILE}.tmp`), '{"format":"warren-definitions","version":1,"generation":99,"entries":[\n["user","ghost",{}]');
    s = e.open();
    assert.deepEqual(s.entries('user'), [['guest', { tags: ['administrator'] }]]);
    s.close();
    assert.ok(!existsSync(join(e.dir, `${SNAPSHOT_FILE}.tmp`)), 'overwritten by the next snapshot and renamed');
  });

  it('recovers every undamaged line of a damaged snapshot', async (t) => {
    const e = env(t);
    let s = e.open();
    for (let i = 0; i < 5; i++) s.put('binding', `b${i}`, { source: 'x', destination: `q${i}` });
    s.close();
    s = e.open(); // everything now in the snapshot
    s.close();
    const file = join(e.dir, SNAPSHOT_FILE);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[3] = lines[3].slice(0, 10) + '\u0000garbage'; // b2's line
    writeFileSync(file, lines.join('\n'));
    s = e.open();
    assert.deepEqual(s.entries('binding').map(([k]) => k), ['b0', 'b1', 'b3', 'b4']);
    assert.ok(e.lines.some((l) => l.msg.includes('snapshot is damaged')));
    s.close();
  });

  it('skips a journal older than the snapshot (crash between snapshot and journal replacement)', async (t) => {
    const e = env(t);
    let s = e.open();
    s.put('queue', 'q', queue('q'));
    s.delete('queue', 'q');
    s.close();
    const journal = join(e.dir, JOURNAL_FILE);
    const oldJournal = readFileSync(journal);
    s = e.open(); // snapshot generation moves on
    s.put('queue', 'q', queue('q'));
    s.close();
    s = e.open();
    s.close();
    // As if the journal of an older generation had survived beside the newer snapshot.
    writeFileAtomic(journal, oldJournal);
    s = e.open();
    assert.deepEqual(s.entries('queue').map(([k]) => k), ['q'], 'the old delete is not replayed');
    s.close();
  });

  it('compacts a large journal into the snapshot only when it has grown', async (t) => {
    const e = env(t);
    const s = e.open();
    assert.equal(s.compactIfLarge(), false);
    const big = 'x'.repeat(1000);
    for (let i = 0; i < 1500; i++) s.put('queue', `q${i % 10}`, { big, i });
    assert.ok(s.journalBytes > 1024 * 1024);
    assert.equal(s.compactIfLarge(), true);
    assert.equal(s.journalBytes, JOURNAL_HEADER_SIZE);
    assert.equal(statSync(join(e.dir, JOURNAL_FILE)).size, JOURNAL_HEADER_SIZE);
    assert.equal(s.compactIfLarge(), false);
    s.put('queue', 'after', { ok: true });
    await e.sync.flush();
    const again = e.open();
    assert.equal(again.entries('queue').length, 11);
    assert.deepEqual(again.get('queue', 'q9'), { big, i: 1499 });
    assert.deepEqual(again.get('queue', 'after'), { ok: true });
    again.close();
    s.close();
  });

  it('refuses values that are not JSON and use after close', (t) => {
    const e = env(t);
    const s = e.open();
    assert.throws(() => s.put('queue', 'q', undefined as unknown as Json), TypeError);
    assert.equal(s.get('queue', 'q'), undefined);
    s.close();
    assert.throws(() => s.put('queue', 'q', 1), /closed/);
  });

  it('writeFileAtomic replaces contents whole', (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'f.json');
    writeFileAtomic(file, 'one');
    writeFileAtomic(file, Buffer.from('two'));
    assert.equal(readFileSync(file, 'utf8'), 'two');
    assert.ok(!existsSync(`${file}.tmp`));
    appendFileSync(`${file}.tmp`, 'left over');
    writeFileAtomic(file, 'three');
    assert.equal(readFileSync(file, 'utf8'), 'three');
  });
});
