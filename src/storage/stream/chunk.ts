/**
 * The chunk: a stream's unit of writing, reading and delivery, in the layout of RabbitMQ's
 * osiris log, so that the stream protocol's Deliver forwards a chunk's header and data as
 * they lie on disk. All integers big-endian.
 *
 *    0  u8  magic (5) << 4 | version (0)
 *    1  u8  chunk type (ChunkType)
 *    2  u16 entries
 *    4  u32 records
 *    8  i64 timestamp (epoch ms, when the chunk was sealed)
 *   16  u64 epoch (always 0: no leader elections here)
 *   24  u64 chunk id: the offset of its first record
 *   32  u32 CRC-32 of the data
 *   36  u32 data length
 *   40  u32 trailer length
 *   44  u8  bloom filter size (0: none)
 *   45  3 bytes reserved
 *   48  bloom filter | data entries | trailer
 *
 * A data entry is a simple entry (top bit 0, 31-bit length, then the record) or a sub-batch
 * (top bit 1, 3-bit compression, 4 bits reserved, u16 records, u32 uncompressed length, u32
 * length, then the records, each a u32 length and its bytes) as stream clients send them.
 */
import { gunzipSync } from 'node:zlib';

export const CHUNK_HEADER_SIZE = 48;
export const CHUNK_MAGIC_VERSION = 0x50;

export const ChunkType = {
  /** Messages. */
  User: 0,
  /** Tracking changes (consumer offsets) since the last snapshot. */
  TrackingDelta: 1,
  /** All tracking state, written first in every new segment so retention never loses it. */
  TrackingSnapshot: 2,
} as const;
export type ChunkType = (typeof ChunkType)[keyof typeof ChunkType];

export const ChunkField = {
  Type: 1,
  Entries: 2,
  Records: 4,
  Timestamp: 8,
  Epoch: 16,
  ChunkId: 24,
  DataCrc: 32,
  DataLength: 36,
  TrailerLength: 40,
  BloomSize: 44,
} as const;

/** The most records a simple-entry chunk holds (entries are counted in a u16). */
export const MAX_CHUNK_ENTRIES = 0xffff;
/** Largest simple entry: a 31-bit length. */
export const MAX_ENTRY_SIZE = 0x7fff_ffff;

const SUB_BATCH_HEADER_SIZE = 11;
const SIMPLE_ENTRY_HEADER_SIZE = 4;

/** What a chunk header says, decoded. */
export interface ChunkHeader {
  readonly type: number;
  readonly entries: number;
  readonly records: number;
  readonly timestamp: number;
  readonly chunkId: number;
  readonly dataCrc: number;
  readonly dataLength: number;
  readonly trailerLength: number;
  readonly bloomSize: number;
}

/** Bytes of the whole chunk on disk. */
export function chunkSize(header: ChunkHeader): number {
  return CHUNK_HEADER_SIZE + header.bloomSize + header.dataLength + header.trailerLength;
}

/** Why buf[at, at + 48) is no chunk header, or undefined when it is one. */
export function chunkHeaderProblem(buf: Buffer, at: number): string | undefined {
  if (buf[at] !== CHUNK_MAGIC_VERSION) {
    let zeros = true;
    for (let i = at; i < at + CHUNK_HEADER_SIZE; i++) if (buf[i] !== 0) zeros = false;
    return zeros ? 'zeroed chunk header' : `bad chunk magic 0x${buf[at]!.toString(16)}`;
  }
  if (buf[at + ChunkField.Type]! > ChunkType.TrackingSnapshot) return `unknown chunk type ${buf[at + ChunkField.Type]}`;
  return undefined;
}

export function readChunkHeader(buf: Buffer, at: number): ChunkHeader {
  return {
    type: buf[at + ChunkField.Type]!,
    entries: buf.readUInt16BE(at + ChunkField.Entries),
    records: buf.readUInt32BE(at + ChunkField.Records),
    timestamp: Number(buf.readBigInt64BE(at + ChunkField.Timestamp)),
    chunkId: readU64(buf, at + ChunkField.ChunkId),
    dataCrc: buf.readUInt32BE(at + ChunkField.DataCrc),
    dataLength: buf.readUInt32BE(at + ChunkField.DataLength),
    trailerLength: buf.readUInt32BE(at + ChunkField.TrailerLength),
    bloomSize: buf[at + ChunkField.BloomSize]!,
  };
}

export interface ChunkHeaderFields {
  type: number;
  entries: number;
  records: number;
  timestamp: number;
  chunkId: number;
  dataCrc: number;
  dataLength: number;
  trailerLength: number;
  bloomSize: number;
}

