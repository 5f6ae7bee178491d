/**
 * Durable definitions (exchanges, queues, bindings, users, vhosts, permissions...): a small
 * keyed document store, kind -> key -> JSON value, all in memory, made durable by
 *
 *   definitions.json     a snapshot, only ever replaced atomically (atomic-file.ts)
 *   definitions.journal  puts and deletes since that snapshot (journal-file.ts)
 *
 * open() loads the snapshot, replays the journal, then writes a fresh snapshot and starts an
 * empty journal; compactIfLarge() does the same when the journal has grown.
 *
 * The snapshot is JSON that jq can read, one definition per line:
 *   {"format":"warren-definitions","version":1,"generation":7,"entries":[
 *   ["queue","/\u0000orders",{...}],
 *   ...
 *   ]}
 * One per line so that a damaged snapshot (a bad sector; a crash cannot do it) costs only
 * the lines that are damaged: the rest are read line by line. The journal's entries are
 * checksummed one by one for the same reason.
 *
 * Values are kept as given: treat what put() received and get() returns as immutable.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { writeFileAtomic } from './atomic-file.js';
import { frameEntry, journalHeader, JOURNAL_HEADER_SIZE, JournalFile, parseJournal } from './journal-file.js';
import type { SyncScheduler } from './sync-scheduler.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const SNAPSHOT_FILE = 'definitions.json';
export const JOURNAL_FILE = 'definitions.journal';
const SNAPSHOT_FORMAT = 'warren-definitions';
const SNAPSHOT_VERSION = 1;

/** The journal is compacted once it is past this size and bigger than the snapshot. */
const COMPACT_MIN_BYTES = 1024 * 1024;

type Entry = ['p', string, string, Json] | ['d', string, string];

export class DefinitionsStore {
  readonly dir: string;
  private readonly kinds = new Map<string, Map<string, Json>>();
  private readonly sync: SyncScheduler;
  private readonly log: Logger;
  private journal!: JournalFile;
  private generation = 0;
  private snapshotBytes = 0;
  private closed = false;

  private constructor(dir: string, sync: SyncScheduler, log: Logger) {
    this.dir = dir;
    this.sync = sync;
    this.log = log;
  }

  /** Loads the snapshot and replays the journal, then writes a fresh snapshot and starts a new journal. Missing files = empty store. */
  static open(dir: string, options: { sync: SyncScheduler; log: Logger }): DefinitionsStore {
    mkdirSync(dir, { recursive: true });
    const store = new DefinitionsStore(dir, options.sync, options.log);
    store.load();
    store.rewrite();
    return store;
  }

  get(kind: string, key: string): Json | undefined {
    return this.kinds.get(kind)?.get(key);
  }

  /** The definitions of a kind, in insertion order. */
  entries(kind: string): [string, Json][] {
    const m = this.kinds.get(kind);
    return m === undefined ? [] : Array.from(m);
  }

  /** Names of the kinds that have definitions. */
  kindNames(): string[] {
    return Array.from(this.kinds.keys());
  }

