/**
 * What a stream queue needs from storage: an append-only log of records addressed by
 * offset, read in chunks through cursors, that also keeps publisher sequences and consumer
 * offsets. Storage's stream log is one; the domain only knows this shape.
 */

/** A committed chunk: records that were written and made durable together. */
export interface StreamChunk {
  /** The offset of its first record. */
  readonly chunkId: number;
  readonly records: number;
  /** When the chunk was written (epoch ms). */
  readonly timestamp: number;
  /** The header and filter as stored (the stream protocol sends the 48-byte header). */
  readonly head: Buffer;
  /** The data entries (the stream protocol sends these as they are). */
  readonly data: Buffer;
}

/** Writes one record in place, into storage's buffer (reused: nothing allocated per record). */
export interface RecordWriter {
  write(buf: Buffer, at: number): void;
}

/** A reader's place in the stream. */
export interface StreamCursor {
  /** The next chunk of messages, or undefined when the reader has read all that is committed. */
  next(): StreamChunk | undefined;
  /** The offset it reads next. */
  readonly nextOffset: number;
  close(): void;
}

/** Which filter values a reader wants (chunk-level: chunks holding none of them are skipped). */
export interface ChunkFilter {
  readonly values: readonly string[];
  /** Also chunks holding records without a filter value. */
  readonly matchUnfiltered: boolean;
}

export interface StreamRetention {
  readonly maxBytes?: number | undefined;
  readonly maxAgeMs?: number | undefined;
}

export interface StreamStore {
  readonly firstOffset: number;
  /** The offset after the last committed record. */
  readonly committedOffset: number;
  /** The last committed chunk of any kind (-1: none). */
  readonly lastChunkId: number;
  /** The last committed chunk of messages (-1: none); "last" starts there. */
  readonly lastUserChunkId: number;
  readonly firstTimestamp: number;
  /** Messages kept (tracking records not counted): a stream's message count. */
  readonly messages: number;
  readonly bytes: number;
  readonly segmentCount: number;

  /** Appends a record of `length` bytes; returns its durability ticket. */
  append(length: number, record: RecordWriter, filterValue?: string): number;
  appendBytes(buf: Buffer, start: number, end: number, filterValue?: string): number;
  /** Appends a sub-batch entry (a stream client's batch, entry header included) of `records` records. */
  appendEntry(entry: Buffer, records: number, filterValue?: string): number;
  /** The offset the next appended record gets. */
  readonly appendedOffset: number;

  /** Publisher deduplication: the last publishing id written for a reference (call right after its append). */
  noteSequence(reference: string, sequence: number): void;
  sequenceOf(reference: string): number | undefined;
  /** Server-side offset tracking: returns the durability ticket of the stored offset. */
  storeOffset(reference: string, offset: number): number;
  offsetOf(reference: string): number | undefined;

  /** Calls `listener` after every commit; returns an unsubscribe function. */
  onCommitted(listener: (lastChunkId: number) => void): () => void;
  /** A cursor from the chunk holding `offset` (clamped into the stream). */
  openCursor(offset: number, filter?: ChunkFilter): StreamCursor;
  /** The first offset of a chunk written at or after `timestamp`; the committed end if none. */
  offsetAtTimestamp(timestamp: number): number;
  /** Calls `record` for every record of a chunk, in offset order (views, not copies). */
  forEachRecord(chunk: StreamChunk, record: (buf: Buffer, start: number, end: number) => void): void;

  setRetention(retention: StreamRetention): void;
  setMaxSegmentBytes(bytes: number): void;
  /** The broker stops: everything written is synced. */
  close(): void;
  /** The stream is deleted: its files go. */
  delete(): void;
}

export interface StreamStoreOptions {
  readonly maxSegmentBytes: number;
  readonly filterSize: number;
}

/** Opens the stream of a queue (created empty when new; recovered when it exists). */
export interface StreamStoreFactory {
  open(vhostName: string, name: string, options: StreamStoreOptions): StreamStore;
}
