/**
 * A chunk in memory (being written, cached at the tail, or read from disk) as views of its
 * parts, and the builder that fills the next one. Entries are encoded straight into a
 * slab; a sealed chunk's data is a view of that slab, so writing it, caching it and
 * sending it to stream consumers never copies it. Slabs are not reused: one is dropped
 * when the last chunk viewing it is (written, out of the tail cache, sent).
 */
import { crc32 as nativeCrc32 } from 'node:zlib';
import { BloomBuilder } from './bloom.js';
import {
  CHUNK_HEADER_SIZE,
  ChunkType,
  MAX_CHUNK_ENTRIES,
  readChunkHeader,
  SIMPLE_ENTRY_HEADER_SIZE,
  writeChunkHeader,
  writeSimpleEntryHeader,
} from './chunk.js';
import { encodeTrackingEntry, TrackingKind } from './tracking.js';

/** Writes one record's bytes in place (an object the caller reuses: nothing allocated per record). */
export interface RecordWriter {
  write(buf: Buffer, at: number): void;
}

export interface ChunkView {
  readonly chunkId: number;
  readonly type: number;
  readonly entries: number;
  readonly records: number;
  readonly timestamp: number;
  /** Header (48 bytes) and bloom filter, as on disk. */
  readonly head: Buffer;
  readonly bloomSize: number;
  readonly data: Buffer;
  readonly trailer: Buffer;
  /** Bytes on disk: head + data + trailer. */
  readonly size: number;
  /** Where it starts in its segment file. */
  readonly position: number;
}

/** The 48-byte header alone (what Deliver sends, without the filter). */
export function headerOf(chunk: ChunkView): Buffer {
  return chunk.head.subarray(0, CHUNK_HEADER_SIZE);
}

/** A chunk read back from a file: `bytes` holds all of it, from its header on. */
export function chunkFromBytes(bytes: Buffer, position: number): ChunkView {
  const h = readChunkHeader(bytes, 0);
  const dataStart = CHUNK_HEADER_SIZE + h.bloomSize;
  const dataEnd = dataStart + h.dataLength;
  return {
    chunkId: h.chunkId,
    type: h.type,
    entries: h.entries,
    records: h.records,
    timestamp: h.timestamp,
    head: bytes.subarray(0, dataStart),
    bloomSize: h.bloomSize,
    data: bytes.subarray(dataStart, dataEnd),
    trailer: bytes.subarray(dataEnd, dataEnd + h.trailerLength),
    size: dataEnd + h.trailerLength,
    position,
  };
}

export function dataCrcMatches(bytes: Buffer): boolean {
  const h = readChunkHeader(bytes, 0);
  const dataStart = CHUNK_HEADER_SIZE + h.bloomSize;
  return nativeCrc32(bytes.subarray(dataStart, dataStart + h.dataLength)) === h.dataCrc;
}

/** Slab size: a chunk's data never spans two, so this also bounds a chunk of small records. */
export const CHUNK_SLAB_SIZE = 1024 * 1024;
const EMPTY = Buffer.alloc(0);

/** Fills the next user chunk. */
export class ChunkBuilder {
  private slab = EMPTY;
  private pos = 0;
  /** Where the chunk being filled starts in the slab. */
  private start = 0;
  entries = 0;
  records = 0;
  private readonly bloom = new BloomBuilder();
  /** Publisher sequences written in this chunk, for its trailer. */
  private readonly sequences = new Map<string, number>();

  get isEmpty(): boolean {
    return this.entries === 0;
  }

  get dataBytes(): number {
    return this.pos - this.start;
  }

  /** Whether an entry of `bytes` more fits in this chunk (else seal first). */
  fits(bytes: number): boolean {
    return this.entries < MAX_CHUNK_ENTRIES && this.slab.length - this.pos >= bytes;
  }

  /** Starts a chunk with room for at least `bytes`. */
  begin(bytes: number): void {
    if (this.slab.length - this.pos < bytes) {
      this.slab = Buffer.allocUnsafeSlow(Math.max(CHUNK_SLAB_SIZE, bytes));
      this.pos = 0;
    }
    this.start = this.pos;
  }

  /**
   * Adds a simple entry of `length` bytes that `record` writes in place. The caller checked
   * `fits(SIMPLE_ENTRY_HEADER_SIZE + length)`.
   */
  addSimple(length: number, filterValue: string | undefined, record: RecordWriter): void {
    const at = writeSimpleEntryHeader(this.slab, this.pos, length);
    record.write(this.slab, at);
    this.pos = at + length;
    this.entries++;
    this.records++;
    this.bloom.add(filterValue);
  }

  /** Adds an entry given whole (a sub-batch with its header) holding `records` records. */
  addRaw(entry: Buffer, records: number, filterValue: string | undefined): void {
    this.pos += entry.copy(this.slab, this.pos);
    this.entries++;
    this.records += records;
    this.bloom.add(filterValue);
  }

  noteSequence(reference: string, sequence: number): void {
    this.sequences.set(reference, sequence);
  }

  /** Closes the chunk: header, filter and trailer made, the data a view of the slab. */
  seal(chunkId: number, timestamp: number, filterSize: number, position: number): ChunkView {
    const data = this.slab.subarray(this.start, this.pos);
    const bloomSize = this.bloom.needed ? filterSize : 0;
    const head = Buffer.allocUnsafe(CHUNK_HEADER_SIZE + bloomSize);
    if (bloomSize > 0) this.bloom.write(head, CHUNK_HEADER_SIZE, bloomSize);
    let trailer = EMPTY;
    if (this.sequences.size > 0) {
      const parts: Buffer[] = [];
      for (const [reference, sequence] of this.sequences) parts.push(encodeTrackingEntry(TrackingKind.Sequence, reference, sequence));
      trailer = Buffer.concat(parts);
    }
    const chunk = sealed(ChunkType.User, chunkId, timestamp, this.entries, this.records, head, bloomSize, data, trailer, position);
    this.start = this.pos;
    this.entries = 0;
    this.records = 0;
    this.bloom.reset();
    this.sequences.clear();
    return chunk;
  }
}

/** A one-entry chunk holding tracking entries (a delta or a snapshot). */
export function trackingChunk(type: number, chunkId: number, timestamp: number, entries: Buffer, position: number): ChunkView {
  const data = Buffer.allocUnsafe(SIMPLE_ENTRY_HEADER_SIZE + entries.length);
  writeSimpleEntryHeader(data, 0, entries.length);
  entries.copy(data, SIMPLE_ENTRY_HEADER_SIZE);
  return sealed(type, chunkId, timestamp, 1, 1, Buffer.allocUnsafe(CHUNK_HEADER_SIZE), 0, data, EMPTY, position);
}

function sealed(
  type: number,
  chunkId: number,
  timestamp: number,
  entries: number,
  records: number,
  head: Buffer,
  bloomSize: number,
  data: Buffer,
  trailer: Buffer,
  position: number,
): ChunkView {
  writeChunkHeader(head, 0, {
    type,
    entries,
    records,
    timestamp,
    chunkId,
    dataCrc: nativeCrc32(data),
    dataLength: data.length,
    trailerLength: trailer.length,
    bloomSize,
  });
  return { chunkId, type, entries, records, timestamp, head, bloomSize, data, trailer, size: head.length + data.length + trailer.length, position };
}
