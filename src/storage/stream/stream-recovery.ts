/**
 * Opening a stream's folder: segments summarised from their indexes, the last segment's
 * tail checked chunk by chunk (a torn, truncated or zeroed tail is cut and logged, never
 * fatal), indexes rebuilt where they lag their segment, and the tracking state (publisher
 * sequences, consumer offsets) replayed from the last segment.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import type { Logger } from '../../log.js';
import { CHUNK_HEADER_SIZE, chunkHeaderProblem, chunkSize, ChunkType, forEachRecord, readChunkHeader } from './chunk.js';
import { chunkFromBytes, dataCrcMatches } from './chunk-view.js';
import { FileReader } from './file-reader.js';
import {
  FILE_HEADER_SIZE,
  fileHeaderProblem,
  INDEX_RECORD_SIZE,
  IndexFlag,
  parseStreamSegmentName,
  readIndexRecord,
  STREAM_INDEX_MAGIC,
  STREAM_SEGMENT_MAGIC,
  streamIndexPath,
  streamSegmentPath,
  writeFileHeader,
  writeIndexRecord,
  type IndexRecord,
} from './stream-files.js';
import { StreamSegment } from './stream-segment.js';
import { TrackingState } from './tracking.js';

export interface StreamRecovery {
  segments: StreamSegment[];
  tracking: TrackingState;
  /** Id of the last user chunk, -1 when there is none. */
  lastUserChunkId: number;
  /** Timestamp of the last user chunk (0 when none). */
  lastUserTimestamp: number;
  tornTails: { file: string; offset: number; reason: string }[];
}

export function recoverStream(dir: string, log: Logger): StreamRecovery {
  const ids = readdirSync(dir)
    .map(parseStreamSegmentName)
    .filter((id) => id >= 0)
    .sort((a, b) => a - b);
  const recovery: StreamRecovery = { segments: [], tracking: new TrackingState(), lastUserChunkId: -1, lastUserTimestamp: 0, tornTails: [] };
  for (let i = 0; i < ids.length; i++) {
    const segment = new StreamSegment(ids[i]!, streamSegmentPath(dir, ids[i]!), streamIndexPath(dir, ids[i]!));
    const isLast = i === ids.length - 1;
    recoverSegment(segment, isLast, recovery, log);
    recovery.segments.push(segment);
  }
  const last = recovery.segments.at(-1);
  if (last) replayTracking(last, recovery);
  return recovery;
}

/**
 * Brings a segment and its index into agreement and fills in its summary. For the last
 * segment every chunk past the last one the index vouches for is checked (header, length,
 * CRC); earlier segments were sealed by a roll, so their indexes are trusted once their
 * last record checks out.
 */
function recoverSegment(segment: StreamSegment, isLast: boolean, recovery: StreamRecovery, log: Logger): void {
  const fd = openSync(segment.file, 'r+');
  try {
    const fileSize = fstatSync(fd).size;
    const head = Buffer.alloc(FILE_HEADER_SIZE);
    const got = fileSize >= FILE_HEADER_SIZE ? readAt(fd, head, 0) : 0;
    const problem = fileHeaderProblem(head, got, STREAM_SEGMENT_MAGIC);
    if (problem !== undefined) {
      // Created but never synced (nothing in it was confirmed), or not ours: start it afresh.
      recovery.tornTails.push({ file: segment.file, offset: 0, reason: problem });
      log.warn({ file: segment.file, reason: problem }, 'stream segment header unusable; the segment starts empty');
      ftruncateSync(fd, 0);
      const fresh = Buffer.alloc(FILE_HEADER_SIZE);
      writeFileHeader(fresh, 0, STREAM_SEGMENT_MAGIC);
      writeSync(fd, fresh, 0, FILE_HEADER_SIZE, 0);
      writeIndex(segment.indexFile, []);
      return;
    }
    const records = readIndex(segment.indexFile);
    const reader = new FileReader(segment.file);
    try {
      // Index records the segment does not back (the index ran ahead of a torn segment) go.
      let trusted = records.length;
      while (trusted > 0 && !chunkAtIsValid(reader, records[trusted - 1]!, fileSize, isLast)) trusted--;
      let end = trusted > 0 ? records[trusted - 1]!.position + chunkLength(reader, records[trusted - 1]!) : FILE_HEADER_SIZE;
      const kept = records.slice(0, trusted);
      // Chunks after the last indexed one (written, index not yet): scan and index them.
      let expected = kept.length > 0 ? kept.at(-1)!.chunkId + kept.at(-1)!.records : segment.firstChunkId;
      while (end + CHUNK_HEADER_SIZE <= fileSize) {
        const header = reader.view(end, CHUNK_HEADER_SIZE);
        if (header === undefined) break;
        const problem = chunkHeaderProblem(header, 0);
        if (problem !== undefined) {
          noteTorn(recovery, log, segment.file, end, problem, fileSize);
          break;
        }
        const h = readChunkHeader(header, 0);
        const size = chunkSize(h);
        if (h.chunkId !== expected) {
          noteTorn(recovery, log, segment.file, end, `chunk id ${h.chunkId} where ${expected} was due`, fileSize);
          break;
        }
        const bytes = end + size <= fileSize ? reader.view(end, size) : undefined;
        if (bytes === undefined) {
          noteTorn(recovery, log, segment.file, end, `chunk of ${size} bytes truncated`, fileSize);
          break;
        }
        if (!dataCrcMatches(bytes)) {
          noteTorn(recovery, log, segment.file, end, 'chunk CRC mismatch', fileSize);
          break;
        }
        kept.push({
          chunkId: h.chunkId,
          timestamp: h.timestamp,
          position: end,
          records: h.records,
          type: h.type,
          flags: h.trailerLength > 0 ? IndexFlag.Trailer : 0,
        });
        expected = h.chunkId + h.records;
        end += size;
      }
      if (end < fileSize) {
        if (!recovery.tornTails.some((t) => t.file === segment.file)) noteTorn(recovery, log, segment.file, end, 'bytes after the last chunk', fileSize);
        ftruncateSync(fd, end);
      }
      if (kept.length !== records.length || trusted !== records.length) writeIndex(segment.indexFile, kept);
      for (const r of kept) {
        if (segment.chunks === 0) segment.firstTimestamp = r.timestamp;
        segment.lastTimestamp = r.timestamp;
        segment.chunks++;
        segment.nextOffset = r.chunkId + r.records;
        if (r.type === ChunkType.User) {
          segment.messages += r.records;
          recovery.lastUserChunkId = r.chunkId;
          recovery.lastUserTimestamp = r.timestamp;
        }
      }
      segment.size = end;
    } finally {
      reader.close();
    }
  } finally {
    closeSync(fd);
  }
}