  /** Journals a put; returns the epoch after which it is durable. */
  put(kind: string, key: string, value: Json): number {
    this.checkOpen();
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) throw new TypeError(`definition ${kind} ${key}: the value is not JSON`);
    this.apply(['p', kind, key, value]);
    return this.journal.append(frameEntry(`["p",${JSON.stringify(kind)},${JSON.stringify(key)},${json}]`));
  }

  /** Journals a delete; returns the epoch after which it is durable. */
  delete(kind: string, key: string): number {
    this.checkOpen();
    this.apply(['d', kind, key]);
    return this.journal.append(frameEntry(JSON.stringify(['d', kind, key] satisfies Entry)));
  }

  /** Rewrites the snapshot atomically and starts an empty journal when the journal has grown large (call freely; it decides). */
  compactIfLarge(): boolean {
    this.checkOpen();
    const journalBytes = this.journal.size + this.journal.pendingBytes;
    if (journalBytes < COMPACT_MIN_BYTES || journalBytes < this.snapshotBytes) return false;
    this.rewrite();
    return true;
  }

  /** Bytes of the journal, counting what is buffered. */
  get journalBytes(): number {
    return this.journal.size + this.journal.pendingBytes;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.journal.closeDurably();
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`definitions store ${this.dir} is closed`);
  }

  private apply(entry: Entry): void {
    const [op, kind, key] = entry;
    if (typeof kind !== 'string' || typeof key !== 'string') throw new TypeError('kind and key must be strings');
    let m = this.kinds.get(kind);
    if (op === 'p') {
      if (m === undefined) this.kinds.set(kind, (m = new Map()));
      m.set(key, entry[3]);
    } else if (m !== undefined) {
      m.delete(key);
      if (m.size === 0) this.kinds.delete(kind);
    }
  }

  private load(): void {
    const snapshotFile = join(this.dir, SNAPSHOT_FILE);
    const journalFile = join(this.dir, JOURNAL_FILE);
    if (existsSync(snapshotFile)) this.generation = this.loadSnapshot(snapshotFile, readFileSync(snapshotFile, 'utf8'));
    if (!existsSync(journalFile)) return;
    const journal = parseJournal(readFileSync(journalFile), journalFile, this.log);
    if (journal.generation === null) return;
    if (journal.generation < this.generation) {
      // A crash after the snapshot was replaced, before the journal was: already included.
      this.log.info({ file: journalFile, generation: journal.generation }, 'definitions journal predates the snapshot; skipped');
      return;
    }
    if (journal.generation > this.generation) {
      this.log.warn({ file: journalFile, generation: journal.generation, snapshotGeneration: this.generation }, 'definitions journal is newer than the snapshot (snapshot lost?); replaying it anyway');
      this.generation = journal.generation;
    }
    for (const text of journal.entries) {
      const entry = parseEntry(text);
      if (entry === null) this.log.error({ file: journalFile, entry: text.slice(0, 200) }, 'unreadable definitions journal entry; skipped');
      else this.apply(entry);
    }
  }

  /** Applies a snapshot's definitions; returns its generation. */
  private loadSnapshot(file: string, text: string): number {
    try {
      const doc = JSON.parse(text) as { format?: unknown; version?: unknown; generation?: unknown; entries?: unknown };
      if (doc.format !== SNAPSHOT_FORMAT || !Array.isArray(doc.entries)) throw new Error('not a Warren definitions snapshot');
      if (doc.version !== SNAPSHOT_VERSION) throw new Error(`snapshot ${file} is in format version ${String(doc.version)}; this Warren reads version ${SNAPSHOT_VERSION}`);
      for (const e of doc.entries) {
        const entry = asPut(e);
        if (entry === null) this.log.error({ file, entry: JSON.stringify(e).slice(0, 200) }, 'malformed definition in snapshot; skipped');
        else this.apply(entry);
      }
      return typeof doc.generation === 'number' ? doc.generation : 0;
    } catch (e) {
      if (e instanceof Error && e.message.includes('format version')) throw e;
      return this.salvageSnapshot(file, text, e);
    }
  }

  /** The snapshot does not parse as a whole: take every line that still does. */
  private salvageSnapshot(file: string, text: string, error: unknown): number {
    const lines = text.split('\n');
    const generation = Number(/"generation":(\d+)/.exec(lines[0] ?? '')?.[1] ?? 0);
    let kept = 0;
    let lost = 0;
    for (let i = 1; i < lines.length; i++) {
      let line = lines[i].trim();
      if (line === '' || line === ']}') continue;
      if (line.endsWith(']}')) line = line.slice(0, -2);
      if (line.endsWith(',')) line = line.slice(0, -1);
      let entry: Entry | null = null;
      try {
        entry = asPut(JSON.parse(line));
      } catch {
        entry = null;
      }
      if (entry === null) {
        lost++;
        this.log.error({ file, line: i + 1, text: line.slice(0, 200) }, 'damaged line in the definitions snapshot; that definition is lost');
      } else {
        kept++;
        this.apply(entry);
      }
    }
    this.log.error({ err: error, file, kept, lost }, 'definitions snapshot is damaged; recovered what could be read line by line');
    return generation;
  }

  /** Writes the whole store as the next generation's snapshot, then replaces the journal with an empty one. */
  private rewrite(): void {
    const generation = this.generation + 1;
    const head = `{"format":"${SNAPSHOT_FORMAT}","version":${SNAPSHOT_VERSION},"generation":${generation},"entries":[\n`;
    const defs: string[] = [];
    for (const [kind, m] of this.kinds) for (const [key, value] of m) defs.push(JSON.stringify([kind, key, value]));
    const text = head + defs.join(',\n') + (defs.length > 0 ? '\n' : '') + ']}\n';
    const snapshotFile = join(this.dir, SNAPSHOT_FILE);
    writeFileAtomic(snapshotFile, text);
    this.snapshotBytes = Buffer.byteLength(text);
    this.generation = generation;

    // The snapshot is durable: the old journal's entries are in it. Replace the journal by a
    // new file (not a truncation, whose old bytes a crash could resurrect behind new ones).
    const journalFile = join(this.dir, JOURNAL_FILE);
    writeFileAtomic(journalFile, journalHeader(generation));
    const old = this.journal as JournalFile | undefined;
    this.journal = new JournalFile(journalFile, JOURNAL_HEADER_SIZE, this.sync);
    // Its buffered entries are in the snapshot; the fd closes once no sync cycle holds it.
    old?.closeDiscarding();
  }
}

function parseEntry(text: string): Entry | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(v) || typeof v[1] !== 'string' || typeof v[2] !== 'string') return null;
  if (v[0] === 'p' && v.length === 4) return v as Entry;
  if (v[0] === 'd' && v.length === 3) return v as Entry;
  return null;
}

function asPut(v: unknown): Entry | null {
  if (!Array.isArray(v) || v.length !== 3 || typeof v[0] !== 'string' || typeof v[1] !== 'string') return null;
  return ['p', v[0], v[1], v[2] as Json];
}
