/**
 * One stream: an append-only log of records addressed by offset, kept in segments of
 * chunks (chunk.ts) with an index per segment (stream-files.ts). Nothing is ever removed
 * but whole segments, by retention (size, age), the newest always kept.
 *
 * Writing: records are encoded straight into the chunk being filled; the sync cycle seals
 * it (every record appended before the cycle began is in it), writes it with one writev
 * and fdatasyncs the file; `append` returns the epoch whose successful sync makes the
 * record durable, as segment logs do. A chunk becomes visible to readers (committed) only
 * once durable: a consumer never sees, nor stores an offset past, what a crash could lose.
 *
 * Reading: cursors walk committed chunks from any offset; the newest chunks stay in memory
 * (a bounded tail cache) so consumers at the tail never touch the disk, and older ones are
 * read with read-ahead, a filter (bloom.ts) letting a cursor skip chunks it does not want
 * without reading their data. Memory holds a few numbers per segment: a stream's length
 * costs disk, not memory.
 *
 * Tracking (tracking.ts): publisher sequences and consumer offsets live in the stream too.
 */
import { closeSync, mkdirSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import type { Logger } from '../../log.js';
import { DirectorySync } from '../directory-sync.js';
import type { SyncScheduler } from '../sync-scheduler.js';
import { BloomMatcher, DEFAULT_FILTER_SIZE } from './bloom.js';
import { ChunkType, forEachRecord, MAX_ENTRY_SIZE, SIMPLE_ENTRY_HEADER_SIZE } from './chunk.js';
import { ChunkBuilder, trackingChunk, type ChunkView, type RecordWriter } from './chunk-view.js';
import { StreamCursor } from './stream-cursor.js';
import { FILE_HEADER_SIZE, INDEX_RECORD_SIZE, readIndexRecord, STREAM_INDEX_MAGIC, STREAM_SEGMENT_MAGIC, streamIndexPath, streamSegmentPath, writeFileHeader } from './stream-files.js';
import { recoverStream, type StreamRecovery } from './stream-recovery.js';
import { IndexFileWriter, SegmentFileWriter, StreamSegment } from './stream-segment.js';
import { encodeTrackingEntry, TrackingKind, type TrackingState } from './tracking.js';

export const DEFAULT_MAX_SEGMENT_BYTES = 500_000_000;
/** Newest chunks kept in memory per stream for consumers at the tail. */
export const DEFAULT_TAIL_CACHE_BYTES = 8 * 1024 * 1024;

export interface StreamLogOptions {
  sync: SyncScheduler;
  log: Logger;
  maxSegmentBytes?: number;
  /** Bloom filter bytes per chunk (16..255). */
  filterSize?: number;
  tailCacheBytes?: number;
}

/** How much of the stream to keep; undefined keeps everything. */
export interface Retention {
  maxBytes?: number | undefined;
  maxAgeMs?: number | undefined;
}

/** Which filter values a cursor wants. */
export interface ChunkFilterSpec {
  readonly values: readonly string[];
  readonly matchUnfiltered: boolean;
}

/** A committed chunk kept in memory, and the segment it is in. */
interface CachedChunk {
  chunk: ChunkView;
  segment: StreamSegment;
}

export class StreamLog {
  readonly recovery: Pick<StreamRecovery, 'tornTails'>;
  private readonly segments: StreamSegment[];
  private writer!: SegmentFileWriter;
  private index!: IndexFileWriter;
  private readonly directory: DirectorySync;
  private readonly builder = new ChunkBuilder();
  private readonly tracking: TrackingState;
  private readonly copier = new CopyRecord();
  /** Consumer offsets stored since the last cycle, written at its start. */
  private readonly offsetsToWrite = new Map<string, number>();
  private maxSegmentBytes: number;
  private readonly filterSize: number;
  private readonly tailCacheBytes: number;
  private retention: Retention = {};
  private retentionTimer: NodeJS.Timeout | undefined;

  /** Next offset to hand out (records in the chunk being filled included). */
  private assigned: number;
  /** Offset after the last durable chunk: readers see [firstOffset, committed). */
  private committed: number;
  private lastCommittedChunk = -1;
  private lastUserChunk: number;
  private lastUserTimestamp: number;
  private readonly cache: CachedChunk[] = [];
  private cacheHead = 0;
  private cachedBytes = 0;
  private readonly listeners = new Set<(lastChunkId: number) => void>();
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly options: StreamLogOptions,
  ) {
    mkdirSync(dir, { recursive: true });
    this.maxSegmentBytes = options.maxSegmentBytes ?? DEFAULT_MAX_SEGMENT_BYTES;
    this.filterSize = options.filterSize ?? DEFAULT_FILTER_SIZE;
    this.tailCacheBytes = options.tailCacheBytes ?? DEFAULT_TAIL_CACHE_BYTES;
    this.directory = new DirectorySync(dir, options.sync);
    const recovered = recoverStream(dir, options.log);
    this.recovery = { tornTails: recovered.tornTails };
    this.segments = recovered.segments;
    this.tracking = recovered.tracking;
    this.lastUserChunk = recovered.lastUserChunkId;
    this.lastUserTimestamp = recovered.lastUserTimestamp;
    const last = this.segments.at(-1);
    this.assigned = this.committed = last?.nextOffset ?? 0;
    if (last && last.chunks > 0) this.lastCommittedChunk = this.lastChunkIdOf(last);
    if (last) this.openWriters(last, false);
    else this.startSegment(0);
  }

  static open(dir: string, options: StreamLogOptions): StreamLog {
    return new StreamLog(dir, options);
  }

  // --- what readers see --------------------------------------------------------------

  /** The first offset still in the stream. */
  get firstOffset(): number {
    const first = this.segments[0]!;
    return first.chunks > 0 || this.segments.length > 1 ? first.firstChunkId : this.committed;
  }

  /** The offset after the last committed record (what a reader starting at "next" waits for). */
  get committedOffset(): number {
    return this.committed;
  }

  /** The id of the last committed chunk of any type, -1 when none. */
  get lastChunkId(): number {
    return this.lastCommittedChunk;
  }

  /** The id of the last committed chunk of messages, -1 when none ("last" starts there). */
  get lastUserChunkId(): number {
    return this.lastUserChunk;
  }

  get lastTimestamp(): number {
    return this.lastUserTimestamp;
  }

  get firstTimestamp(): number {
    return this.segments[0]!.firstTimestamp;
  }

  /** Messages committed and still kept (tracking records are not messages). */
  get messages(): number {
    let total = 0;
    for (const s of this.segments) total += s.messages;
    return total;
  }

  /** Bytes of the stream's segment files. */
  get bytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.size;
    return total;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Called after every commit with the last committed chunk id; returns an unsubscribe function. */
  onCommitted(listener: (lastChunkId: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // --- writing -------------------------------------------------------------------------

  /** Appends a record of `length` bytes that `record` writes in place; returns its durability epoch. */
  append(length: number, record: RecordWriter, filterValue?: string): number {
    this.prepare(SIMPLE_ENTRY_HEADER_SIZE + length, length);
    this.builder.addSimple(length, filterValue, record);
    this.assigned++;
    return this.writer.markDirty();
  }

  /** Appends buf[start, end) as one record. */
  appendBytes(buf: Buffer, start: number, end: number, filterValue?: string): number {
    this.copier.source = buf;
    this.copier.start = start;
    this.copier.end = end;
    return this.append(end - start, this.copier, filterValue);
  }

  /** Appends an entry given whole, a sub-batch of `records` records with its entry header. */
  appendEntry(entry: Buffer, records: number, filterValue?: string): number {
    this.prepare(entry.length, entry.length);
    this.builder.addRaw(entry, records, filterValue);
    this.assigned += records;
    return this.writer.markDirty();
  }

  /** The next record appended is the one after this offset. */
  get appendedOffset(): number {
    return this.assigned;
  }

  /**
   * Remembers a publisher's last publishing id, in the trailer of the chunk being filled:
   * call it right after appending the record that carried it, so both are durable together.
   */
  noteSequence(reference: string, sequence: number): void {
    this.tracking.sequences.set(reference, sequence);
    if (!this.builder.isEmpty) this.builder.noteSequence(reference, sequence);
  }

  /** A publisher's last publishing id, if it ever published with this reference. */
  sequenceOf(reference: string): number | undefined {
    return this.tracking.sequences.get(reference);
  }

  /**
   * Stores a consumer's offset; returns its durability epoch. Offsets stored within one
   * sync window go out together in one tracking chunk (a reader storing after every
   * message costs one small chunk per cycle, not one per message).
   */
  storeOffset(reference: string, offset: number): number {
    if (this.closed) throw new Error(`stream ${this.dir} is closed`);
    this.tracking.offsets.set(reference, offset);
    this.offsetsToWrite.set(reference, offset);
    return this.writer.markDirty();
  }

  /** Seals what the cycle starting now writes: the chunk being filled, then the offsets stored since the last cycle. */
  private beforeWrite(): void {
    this.sealPending();
    if (this.offsetsToWrite.size === 0) return;
    const entries: Buffer[] = [];
    for (const [reference, offset] of this.offsetsToWrite) entries.push(encodeTrackingEntry(TrackingKind.Offset, reference, offset));
    this.offsetsToWrite.clear();
    const writer = this.writer;
    this.maybeRoll();
    this.placeTracking(ChunkType.TrackingDelta, Buffer.concat(entries));
    // A new segment's writer is not in the cycle running now: it goes in the next one.
    if (this.writer !== writer) this.writer.markDirty();
  }

  offsetOf(reference: string): number | undefined {
    return this.tracking.offsets.get(reference);
  }

  /** Makes room for an entry: seals the chunk being filled if it is full, rolls the segment if due. */
  private prepare(entryBytes: number, recordBytes: number): void {
    if (this.closed) throw new Error(`stream ${this.dir} is closed`);
    if (recordBytes > MAX_ENTRY_SIZE) throw new RangeError(`a record of ${recordBytes} bytes is too big for a stream`);
    if (!this.builder.isEmpty && this.builder.fits(entryBytes)) return;
    this.sealPending();
    this.maybeRoll();
    this.builder.begin(entryBytes);
  }

  private sealPending(): void {
    if (this.builder.isEmpty) return;
    const chunkId = this.assigned - this.builder.records;
    this.place(this.builder.seal(chunkId, this.timestamp(), this.filterSize, this.current.size));
  }

  private placeTracking(type: number, entries: Buffer): void {
    this.place(trackingChunk(type, this.assigned, this.timestamp(), entries, this.current.size));
    this.assigned++;
  }

  private place(chunk: ChunkView): void {
    this.current.placed(chunk);
    this.writer.queue(chunk);
  }

  private timestamp(): number {
    return Math.max(Date.now(), this.current.lastTimestamp);
  }

  private get current(): StreamSegment {
    return this.segments[this.segments.length - 1]!;
  }

  private maybeRoll(): void {
    if (this.current.chunks === 0 || this.current.size < this.maxSegmentBytes) return;
    this.writer.closeWhenSynced();
    this.index.closeWhenSynced();
    this.startSegment(this.assigned);
    if (!this.tracking.isEmpty) this.placeTracking(ChunkType.TrackingSnapshot, this.tracking.snapshot());
    this.enforceRetention();
  }

  private startSegment(firstChunkId: number): void {
    const segment = new StreamSegment(firstChunkId, streamSegmentPath(this.dir, firstChunkId), streamIndexPath(this.dir, firstChunkId));
    for (const file of [segment.file, segment.indexFile]) {
      const fd = openSync(file, 'w');
      const header = Buffer.allocUnsafe(FILE_HEADER_SIZE);
      writeFileHeader(header, 0, file === segment.file ? STREAM_SEGMENT_MAGIC : STREAM_INDEX_MAGIC);
      try {
        writeSync(fd, header, 0, FILE_HEADER_SIZE, 0);
      } finally {
        closeSync(fd);
      }
    }
    this.segments.push(segment);
    this.directory.touch();
    this.openWriters(segment, true);
  }

  private openWriters(segment: StreamSegment, fresh: boolean): void {
    const sync = this.options.sync;
    const indexFd = openSync(segment.indexFile, 'r+');
    const indexSize = FILE_HEADER_SIZE + segment.chunks * INDEX_RECORD_SIZE;
    this.index = new IndexFileWriter(segment.indexFile, indexFd, fresh ? FILE_HEADER_SIZE : indexSize, sync);
    this.writer = new SegmentFileWriter(segment.file, openSync(segment.file, 'r+'), segment.size, sync, this.index, {
      beforeWrite: () => this.beforeWrite(),
      durable: (chunks) => this.committedChunks(chunks, segment),
    });
  }

  private committedChunks(chunks: readonly ChunkView[], segment: StreamSegment): void {
    for (const chunk of chunks) {
      this.committed = chunk.chunkId + chunk.records;
      this.lastCommittedChunk = chunk.chunkId;
      if (chunk.type === ChunkType.User) {
        this.lastUserChunk = chunk.chunkId;
        this.lastUserTimestamp = chunk.timestamp;
        segment.messages += chunk.records;
      }
      this.cache.push({ chunk, segment });
      this.cachedBytes += chunk.size;
    }
    while (this.cachedBytes > this.tailCacheBytes && this.cache.length - this.cacheHead > 1) {
      this.cachedBytes -= this.cache[this.cacheHead]!.chunk.size;
      this.cache[this.cacheHead++] = undefined as unknown as CachedChunk;
    }
    if (this.cacheHead > 1024 && this.cacheHead * 2 > this.cache.length) {
      this.cache.splice(0, this.cacheHead);
      this.cacheHead = 0;
    }
    if (this.closed) return;
    for (const listener of this.listeners) listener(this.lastCommittedChunk);
  }

  // --- reading --------------------------------------------------------------------------

  /**
   * A cursor that returns committed chunks of messages from the one holding `offset` on
   * (clamped into the stream), skipping chunks holding none of the filter's values.
   */
  openCursor(offset: number, filter?: ChunkFilterSpec): StreamCursor {
    const matcher = filter === undefined ? undefined : new BloomMatcher(filter.values, filter.matchUnfiltered);
    return new StreamCursor(this, Math.min(Math.max(offset, this.firstOffset), this.committed), matcher);
  }

  /** Calls `record` for each record of a chunk's data, in offset order. */
  forEachRecord(chunk: { readonly data: Buffer }, record: (buf: Buffer, start: number, end: number) => void): void {
    forEachRecord(chunk.data, record);
  }

  /** The committed chunk holding `offset`, from the tail cache, if it is there. */
  cachedChunkAt(offset: number): CachedChunk | undefined {
    let low = this.cacheHead;
    let high = this.cache.length - 1;
    if (low > high || offset < this.cache[low]!.chunk.chunkId) return undefined;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (this.cache[mid]!.chunk.chunkId <= offset) low = mid;
      else high = mid - 1;
    }
    const found = this.cache[low]!;
    return offset < found.chunk.chunkId + found.chunk.records ? found : undefined;
  }

  /** Where the chunk holding `offset` starts on disk: its segment and position (the first segment for an offset before it). */
  locate(offset: number): { segment: StreamSegment; position: number } {
    const segment = this.segmentHolding(offset);
    if (offset <= segment.firstChunkId) return { segment, position: FILE_HEADER_SIZE };
    const position = this.searchIndex(segment, (chunkId) => chunkId <= offset, 'last');
    return { segment, position: position ?? FILE_HEADER_SIZE };
  }

  /** The segment after `segment` (which may have been removed by retention since), if any. */
  segmentAfter(segment: StreamSegment): StreamSegment | undefined {
    for (const s of this.segments) if (s.firstChunkId > segment.firstChunkId) return s;
    return undefined;
  }

  /** The first committed offset of a chunk at or after `timestamp` (epoch ms); the committed end if none. */
  offsetAtTimestamp(timestamp: number): number {
    for (const segment of this.segments) {
      if (segment.chunks === 0 || segment.lastTimestamp < timestamp) continue;
      if (segment.firstTimestamp >= timestamp) return Math.min(segment.firstChunkId, this.committed);
      const chunkId = this.searchIndexRecord(segment, (r) => r.timestamp >= timestamp, 'first')?.chunkId;
      return Math.min(chunkId ?? segment.nextOffset, this.committed);
    }
    return this.committed;
  }

  private segmentHolding(offset: number): StreamSegment {
    let low = 0;
    let high = this.segments.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (this.segments[mid]!.firstChunkId <= offset) low = mid;
      else high = mid - 1;
    }
    return this.segments[low]!;
  }

  private lastChunkIdOf(segment: StreamSegment): number {
    return this.searchIndexRecord(segment, () => true, 'last')?.chunkId ?? segment.firstChunkId;
  }

  private searchIndex(segment: StreamSegment, test: (chunkId: number) => boolean, which: 'first' | 'last'): number | undefined {
    return this.searchIndexRecord(segment, (r) => test(r.chunkId), which)?.position;
  }

  /**
   * Binary search of a segment's index file for the last record passing `test` (records
   * passing it come first) or the first one passing it (records passing it come last).
   */
  private searchIndexRecord(
    segment: StreamSegment,
    test: (r: ReturnType<typeof readIndexRecord>) => boolean,
    which: 'first' | 'last',
  ): ReturnType<typeof readIndexRecord> | undefined {
    if (segment === this.current) {
      try {
        this.index.writeNow();
      } catch {
        // Searched as far as the file goes.
      }
    }
    let fd: number;
    try {
      fd = openSync(segment.indexFile, 'r');
    } catch {
      return undefined;
    }
    try {
      const buf = Buffer.allocUnsafe(INDEX_RECORD_SIZE);
      const read = (i: number) => {
        const n = readSyncAll(fd, buf, FILE_HEADER_SIZE + i * INDEX_RECORD_SIZE);
        return n === INDEX_RECORD_SIZE ? readIndexRecord(buf, 0) : undefined;
      };
      let low = 0;
      let high = segment.chunks - 1;
      let found: ReturnType<typeof readIndexRecord> | undefined;
      while (low <= high) {
        const mid = (low + high) >>> 1;
        const record = read(mid);
        if (record === undefined) {
          high = mid - 1;
          continue;
        }
        const passes = test(record);
        if (which === 'last') {
          if (passes) {
            found = record;
            low = mid + 1;
          } else high = mid - 1;
        } else if (passes) {
          found = record;
          high = mid - 1;
        } else low = mid + 1;
      }
      return found;
    } finally {
      closeSync(fd);
    }
  }

  // --- retention ------------------------------------------------------------------------

  /** Sets what to keep and applies it now; age is checked again as time passes. */
  setRetention(retention: Retention): void {
    this.retention = retention;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.retentionTimer = undefined;
    const age = retention.maxAgeMs;
    if (age !== undefined) {
      this.retentionTimer = setInterval(() => this.enforceRetention(), Math.min(60_000, Math.max(1000, age / 10)));
      this.retentionTimer.unref();
    }
    this.enforceRetention();
  }

  setMaxSegmentBytes(bytes: number): void {
    this.maxSegmentBytes = bytes;
  }

  /** Removes the oldest segments while the stream is over its limits; the newest stays. Returns how many went. */
  enforceRetention(now = Date.now()): number {
    const { maxBytes, maxAgeMs } = this.retention;
    let removed = 0;
    let total = this.bytes;
    while (this.segments.length > 1) {
      const oldest = this.segments[0]!;
      const tooBig = maxBytes !== undefined && total > maxBytes;
      const tooOld = maxAgeMs !== undefined && oldest.chunks > 0 && oldest.lastTimestamp < now - maxAgeMs;
      if (!tooBig && !tooOld) break;
      this.segments.shift();
      total -= oldest.size;
      for (const file of [oldest.file, oldest.indexFile]) {
        try {
          unlinkSync(file);
        } catch (error) {
          this.options.log.warn({ err: error, file }, 'could not remove a stream segment past retention');
        }
      }
      removed++;
    }
    return removed;
  }

  // --- life ---------------------------------------------------------------------------------

  /** Clean shutdown: the chunk being filled is sealed, everything written and synced. */
  close(): void {
    if (this.closed) return;
    this.beforeWrite();
    this.closed = true;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.writer.closeDurably();
    this.index.closeDurably();
    this.directory.closeDurably();
  }

  /** The stream is deleted: files go, nothing more is written. */
  delete(): void {
    this.closed = true;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.writer.closeDiscarding();
    this.index.closeDiscarding();
    this.directory.closeDurably();
    this.listeners.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Copies a range of a buffer as one record (appendBytes). */
class CopyRecord implements RecordWriter {
  source: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;
  write(buf: Buffer, at: number): void {
    this.source.copy(buf, at, this.start, this.end);
  }
}

function readSyncAll(fd: number, buf: Buffer, position: number): number {
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}
