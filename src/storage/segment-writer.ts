/**
 * Appends records to one segment file through a reusable slab: each record is encoded in
 * place, no Buffer per record, and a sync cycle (or a full slab, or a read that needs the
 * bytes) writes the whole batch with one pwritev at the file's end. Once written, the slab
 * is reused from its start, so a steady stream of appends allocates nothing here.
 *
 * Bodies of BODY_REF_THRESHOLD bytes or more are not copied: the slab region before them is
 * cut off as one iovec and the body buffer itself is the next. Such a body must not be
 * modified until it is written (the next cycle); the broker's bodies never are.
 *
 * If a write fails (ENOSPC, EIO), nothing is lost from memory: the unwritten part stays
 * queued and the next attempt writes it at the same file offset, so record positions handed
 * out earlier stay true. New appends then go to a fresh slab.
 */
import { writevSync } from 'node:fs';
import { FileTarget } from './file-target.js';
import { recordCrc, writeRecordHead, type MessageRecord } from './record.js';
import type { Segment } from './segment.js';
import { SEGMENT_HEADER_SIZE, writeSegmentHeader } from './segment-file.js';
import type { SyncScheduler } from './sync-scheduler.js';

/** Slab size, and the most a writer buffers before writing without waiting for a cycle. */
export const SLAB_SIZE = 1024 * 1024;
/** Bodies at least this big are written by reference instead of copied into the slab. */
export const BODY_REF_THRESHOLD = 16 * 1024;

const EMPTY = Buffer.alloc(0);

export class SegmentWriter extends FileTarget {
  readonly segment: Segment;
  /** Bytes of the file on disk (written, maybe not yet synced). */
  written: number;
  private slab: Buffer;
  /** Where the next byte goes in the slab. */
  private pos = 0;
  /** Start of the slab region not yet queued in chunks: [regionStart, pos) is pending. */
  private regionStart = 0;
  /** Pending buffers before the slab region, in file order. */
  private chunks: Buffer[] = [];
  private chunkBytes = 0;

  constructor(segment: Segment, fd: number, written: number, sync: SyncScheduler | null, slab: Buffer | null) {
    super(segment.file, fd, sync);
    this.segment = segment;
    this.written = written;
    this.slab = slab ?? Buffer.allocUnsafeSlow(SLAB_SIZE);
    segment.writer = this;
  }

  get pendingBytes(): number {
    return this.chunkBytes + (this.pos - this.regionStart);
  }

  /** The slab, if nothing pending refers to it any more: the next writer reuses it. */
  releaseSlab(): Buffer | null {
    if (this.pendingBytes !== 0 || this.slab.length !== SLAB_SIZE) return null;
    const slab = this.slab;
    this.slab = EMPTY;
    return slab;
  }

  /** Queues the segment file header (a new, empty file). */
  appendFileHeader(): void {
    this.ensureRoom(SEGMENT_HEADER_SIZE);
    this.pos = writeSegmentHeader(this.slab, this.pos);
  }

  /** Queues one record of `size` bytes (already validated and measured by the caller). */
  appendRecord(record: MessageRecord, size: number, exchangeBytes: number, routingKeyBytes: number): void {
    const body = record.body;
    const byReference = body.length >= BODY_REF_THRESHOLD;
    this.ensureRoom(byReference ? size - body.length : size);
    const slab = this.slab;
    const start = this.pos;
    const headEnd = writeRecordHead(slab, start, record, size, exchangeBytes, routingKeyBytes);
    if (byReference) {
      this.chunks.push(slab.subarray(this.regionStart, headEnd), body);
      this.chunkBytes += headEnd - this.regionStart + body.length;
      this.pos = this.regionStart = headEnd;
    } else {
      this.pos = headEnd + body.copy(slab, headEnd);
    }
    slab.writeUInt32LE(recordCrc(slab, start, headEnd, record.header, body), start + 4);
  }

  /**
   * Makes room for n contiguous bytes: a full slab is written out now (the buffer is large,
   * no need to wait for the cycle); if that fails, or n is bigger than a slab, the pending
   * region is queued as it is and a fresh slab takes over.
   */
  private ensureRoom(n: number): void {
    if (this.slab.length - this.pos >= n) return;
    if (this.pendingBytes > 0) {
      try {
        this.writeNow();
      } catch {
        // Kept queued; the sync cycle retries it and reports the failure.
      }
    }
    if (this.slab.length - this.pos >= n) return;
    if (this.pos > this.regionStart) {
      this.chunks.push(this.slab.subarray(this.regionStart, this.pos));
      this.chunkBytes += this.pos - this.regionStart;
    }
    this.slab = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, n));
    this.pos = this.regionStart = 0;
  }

  protected writeBuffered(): void {
    let bufs = this.chunks;
    if (this.pos > this.regionStart) bufs.push(this.slab.subarray(this.regionStart, this.pos));
    this.chunks = [];
    this.chunkBytes = 0;
    this.regionStart = this.pos;
    let left = 0;
    for (const b of bufs) left += b.length;
    try {
      while (left > 0) {
        const n = writevSync(this.fd, bufs, this.written);
        this.written += n;
        left -= n;
        if (left > 0) bufs = dropWritten(bufs, n);
      }
    } catch (e) {
      // Whatever was not written goes back to the front of the queue.
      this.chunks = bufs.concat(this.chunks);
      this.chunkBytes = left + this.chunkBytes;
      throw e;
    }
    if (this.chunks.length === 0) {
      this.pos = this.regionStart = 0;
      if (this.slab.length !== SLAB_SIZE) this.slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    }
  }

  protected discardBuffered(): void {
    this.chunks = [];
    this.chunkBytes = 0;
    this.pos = this.regionStart = 0;
  }
}

/** The buffers left after the first n bytes of bufs were written (a partial write). */
function dropWritten(bufs: Buffer[], n: number): Buffer[] {
  let i = 0;
  while (i < bufs.length && n >= bufs[i].length) n -= bufs[i++].length;
  const rest = bufs.slice(i);
  if (n > 0) rest[0] = rest[0].subarray(n);
  return rest;
}
