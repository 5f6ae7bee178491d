/**
 * One segment of a stream: what memory keeps of it (a few numbers, never anything per
 * chunk) and, for the segment being written, the files' writers.
 */
import { writevSync, writeSync } from 'node:fs';
import { FileTarget } from '../file-target.js';
import type { SyncResult, SyncScheduler } from '../sync-scheduler.js';
import type { ChunkView } from './chunk-view.js';
import { FILE_HEADER_SIZE, INDEX_RECORD_SIZE, IndexFlag, writeIndexRecord } from './stream-files.js';

export class StreamSegment {
  /** Bytes of the segment file, chunks written or queued included. */
  size = FILE_HEADER_SIZE;
  chunks = 0;
  /** Offset after its last chunk (its first chunk id while empty). */
  nextOffset: number;
  firstTimestamp = 0;
  lastTimestamp = 0;
  /** Records of messages in its committed chunks (tracking records not counted). */
  messages = 0;

  constructor(
    /** The id of its first chunk, which names its files. */
    readonly firstChunkId: number,
    readonly file: string,
    readonly indexFile: string,
  ) {
    this.nextOffset = firstChunkId;
  }

  /** Counts a chunk placed at the segment's end. */
  placed(chunk: ChunkView): void {
    if (this.chunks === 0) this.firstTimestamp = chunk.timestamp;
    this.lastTimestamp = chunk.timestamp;
    this.chunks++;
    this.size += chunk.size;
    this.nextOffset = chunk.chunkId + chunk.records;
  }
}

/**
 * Writes sealed chunks at the segment file's end in the sync cycles (one writev per cycle,
 * their buffers by reference) and tells the log which chunks each successful cycle made
 * durable. What goes in a cycle is decided at its start: `beforeWrite` lets the log seal
 * the chunk being filled, so every record appended before the cycle began is in it.
 */
export class SegmentFileWriter extends FileTarget {
  private queued: ChunkView[] = [];
  private queuedBytes = 0;
  /** Written in the current cycle, durable once it succeeds. */
  private inCycle: ChunkView[] = [];
  /** Written, but a cycle failed since: they wait for the next successful one. */
  private unconfirmed: ChunkView[] = [];
  /** Bytes of the file on disk. */
  written: number;

  constructor(
    file: string,
    fd: number,
    written: number,
    sync: SyncScheduler,
    private readonly index: IndexFileWriter,
    private readonly hooks: { beforeWrite(): void; durable(chunks: ChunkView[]): void },
  ) {
    super(file, fd, sync);
    this.written = written;
  }

  get pendingBytes(): number {
    return this.queuedBytes;
  }

  /** Queues a sealed chunk (its position in the file was given when it was placed). */
  queue(chunk: ChunkView): void {
    this.queued.push(chunk);
    this.queuedBytes += chunk.size;
  }

  override writePending(): void {
    this.hooks.beforeWrite();
    super.writePending();
  }

  protected writeBuffered(): void {
    const chunks = this.queued;
    let bufs: Buffer[] = [];
    for (const chunk of chunks) {
      bufs.push(chunk.head);
      if (chunk.data.length > 0) bufs.push(chunk.data);
      if (chunk.trailer.length > 0) bufs.push(chunk.trailer);
    }
    // On a failed write everything stays queued and `written` unchanged: the retry writes
    // the same bytes at the same offsets, so the positions chunks were given stay true.
    let done = 0;
    while (done < this.queuedBytes) {
      const n = writevSync(this.fd, bufs, this.written + done);
      done += n;
      if (done < this.queuedBytes) bufs = dropWritten(bufs, n);
    }
    this.written += done;
    this.queued = [];
    this.queuedBytes = 0;
    for (const chunk of chunks) {
      this.inCycle.push(chunk);
      this.index.add(chunk);
    }
    // Readable at once for seeks by position; synced in a later cycle (nothing waits for
    // it: recovery rebuilds an index from its segment). A failed write is retried there.
    try {
      this.index.writeNow();
    } catch {
      // still buffered
    }
    this.index.markDirty();
  }

  protected override synced(result: SyncResult): void {
    const chunks = this.unconfirmed.length > 0 ? this.unconfirmed.concat(this.inCycle) : this.inCycle;
    this.inCycle = [];
    if (result.ok) {
      this.unconfirmed = [];
      if (chunks.length > 0) this.hooks.durable(chunks);
    } else {
      this.unconfirmed = chunks;
      // Try again: another cycle syncs what this one could not (the scheduler backs off).
      if (chunks.length > 0 && !this.closing) this.markDirty();
    }
  }

  protected discardBuffered(): void {
    this.queued = [];
    this.queuedBytes = 0;
  }
}

/** The segment's index: records buffered, written right after their chunks. */
export class IndexFileWriter extends FileTarget {
  private buf = Buffer.allocUnsafe(64 * INDEX_RECORD_SIZE);
  private len = 0;

  constructor(
    file: string,
    fd: number,
    /** Bytes of the index file on disk. */
    public written: number,
    sync: SyncScheduler,
  ) {
    super(file, fd, sync);
  }

  get pendingBytes(): number {
    return this.len;
  }

  add(chunk: ChunkView): void {
    if (this.len + INDEX_RECORD_SIZE > this.buf.length) {
      const next = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(next, 0, 0, this.len);
      this.buf = next;
    }
    this.len = writeIndexRecord(this.buf, this.len, {
      chunkId: chunk.chunkId,
      timestamp: chunk.timestamp,
      position: chunk.position,
      records: chunk.records,
      type: chunk.type,
      flags: chunk.trailer.length > 0 ? IndexFlag.Trailer : 0,
    });
  }

  protected writeBuffered(): void {
    let done = 0;
    while (done < this.len) done += writeSync(this.fd, this.buf, done, this.len - done, this.written + done);
    this.written += this.len;
    this.len = 0;
  }

  protected discardBuffered(): void {
    this.len = 0;
  }
}

function dropWritten(bufs: Buffer[], n: number): Buffer[] {
  let i = 0;
  while (i < bufs.length && n >= bufs[i]!.length) n -= bufs[i++]!.length;
  const rest = bufs.slice(i);
  if (n > 0) rest[0] = rest[0]!.subarray(n);
  return rest;
}