function noteTorn(recovery: StreamRecovery, log: Logger, file: string, offset: number, reason: string, fileSize: number): void {
  recovery.tornTails.push({ file, offset, reason });
  log.warn({ file, offset, reason, cut: fileSize - offset }, 'stream segment has a torn tail; cutting it (nothing after it was confirmed)');
}

function chunkLength(reader: FileReader, record: IndexRecord): number {
  const header = reader.view(record.position, CHUNK_HEADER_SIZE)!;
  return chunkSize(readChunkHeader(header, 0));
}

function chunkAtIsValid(reader: FileReader, record: IndexRecord, fileSize: number, checkCrc: boolean): boolean {
  if (record.position + CHUNK_HEADER_SIZE > fileSize) return false;
  const header = reader.view(record.position, CHUNK_HEADER_SIZE);
  if (header === undefined || chunkHeaderProblem(header, 0) !== undefined) return false;
  const h = readChunkHeader(header, 0);
  if (h.chunkId !== record.chunkId || record.position + chunkSize(h) > fileSize) return false;
  if (!checkCrc) return true;
  const bytes = reader.view(record.position, chunkSize(h));
  return bytes !== undefined && dataCrcMatches(bytes);
}

/** Replays publisher sequences and consumer offsets from the chunks of the last segment. */
function replayTracking(segment: StreamSegment, recovery: StreamRecovery): void {
  const records = readIndex(segment.indexFile).filter((r) => r.type !== ChunkType.User || (r.flags & IndexFlag.Trailer) !== 0);
  if (records.length === 0) return;
  const reader = new FileReader(segment.file);
  try {
    for (const r of records) {
      const header = reader.view(r.position, CHUNK_HEADER_SIZE, CHUNK_HEADER_SIZE)!;
      const size = chunkSize(readChunkHeader(header, 0));
      const chunk = chunkFromBytes(reader.view(r.position, size, size)!, r.position);
      if (chunk.type === ChunkType.User) recovery.tracking.apply(chunk.trailer, 0, chunk.trailer.length);
      else forEachRecord(chunk.data, (buf, start, end) => recovery.tracking.apply(buf, start, end));
    }
  } finally {
    reader.close();
  }
}

export function readIndex(file: string): IndexRecord[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    if (size < FILE_HEADER_SIZE) return [];
    const buf = Buffer.allocUnsafe(size);
    readAt(fd, buf, 0);
    if (fileHeaderProblem(buf, size, STREAM_INDEX_MAGIC) !== undefined) return [];
    const records: IndexRecord[] = [];
    for (let at = FILE_HEADER_SIZE; at + INDEX_RECORD_SIZE <= size; at += INDEX_RECORD_SIZE) {
      const r = readIndexRecord(buf, at);
      // A zeroed record is the end of what reached the disk.
      if (r.position === 0) break;
      records.push(r);
    }
    return records;
  } finally {
    closeSync(fd);
  }
}

function writeIndex(file: string, records: readonly IndexRecord[]): void {
  const buf = Buffer.alloc(FILE_HEADER_SIZE + records.length * INDEX_RECORD_SIZE);
  let at = writeFileHeader(buf, 0, STREAM_INDEX_MAGIC);
  for (const r of records) at = writeIndexRecord(buf, at, r);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
}

function readAt(fd: number, buf: Buffer, position: number): number {
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}
