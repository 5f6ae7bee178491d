/**
 * A stream's files: segments of chunks and one index per segment, both named by the id of
 * the segment's first chunk in 20 digits (a listing sorts by offset):
 *
 *   00000000000000000000.segment   "WRSS" | u32 version (1) | chunks (chunk.ts)
 *   00000000000000000000.index     "WRSI" | u32 version (1) | one 26-byte record per chunk
 *
 * Index record (big-endian): u64 chunk id | i64 timestamp | u32 position in the segment |
 * u32 records | u8 chunk type | u8 flags (bit 0: the chunk has a trailer).
 *
 * The index is a cache of the segment: recovery checks it against the segment and rebuilds
 * what is missing, so it is written in the sync cycles without anyone waiting for it.
 */
import { join } from 'node:path';
import { readU64, writeU64 } from './chunk.js';

export const STREAM_SEGMENT_MAGIC = Buffer.from('WRSS', 'latin1');
export const STREAM_INDEX_MAGIC = Buffer.from('WRSI', 'latin1');
export const STREAM_FORMAT_VERSION = 1;
export const FILE_HEADER_SIZE = 8;
export const INDEX_RECORD_SIZE = 26;

export const IndexFlag = { Trailer: 1 } as const;

const SEGMENT_NAME = /^(\d{20})\.segment$/;

export function segmentFileName(firstChunkId: number): string {
  return `${String(firstChunkId).padStart(20, '0')}.segment`;
}

export function indexFileName(firstChunkId: number): string {
  return `${String(firstChunkId).padStart(20, '0')}.index`;
}

export function streamSegmentPath(dir: string, firstChunkId: number): string {
  return join(dir, segmentFileName(firstChunkId));
}

export function streamIndexPath(dir: string, firstChunkId: number): string {
  return join(dir, indexFileName(firstChunkId));
}

/** The first chunk id a segment file name stands for, or -1. */
export function parseStreamSegmentName(name: string): number {
  const m = SEGMENT_NAME.exec(name);
  return m ? Number(m[1]) : -1;
}

export function writeFileHeader(buf: Buffer, at: number, magic: Buffer): number {
  magic.copy(buf, at);
  buf.writeUInt32BE(STREAM_FORMAT_VERSION, at + 4);
  return at + FILE_HEADER_SIZE;
}

/** Why the first bytes of a stream file are not a header of ours (undefined when they are). */
export function fileHeaderProblem(buf: Buffer, length: number, magic: Buffer): string | undefined {
  if (length < FILE_HEADER_SIZE) return `file header incomplete (${length} of ${FILE_HEADER_SIZE} bytes)`;
  if (!buf.subarray(0, 4).equals(magic)) return 'bad magic';
  const version = buf.readUInt32BE(4);
  if (version !== STREAM_FORMAT_VERSION) return `format version ${version} (this build reads ${STREAM_FORMAT_VERSION})`;
  return undefined;
}

export interface IndexRecord {
  chunkId: number;
  timestamp: number;
  position: number;
  records: number;
  type: number;
  flags: number;
}

export function writeIndexRecord(buf: Buffer, at: number, r: IndexRecord): number {
  writeU64(buf, at, r.chunkId);
  buf.writeBigInt64BE(BigInt(r.timestamp), at + 8);
  buf.writeUInt32BE(r.position, at + 16);
  buf.writeUInt32BE(r.records, at + 20);
  buf[at + 24] = r.type;
  buf[at + 25] = r.flags;
  return at + INDEX_RECORD_SIZE;
}

export function readIndexRecord(buf: Buffer, at: number): IndexRecord {
  return {
    chunkId: readU64(buf, at),
    timestamp: Number(buf.readBigInt64BE(at + 8)),
    position: buf.readUInt32BE(at + 16),
    records: buf.readUInt32BE(at + 20),
    type: buf[at + 24]!,
    flags: buf[at + 25]!,
  };
}