export function writeChunkHeader(buf: Buffer, at: number, h: ChunkHeaderFields): void {
  buf[at] = CHUNK_MAGIC_VERSION;
  buf[at + ChunkField.Type] = h.type;
  buf.writeUInt16BE(h.entries, at + ChunkField.Entries);
  buf.writeUInt32BE(h.records, at + ChunkField.Records);
  buf.writeBigInt64BE(BigInt(h.timestamp), at + ChunkField.Timestamp);
  writeU64(buf, at + ChunkField.Epoch, 0);
  writeU64(buf, at + ChunkField.ChunkId, h.chunkId);
  buf.writeUInt32BE(h.dataCrc, at + ChunkField.DataCrc);
  buf.writeUInt32BE(h.dataLength, at + ChunkField.DataLength);
  buf.writeUInt32BE(h.trailerLength, at + ChunkField.TrailerLength);
  buf[at + ChunkField.BloomSize] = h.bloomSize;
  buf[at + 45] = 0;
  buf[at + 46] = 0;
  buf[at + 47] = 0;
}

/** A u64 that stays below 2^53 (offsets, chunk ids). */
export function readU64(buf: Buffer, at: number): number {
  return buf.readUInt32BE(at) * 0x1_0000_0000 + buf.readUInt32BE(at + 4);
}

export function writeU64(buf: Buffer, at: number, value: number): void {
  buf.writeUInt32BE(Math.floor(value / 0x1_0000_0000), at);
  buf.writeUInt32BE(value >>> 0, at + 4);
}

/** Writes a simple entry's 4-byte header (top bit 0 + length). */
export function writeSimpleEntryHeader(buf: Buffer, at: number, length: number): number {
  buf.writeUInt32BE(length, at);
  return at + SIMPLE_ENTRY_HEADER_SIZE;
}

export { SIMPLE_ENTRY_HEADER_SIZE };

/** Compression of a sub-batch entry, as stream clients number them. */
export const Compression = { None: 0, Gzip: 1 } as const;

/**
 * Calls `record(buf, start, end)` for every record in a chunk's data, in offset order: the
 * record's bytes are a view, never copied (a gzip sub-batch is inflated first). Returns how
 * many records it found; throws an Error naming the problem for malformed data or a
 * compression this build cannot read.
 */
export function forEachRecord(data: Buffer, record: (buf: Buffer, start: number, end: number) => void): number {
  let at = 0;
  let count = 0;
  while (at < data.length) {
    if (at + SIMPLE_ENTRY_HEADER_SIZE > data.length) throw new Error(`entry header truncated at ${at}`);
    const first = data[at]!;
    if ((first & 0x80) === 0) {
      const length = data.readUInt32BE(at);
      const start = at + SIMPLE_ENTRY_HEADER_SIZE;
      if (start + length > data.length) throw new Error(`entry at ${at} overruns the chunk data`);
      record(data, start, start + length);
      count++;
      at = start + length;
      continue;
    }
    if (at + SUB_BATCH_HEADER_SIZE > data.length) throw new Error(`sub-batch header truncated at ${at}`);
    const compression = (first >>> 4) & 0x7;
    const records = data.readUInt16BE(at + 1);
    const length = data.readUInt32BE(at + 7);
    const start = at + SUB_BATCH_HEADER_SIZE;
    if (start + length > data.length) throw new Error(`sub-batch at ${at} overruns the chunk data`);
    let body = data.subarray(start, start + length);
    if (compression === Compression.Gzip) body = gunzipSync(body);
    else if (compression !== Compression.None) throw new Error(`sub-batch compression ${compression} is not supported`);
    let inner = 0;
    for (let i = 0; i < records; i++) {
      if (inner + 4 > body.length) throw new Error(`sub-batch record ${i} truncated`);
      const size = body.readUInt32BE(inner);
      if (inner + 4 + size > body.length) throw new Error(`sub-batch record ${i} overruns its batch`);
      record(body, inner + 4, inner + 4 + size);
      inner += 4 + size;
    }
    count += records;
    at = start + length;
  }
  return count;
}

/** Records in the data entries (sub-batches count all of theirs), without reading the records. */
export function countRecords(data: Buffer): number {
  let at = 0;
  let count = 0;
  while (at + SIMPLE_ENTRY_HEADER_SIZE <= data.length) {
    const first = data[at]!;
    if ((first & 0x80) === 0) {
      at += SIMPLE_ENTRY_HEADER_SIZE + data.readUInt32BE(at);
      count++;
    } else {
      if (at + SUB_BATCH_HEADER_SIZE > data.length) break;
      count += data.readUInt16BE(at + 1);
      at += SUB_BATCH_HEADER_SIZE + data.readUInt32BE(at + 7);
    }
  }
  return count;
}
