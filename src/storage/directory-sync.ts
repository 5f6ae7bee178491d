/**
 * fsync of a directory as a sync target: a segment file created during a cycle's window
 * must have its directory entry on disk before a record in it is confirmed, or a power
 * loss could keep the data blocks and lose the name. The fd lives only until that sync.
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import type { SyncResult, SyncScheduler, SyncTarget } from './sync-scheduler.js';

export class DirectorySync implements SyncTarget {
  fd = -1;
  readonly file: string;
  private readonly sync: SyncScheduler;
  private marked = 0;
  private cycling = false;
  private closed = false;

  constructor(dir: string, sync: SyncScheduler) {
    this.file = dir;
    this.sync = sync;
  }

  /** Something was created in the directory: sync it in the next cycle. */
  touch(): void {
    if (this.fd < 0) this.fd = openSync(this.file, 'r');
    this.marked = this.sync.markDirty(this);
  }

  writePending(): void {
    this.cycling = true;
  }

  afterSync(result: SyncResult): void {
    this.cycling = false;
    if (this.closed || result.epoch >= this.marked) this.closeFd();
  }

  /** Shutdown: syncs now if a creation is not yet synced, then lets go of the fd. */
  closeDurably(): void {
    this.closed = true;
    if (this.fd < 0) return;
    if (this.marked > this.sync.syncedEpoch) fsyncSync(this.fd);
    if (!this.cycling) this.closeFd();
  }

  private closeFd(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** fsync of a directory right now (startup, atomic file replacement). */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
