/**
 * Group commit. Writers buffer in memory and mark themselves dirty; at most intervalMs later
 * a cycle writes every dirty target's buffer and fdatasyncs their files in parallel, then
 * reports one result for everything written in that window. A publisher confirm waits for
 * the result of the epoch its record was appended in: one fdatasync per file per window,
 * shared by every message in it, however many there were.
 *
 * Epochs: a cycle takes E = currentEpoch and bumps currentEpoch before it writes anything,
 * so whatever is appended while the cycle runs belongs to E + 1. Results arrive in epoch
 * order, exactly once per epoch. A writer waiting for epoch e acts on the first result with
 * epoch >= e: if that one failed, its data may not be on disk.
 *
 * fdatasync runs on libuv's thread pool (fs.fdatasync with a callback): the event loop keeps
 * serving sockets while the disk works.
 */
import { fdatasync } from 'node:fs';
import type { Logger } from '../log.js';

export interface SyncTarget {
  /** Writes everything this target has buffered (synchronously, e.g. fs.writeSync/writevSync). Called at the start of a cycle. */
  writePending(): void;
  /** The file descriptor to fdatasync after writePending. Negative: nothing to sync (the file was closed). */
  readonly fd: number;
  /** The file's path, for log lines. */
  readonly file?: string;
  /** Called after the cycle that called writePending ended (ok or not): the fd is no longer in use by the scheduler. */
  afterSync?(result: SyncResult): void;
}

export interface SyncResult {
  epoch: number;
  ok: boolean;
  error?: Error;
}

type Listener = (result: SyncResult) => void;

interface Waiter {
  epoch: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** While cycles keep failing, wait at least this long (doubling up to MAX_RETRY_DELAY_MS) so a full disk is not hammered. */
const MIN_RETRY_DELAY_MS = 10;
const MAX_RETRY_DELAY_MS = 1000;

export class SyncScheduler {
  private readonly intervalMs: number;
  private readonly log: Logger;
  private epoch = 1;
  private completed = 0;
  private dirty = new Set<SyncTarget>();
  /** When the first mark of the current epoch arrived (the window opens then). */
  private windowStart = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private inFlight = false;
  /** A flush() asked for the next cycle to start as soon as possible. */
  private hurry = false;
  private failureStreak = 0;
  private closed = false;
  private listeners: Listener[] = [];
  private waiters: Waiter[] = [];
  private readonly runNow = () => {
    this.timer = undefined;
    this.immediate = undefined;
    void this.cycle();
  };

  constructor(options: { intervalMs: number; log: Logger }) {
    if (!(options.intervalMs >= 0)) throw new RangeError(`intervalMs must be >= 0, got ${options.intervalMs}`);
    this.intervalMs = options.intervalMs;
    this.log = options.log;
  }

  /** Epoch of writes made now; they are durable once a 'synced' result with epoch >= it and ok=true arrives. */
  get currentEpoch(): number {
    return this.epoch;
  }

  /** Highest epoch that completed (ok or not). */
  get syncedEpoch(): number {
    return this.completed;
  }

  /** After close(): nothing more can be marked. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Registers a target with unsynced data; returns currentEpoch. A cycle starts at most intervalMs later. */
  markDirty(target: SyncTarget): number {
    if (this.closed) throw new Error('the sync scheduler is closed: nothing more can be made durable');
    if (this.dirty.size === 0) this.windowStart = performance.now();
    this.dirty.add(target);
    if (!this.inFlight) this.schedule();
    return this.epoch;
  }

  /** Listener for every completed cycle, in epoch order. */
  onSynced(listener: Listener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Runs a cycle now (waiting for one in flight) and resolves when everything written before the call is durable (rejects if that cycle failed). */
  flush(): Promise<void> {
    // Nothing marked for the current epoch: everything written so far belongs to the cycle in
    // flight, if any, or is already synced.
    const epoch = this.dirty.size > 0 ? this.epoch : this.inFlight ? this.epoch - 1 : 0;
    if (epoch === 0) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ epoch, resolve, reject }));
    if (epoch === this.epoch) {
      this.hurry = true;
      if (!this.inFlight) this.startSoon(0);
    }
    return done;
  }

  /** Final flush, then no more cycles. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.closed = true;
      this.cancelTimer();
    }
  }

  /** Starts a cycle when the current window ends (or now-ish if it already has). */
  private schedule(): void {
    if (this.timer !== undefined || this.immediate !== undefined || this.dirty.size === 0) return;
    let delay = this.hurry ? 0 : this.windowStart + this.intervalMs - performance.now();
    if (this.failureStreak > 0 && !this.hurry) {
      delay = Math.max(delay, Math.min(MAX_RETRY_DELAY_MS, MIN_RETRY_DELAY_MS * 2 ** (this.failureStreak - 1)));
    }
    this.startSoon(delay);
  }

  private startSoon(delay: number): void {
    this.cancelTimer();
    // Next turn of the event loop, after pending I/O callbacks: every publish that arrived in
    // this turn shares the cycle.
    if (delay <= 0) this.immediate = setImmediate(this.runNow);
    else this.timer = setTimeout(this.runNow, delay);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private async cycle(): Promise<void> {
    if (this.inFlight || this.dirty.size === 0) return;
    this.inFlight = true;
    this.hurry = false;
    const epoch = this.epoch++;
    const targets = [...this.dirty];
    this.dirty.clear();

    let error: Error | undefined;
    const syncs: Promise<Error | null>[] = [];
    const syncing: number[] = [];
    for (const target of targets) {
      try {
        target.writePending();
      } catch (e) {
        const err = asError(e);
        error ??= err;
        this.log.error({ err, file: target.file, epoch }, 'storage write failed; the data stays buffered and is retried next cycle');
        // It keeps its unwritten data: retry in the next cycle, whatever else happens.
        if (this.dirty.size === 0) this.windowStart = performance.now();
        this.dirty.add(target);
        continue;
      }
      const fd = target.fd;
      if (fd < 0 || syncing.includes(fd)) continue;
      syncing.push(fd);
      syncs.push(syncFile(fd, target.file, this.log, epoch));
    }
    const failures = await Promise.all(syncs);
    for (const f of failures) if (f !== null) error ??= f;

    const result: SyncResult = error === undefined ? { epoch, ok: true } : { epoch, ok: false, error };
    for (const target of targets) {
      try {
        target.afterSync?.(result);
      } catch (e) {
        this.log.error({ err: asError(e), file: target.file }, 'storage target failed after a sync cycle');
      }
    }
    this.completed = epoch;
    this.failureStreak = error === undefined ? 0 : this.failureStreak + 1;
    this.inFlight = false;
    for (const listener of this.listeners.slice()) {
      try {
        listener(result);
      } catch (e) {
        this.log.error({ err: asError(e) }, 'sync listener threw');
      }
    }
    this.settleWaiters(result);
    if (!this.closed) this.schedule();
  }

  private settleWaiters(result: SyncResult): void {
    if (this.waiters.length === 0) return;
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.epoch > result.epoch) keep.push(w);
      else if (result.ok) w.resolve();
      else w.reject(result.error ?? new Error(`sync of epoch ${result.epoch} failed`));
    }
    this.waiters = keep;
  }
}

function syncFile(fd: number, file: string | undefined, log: Logger, epoch: number): Promise<Error | null> {
  return new Promise((resolve) => {
    fdatasync(fd, (err) => {
      if (err) {
        log.error({ err, file: file ?? `fd ${fd}`, epoch }, 'fdatasync failed: data written in this cycle may not be on disk');
        resolve(err);
      } else resolve(null);
    });
  });
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
