/**
 * A segment's ack file: u32 LE offsets of records that are done, appended as acks arrive and
 * written in the sync cycles. Losing the last few in a crash only brings those messages back
 * as redelivered, so nothing waits for these syncs; they ride along with the segment's.
 */
import { closeSync, constants, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Logger } from '../log.js';
import { FileTarget } from './file-target.js';
import { ACK_ENTRY_SIZE } from './segment-file.js';
import type { SyncResult, SyncScheduler } from './sync-scheduler.js';

const INITIAL_BUFFER = 256;
/** A buffer grown past this by a burst of acks is dropped once written. */
const KEEP_BUFFER = 64 * 1024;

export class AckFile extends FileTarget {
  /** Bytes in the file (what is buffered not included). */
  size: number;
  private buf = Buffer.allocUnsafe(INITIAL_BUFFER);
  private len = 0;

  constructor(file: string, fd: number, size: number, sync: SyncScheduler) {
    super(file, fd, sync);
    this.size = size;
  }

  /** Opens (creating) the ack file for appending at `size`, the length recovery found. */
  static open(file: string, size: number, sync: SyncScheduler): AckFile {
    return new AckFile(file, openAckFile(file), size, sync);
  }

  /**
   * Acks come in bursts per segment, mostly at the front of the queue; between bursts the
   * file need not stay open. So the fd is closed after each cycle that leaves nothing to
   * write, and reopened for the next burst: a queue acked across many segments holds no
   * fd per segment. (At the end of a cycle no cycle holds the fd, so closing is safe.)
   */
  protected override synced(result: SyncResult): void {
    if (this.fd >= 0 && !this.closing && this.pendingBytes === 0 && result.epoch >= this.marked) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }

  protected override ensureOpen(): boolean {
    if (this.fd < 0) this.fd = openAckFile(this.file);
    return true;
  }

  get pendingBytes(): number {
    return this.len;
  }

  add(offset: number): void {
    if (this.len + ACK_ENTRY_SIZE > this.buf.length) {
      const next = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(next, 0, 0, this.len);
      this.buf = next;
    }
    this.buf.writeUInt32LE(offset, this.len);
    this.len += ACK_ENTRY_SIZE;
  }

  protected writeBuffered(): void {
    let done = 0;
    try {
      while (done < this.len) {
        const n = writeSync(this.fd, this.buf, done, this.len - done, this.size);
        done += n;
        this.size += n;
      }
    } finally {
      // Keep what was not written, at the front.
      if (done > 0) {
        this.buf.copy(this.buf, 0, done, this.len);
        this.len -= done;
      }
    }
    if (this.buf.length > KEEP_BUFFER) this.buf = Buffer.allocUnsafe(INITIAL_BUFFER);
  }

  protected discardBuffered(): void {
    this.len = 0;
  }
}

function openAckFile(file: string): number {
  return openSync(file, constants.O_WRONLY | constants.O_CREAT, 0o644);
}

/**
 * Reads an ack file at recovery: the offsets it lists, sorted. A trailing partial entry (a
 * write torn by a crash) is cut off the file, logged, and ignored, so later entries land on
 * 4-byte boundaries again. A missing file means nothing is acked.
 */
export function loadAckFile(file: string, log: Logger): { offsets: Uint32Array; size: number } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { offsets: new Uint32Array(0), size: 0 };
    throw e;
  }
  const count = Math.floor(bytes.length / ACK_ENTRY_SIZE);
  const size = count * ACK_ENTRY_SIZE;
  if (size !== bytes.length) {
    log.warn({ file, offset: size, bytes: bytes.length - size }, 'ack file ends in a partial entry (torn write); ignoring it');
    const fd = openSync(file, 'r+');
    try {
      ftruncateSync(fd, size);
    } finally {
      closeSync(fd);
    }
  }
  const offsets = new Uint32Array(count);
  for (let i = 0; i < count; i++) offsets[i] = bytes.readUInt32LE(i * ACK_ENTRY_SIZE);
  offsets.sort();
  return { offsets, size };
}
