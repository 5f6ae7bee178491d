/**
 * An append-only file with a write buffer, synced by the SyncScheduler (or by nobody, for a
 * scratch log). Subclasses say what is buffered and how to write it; this class keeps the
 * bookkeeping that makes closing safe: a file is closed only when no sync cycle still needs
 * its fd, since closing under a pending fdatasync would fail that cycle (EBADF) or, worse,
 * sync whatever file got the fd number next.
 */
import { closeSync, fdatasyncSync } from 'node:fs';
import type { SyncResult, SyncScheduler, SyncTarget } from './sync-scheduler.js';

export abstract class FileTarget implements SyncTarget {
  /** -1 once closed. */
  fd: number;
  readonly file: string;
  protected readonly sync: SyncScheduler | null;
  /** Epoch of the last markDirty (0 = never marked). */
  protected marked = 0;
  /** Between writePending and afterSync of one cycle: the scheduler holds the fd. */
  private cycling = false;
  private closeRequested = false;
  /** Set by close(): later cycles have nothing to do here. */
  protected closing = false;

  constructor(file: string, fd: number, sync: SyncScheduler | null) {
    this.file = file;
    this.fd = fd;
    this.sync = sync;
  }

  /** Bytes buffered and not yet written. */
  abstract get pendingBytes(): number;
  /** Writes the buffer at the file's end; on failure throws and keeps what was not written. */
  protected abstract writeBuffered(): void;
  /** Drops whatever is buffered (the file is being deleted). */
  protected abstract discardBuffered(): void;
  /** Whether the fd is open for a write; a subclass that closes when idle reopens here. */
  protected ensureOpen(): boolean {
    return this.fd >= 0;
  }

  /** Registers with the scheduler if not yet for this epoch; returns the epoch of what is buffered now (0 without a scheduler). */
  markDirty(): number {
    const sync = this.sync;
    if (sync === null) return 0;
    const epoch = sync.currentEpoch;
    if (this.marked !== epoch) {
      sync.markDirty(this);
      this.marked = epoch;
    }
    return epoch;
  }

  /** Hook for subclasses, at the end of every cycle this target was in. */
  protected synced(_result: SyncResult): void {}

  /** Written data not known to be synced (marked for an epoch that has not completed). */
  get unsynced(): boolean {
    return this.sync !== null && this.marked > this.sync.syncedEpoch;
  }

  writePending(): void {
    this.cycling = true;
    this.writeNow();
  }

  /** Writes the buffer now, outside a cycle (a read needs the bytes, or the buffer is full). */
  writeNow(): void {
    if (!this.closing && this.pendingBytes > 0 && this.ensureOpen()) this.writeBuffered();
  }

  afterSync(result: SyncResult): void {
    this.cycling = false;
    this.synced(result);
    if (this.closeRequested && (this.closing || (result.epoch >= this.marked && this.pendingBytes === 0))) this.closeFd();
  }

  /**
   * No more writes: closes the fd once the cycle that syncs what was written has run (right
   * away if there is none). The file stays open meanwhile; nothing is lost.
   */
  closeWhenSynced(): void {
    this.closeRequested = true;
    if (!this.cycling && !this.unsynced && this.pendingBytes === 0) this.closeFd();
  }

  /**
   * Clean shutdown: writes the buffer and, if anything is not yet synced, fdatasyncs it here
   * and now (a pending cycle will skip this file, so it must not report our data as synced
   * without it being so). Throws if the write or sync fails.
   */
  closeDurably(): void {
    if (this.closing) return;
    try {
      this.writeNow();
      if (this.unsynced && this.fd >= 0) fdatasyncSync(this.fd);
    } finally {
      this.closeDiscarding();
    }
  }

  /** The file is being deleted: drop the buffer and close as soon as no cycle holds the fd. */
  closeDiscarding(): void {
    this.discardBuffered();
    this.closing = true;
    this.closeRequested = true;
    if (!this.cycling) this.closeFd();
  }

  protected closeFd(): void {
    this.closing = true;
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    closeSync(fd);
  }
}
