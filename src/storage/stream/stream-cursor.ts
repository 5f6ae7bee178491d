/**
 * A reader's place in a stream: returns the committed chunks of messages one after the
 * other from where it started, from the tail cache when they are still there, else from
 * the segment files with read-ahead. Tracking chunks and chunks the filter rules out are
 * stepped over (the latter without reading their data). A cursor reading a segment that
 * retention removes finishes it through its open file, then goes on with the next one.
 */
import type { BloomMatcher } from './bloom.js';
import { CHUNK_HEADER_SIZE, chunkSize, ChunkType, readChunkHeader } from './chunk.js';
import { chunkFromBytes, type ChunkView } from './chunk-view.js';
import { FileReader } from './file-reader.js';
import { FILE_HEADER_SIZE } from './stream-files.js';
import type { StreamLog } from './stream-log.js';
import type { StreamSegment } from './stream-segment.js';

export class StreamCursor {
  /** The offset wanted next: the next chunk returned is the one holding it, or the first after it. */
  private wanted: number;
  private segment: StreamSegment | undefined;
  private position = 0;
  private reader: FileReader | undefined;

  constructor(
    private readonly log: StreamLog,
    start: number,
    private readonly filter: BloomMatcher | undefined,
  ) {
    this.wanted = start;
  }

  /** The offset the cursor reads next. */
  get nextOffset(): number {
    return this.wanted;
  }

  /** The next committed chunk of messages for this reader, or undefined when it has read all there is. */
  next(): ChunkView | undefined {
    const log = this.log;
    let idle = 0;
    while (this.wanted < log.committedOffset) {
      if (this.wanted < log.firstOffset && this.reader === undefined) this.moveTo(log.firstOffset);
      const cached = log.cachedChunkAt(this.wanted);
      if (cached !== undefined) {
        const chunk = cached.chunk;
        this.stepPast(chunk, cached.segment, chunk.position);
        if (this.wants(chunk.type, chunk.head, CHUNK_HEADER_SIZE, chunk.bloomSize)) return chunk;
        continue;
      }
      const before = this.wanted;
      const position = this.position;
      const chunk = this.readFromDisk();
      if (chunk !== undefined) return chunk;
      // Files that do not hold what the log says is committed (a cut tail, a failed read):
      // give up for now rather than spin; the next call tries again.
      if (this.wanted === before && this.position === position && ++idle > 3) return undefined;
    }
    return undefined;
  }

  /** One step on disk: the chunk at the cursor's position if wanted, else undefined (and moved past it). */
  private readFromDisk(): ChunkView | undefined {
    if (this.segment === undefined) {
      const at = this.log.locate(this.wanted);
      this.switchTo(at.segment, at.position);
    }
    const segment = this.segment!;
    if (this.position >= segment.size) {
      const next = this.log.segmentAfter(segment);
      if (next === undefined) {
        // Positioned past what this segment holds though the log has more: find it again.
        this.moveTo(this.wanted);
        return undefined;
      }
      this.switchTo(next, FILE_HEADER_SIZE);
      return undefined;
    }
    const reader = (this.reader ??= new FileReader(segment.file));
    const header = reader.view(this.position, CHUNK_HEADER_SIZE);
    if (header === undefined) {
      this.moveTo(this.wanted);
      return undefined;
    }
    const h = readChunkHeader(header, 0);
    const size = chunkSize(h);
    const position = this.position;
    if (h.chunkId + h.records <= this.wanted) {
      // Before the offset wanted (positioned at a segment's start): step over it.
      this.position += size;
      return undefined;
    }
    this.wanted = h.chunkId + h.records;
    this.position += size;
    if (h.type !== ChunkType.User) return undefined;
    if (this.filter !== undefined) {
      const head = reader.view(position, CHUNK_HEADER_SIZE + h.bloomSize)!;
      if (!this.filter.matches(head, CHUNK_HEADER_SIZE, h.bloomSize)) return undefined;
    }
    const bytes = reader.view(position, size);
    if (bytes === undefined) {
      this.moveTo(h.chunkId);
      return undefined;
    }
    return chunkFromBytes(bytes, position);
  }

  private wants(type: number, head: Buffer, bloomAt: number, bloomSize: number): boolean {
    if (type !== ChunkType.User) return false;
    return this.filter === undefined || this.filter.matches(head, bloomAt, bloomSize);
  }

  private stepPast(chunk: ChunkView, segment: StreamSegment, position: number): void {
    this.wanted = chunk.chunkId + chunk.records;
    if (segment !== this.segment) this.switchTo(segment, position + chunk.size);
    else this.position = position + chunk.size;
  }

  /** Forgets the file position; the next disk read locates `offset` through the index. */
  private moveTo(offset: number): void {
    this.wanted = Math.max(offset, this.log.firstOffset);
    this.reader?.close();
    this.reader = undefined;
    this.segment = undefined;
  }

  private switchTo(segment: StreamSegment, position: number): void {
    if (segment !== this.segment) {
      this.reader?.close();
      this.reader = undefined;
      this.segment = segment;
    }
    this.position = position;
  }

  close(): void {
    this.reader?.close();
    this.reader = undefined;
    this.segment = undefined;
  }
}
