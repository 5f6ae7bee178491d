import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { lockDataDir } from './data-dir-lock.js';
import { DefinitionsStore, type Json } from './definitions-store.js';
import type { Durability, SyncOutcome } from './durability.js';
import { MemoryBudget } from './memory-budget.js';
import { SegmentLog } from './segment-log.js';
import { StreamLog } from './stream/stream-log.js';
import { SyncScheduler } from './sync-scheduler.js';
import { DeliveredMark, DeliveredMarks } from './watermark.js';

export interface StorageOptions {
  dataDir: string;
  log: Logger;
  /** Group-commit window: one fdatasync per dirty file per window. */
  syncIntervalMs: number;
  /** Message bytes all logs' readers together keep in memory before paging new ones to disk. */
  memoryBudgetBytes?: number;
}

const DEFAULT_MEMORY_BUDGET = 256 * 1024 * 1024;
const DELIVERED_MARK_FILE = 'delivered.mark';

/** A named log's files, opened: the segment log and its delivered mark. */
export interface NamedLog {
  log: SegmentLog;
  mark: DeliveredMark;
}

/**
 * Everything Warren keeps on disk, in one data folder:
 *   warren.lock                     one process per folder
 *   definitions.json / .journal     durable definitions, kind -> key -> JSON
 *   queues/<hash>/                  each named durable log (a queue's messages) and its delivered mark
 *   transient/                      scratch logs (paged-out messages that need not survive; wiped at start)
 * It knows logs by name and definitions as JSON; what they mean is the broker's business.
 */
export class Storage implements Durability {
  readonly deliveredMarks = new DeliveredMarks();
  /** Message bytes held in memory by every log reader together. */
  readonly budget: MemoryBudget;
  private readonly sync: SyncScheduler;
  private readonly definitions: DefinitionsStore;
  private readonly lock: { release(): void };
  private lastDefinitionsEpoch = 0;

  private constructor(private readonly options: StorageOptions) {
    this.lock = lockDataDir(options.dataDir);
    try {
      rmSync(this.transientDir, { recursive: true, force: true });
      mkdirSync(join(options.dataDir, 'queues'), { recursive: true });
      this.sync = new SyncScheduler({ intervalMs: options.syncIntervalMs, log: options.log });
      this.definitions = DefinitionsStore.open(options.dataDir, { sync: this.sync, log: options.log });
    } catch (error) {
      this.lock.release();
      throw error;
    }
    this.budget = new MemoryBudget(options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET);
  }

  static open(options: StorageOptions): Storage {
    return new Storage(options);
  }

  get log(): Logger {
    return this.options.log;
  }

  // --- Durability ------------------------------------------------------------------

  get syncedEpoch(): number {
    return this.sync.syncedEpoch;
  }

  get pendingDefinitionsEpoch(): number {
    return this.lastDefinitionsEpoch > this.sync.syncedEpoch ? this.lastDefinitionsEpoch : 0;
  }

  onSynced(listener: (outcome: SyncOutcome) => void): () => void {
    return this.sync.onSynced(listener);
  }

  // --- logs --------------------------------------------------------------------------

  /**
   * The durable log named by (`scope`, `name`), e.g. a queue's in its vhost, with its
   * delivered mark; created empty if it does not exist. Recovery (torn tails cut) happens here.
   */
  openDurableLog(scope: string, name: string, part = ''): NamedLog {
    const dir = this.durableDir(scope, name, part);
    const log = SegmentLog.open(dir, { sync: this.sync, log: this.options.log, durable: true });
    const markPath = join(dir, DELIVERED_MARK_FILE);
    return { log, mark: new DeliveredMark(markPath, DeliveredMark.read(markPath)) };
  }

  /**
   * Where a durable log lives; `part` names one of several logs under one name (a priority
   * level), kept beside the name's own folder so that removing one never removes another.
   */
  durableDir(scope: string, name: string, part = ''): string {
    const hash = createHash('sha1').update(scope).update('\u0000').update(name).digest('hex');
    return join(this.options.dataDir, 'queues', part === '' ? hash : `${hash}-${part}`);
  }

  /** The stream named by (`scope`, `name`), created empty if it does not exist, recovered if it does. */
  openStream(scope: string, name: string, options: { maxSegmentBytes: number; filterSize: number }): StreamLog {
    return StreamLog.open(this.durableDir(scope, name), { sync: this.sync, log: this.options.log, ...options });
  }

  /** A log for messages that need not survive a restart; it touches the disk only when written to. */
  openScratchLog(): SegmentLog {
    const dir = join(this.transientDir, randomBytes(8).toString('hex'));
    return SegmentLog.open(dir, { sync: this.sync, log: this.options.log, durable: false });
  }

  private get transientDir(): string {
    return join(this.options.dataDir, 'transient');
  }

  // --- definitions ----------------------------------------------------------------

  getDefinition(kind: string, key: string): Json | undefined {
    return this.definitions.get(kind, key);
  }

  definitionEntries(kind: string): [string, Json][] {
    return this.definitions.entries(kind);
  }

  /** Journals a definition; the change is durable once `pendingDefinitionsEpoch` has synced. */
  putDefinition(kind: string, key: string, value: Json): void {
    this.noteEpoch(this.definitions.put(kind, key, value));
  }

  deleteDefinition(kind: string, key: string): void {
    this.noteEpoch(this.definitions.delete(kind, key));
  }

  private noteEpoch(epoch: number): void {
    this.lastDefinitionsEpoch = Math.max(this.lastDefinitionsEpoch, epoch);
    this.definitions.compactIfLarge();
  }

  /** Writes and syncs everything, then lets go of the data folder. Logs must be closed first. */
  async close(): Promise<void> {
    try {
      await this.sync.close();
      this.definitions.close();
    } finally {
      rmSync(this.transientDir, { recursive: true, force: true });
      this.lock.release();
    }
  }
}
