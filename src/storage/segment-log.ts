/**
 * One queue's message log: records appended to fixed-size segment files, acks appended to
 * one small ack file per segment, a segment deleted once every record in it is acked. There
 * is no index: a record's position (segment id, byte offset) is its identity, reads walk the
 * files by record length, and memory holds a few counters per segment plus an ack bitmap
 * for segments with acks in them (ack-bitmap.ts), never an object per record.
 *
 * Durability (durable logs): appends and acks are buffered and written by the SyncScheduler's
 * cycles, which fdatasync each dirty file once per window. append returns the epoch whose
 * successful sync makes the record durable. A new segment file's directory entry is synced
 * in the same cycle (DirectorySync). Acks are synced too but nothing waits for them.
 *
 * A scratch log (durable: false) wipes its directory on open and never syncs: it only spills
 * transient messages to disk so they need not all sit in memory.
 *
 * Files: segment-file.ts names them and defines the segment header; record.ts the records.
 */
import { closeSync, constants, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../log.js';
import { AckFile, loadAckFile } from './ack-file.js';
import { crc32Of, crc32Range } from './crc32.js';
import { DirectorySync, fsyncDirectory } from './directory-sync.js';
import { forgetReads, READ_CHUNK_SIZE, readBuffer, readFully, readThrough } from './read-buffer.js';
import {
  checkRecordHead,
  CRC_START,
  decodeRecord,
  headerStart,
  MAX_SEGMENT_ID,
  offsetOf,
  positionOf,
  RECORD_FIXED_SIZE,
  RecordField,
  recordCrcMatches,
  recordSize,
  segmentOf,
  shortstrBytes,
  type MessageRecord,
  type StoredRecord,
} from './record.js';
import { Segment } from './segment.js';
import {
  ACK_ENTRY_SIZE,
  ackPath,
  checkSegmentHeader,
  parseAckName,
  parseSegmentName,
  SEGMENT_FORMAT_VERSION,
  SEGMENT_HEADER_SIZE,
  segmentPath,
} from './segment-file.js';
import { scanSegment } from './segment-scan.js';
import { SegmentWriter } from './segment-writer.js';
import type { SyncScheduler } from './sync-scheduler.js';

export interface SegmentLogOptions {
  sync: SyncScheduler;
  log: Logger;
  /** default 8 MiB; a record bigger than a segment gets a segment of its own */
  segmentSize?: number;
  /** false: a scratch log (non-durable queue / overflow of transient messages): the directory is wiped on open, no fsync, nothing recovered. */
  durable: boolean;
  /** On recovery, records without RecordFlag.Persistent count as acked (transient messages must not survive a restart). */
  dropTransientOnRecovery?: boolean;
}

export interface RecoveryReport {
  /** records recovered and not acked */
  unackedRecords: number;
  /** Body bytes of those records. */
  unackedBodyBytes: number;
  segments: number;
  /** highest seq seen in any record (0 if none) */
  maxSeq: number;
  tornTails: { file: string; offset: number; reason: string }[];
}

export const DEFAULT_SEGMENT_SIZE = 8 * 1024 * 1024;
/** Segments above 1 GiB would make no log faster, and offsets must stay below 2^32. */
const MAX_SEGMENT_SIZE = 1024 * 1024 * 1024;

/** The fixed part plus two shortstrs: all of a record before its header. */
const MAX_HEAD_BEFORE_HEADER = RECORD_FIXED_SIZE + 2 * 255;

/** Smallest read when the caller's limits suggest less: one syscall should be worth making. */
const MIN_READ = 64 * 1024;

export class SegmentLog {
  readonly dir: string;
  readonly durable: boolean;
  readonly recovery: RecoveryReport;
  private readonly sync: SyncScheduler | null;
  private readonly log: Logger;
  private readonly segmentSize: number;
  /** Live segments in id order; the last one is the write segment. */
  private readonly segments: Segment[];
  private readonly byId = new Map<number, Segment>();
  private writer!: SegmentWriter;
  /** Syncs the directory after a segment file is created, so the new name survives a crash. */
  private readonly directory: DirectorySync | null;
  private bytes = 0;
  /** The segment open for reading, and its fd. */
  private readSegment: Segment | null = null;
  private readFd = -1;
  /** Running estimate of record size, to size reads to what the caller is likely to take. */
  private averageRecord = 1024;
  private closed = false;

  private constructor(dir: string, options: SegmentLogOptions, segments: Segment[], recovery: RecoveryReport) {
    this.dir = dir;
    this.durable = options.durable;
    this.sync = options.durable ? options.sync : null;
    this.log = options.log;
    this.segmentSize = options.segmentSize ?? DEFAULT_SEGMENT_SIZE;
    this.segments = segments;
    for (const s of segments) {
      this.byId.set(s.id, s);
      this.bytes += s.size + s.ackBytes;
    }
    this.directory = this.sync === null ? null : new DirectorySync(dir, this.sync);
    this.recovery = recovery;
  }

  /** Opens (creating the directory if missing) and recovers; see segment-scan.ts. Synchronous; fine at startup. */
  static open(dir: string, options: SegmentLogOptions): SegmentLog {
    const segmentSize = options.segmentSize ?? DEFAULT_SEGMENT_SIZE;
    if (!Number.isInteger(segmentSize) || segmentSize < SEGMENT_HEADER_SIZE + RECORD_FIXED_SIZE || segmentSize > MAX_SEGMENT_SIZE) {
      throw new RangeError(`segmentSize must be an integer from ${SEGMENT_HEADER_SIZE + RECORD_FIXED_SIZE} to ${MAX_SEGMENT_SIZE}, got ${segmentSize}`);
    }
    if (!options.durable) rmSync(dir, { recursive: true, force: true });
    const created = mkdirSync(dir, { recursive: true }) !== undefined;
    if (created && options.durable) fsyncDirectory(dirname(dir));

    const recovery: RecoveryReport = { unackedRecords: 0, unackedBodyBytes: 0, segments: 0, maxSeq: 0, tornTails: [] };
    const segments = options.durable ? recoverSegments(dir, options, recovery) : [];
    const log = new SegmentLog(dir, options, segments, recovery);
    log.startWriting();
    recovery.segments = log.segments.length;
    recovery.unackedRecords = log.unackedRecords;
    if (options.durable) {
      options.log.info(
        { dir, segments: recovery.segments, unacked: recovery.unackedRecords, maxSeq: recovery.maxSeq, tornTails: recovery.tornTails.length },
        'message log recovered',
      );
    }
    return log;
  }

  /** Buffers the record and returns its position and the epoch after which it is durable (0 for a non-durable log). */
  append(record: MessageRecord): { position: number; epoch: number } {
    if (this.closed) throw new Error(`message log ${this.dir} is closed`);
    const exchangeBytes = shortstrBytes(record.exchange, 'exchange name');
    const routingKeyBytes = shortstrBytes(record.routingKey, 'routing key');
    const size = recordSize(record, exchangeBytes, routingKeyBytes);
    let segment = this.writer.segment;
    if (segment.records > 0 && segment.size + size > this.segmentSize) {
      this.rotate(false);
      segment = this.writer.segment;
    }
    const offset = segment.size;
    this.writer.appendRecord(record, size, exchangeBytes, routingKeyBytes);
    segment.size += size;
    segment.records++;
    this.bytes += size;
    return { position: positionOf(segment.id, offset), epoch: this.writer.markDirty() };
  }

  /** Marks a record done. Deletes its segment once all its records are acked, unless it is the write segment. Acking twice is harmless. */
  ack(position: number): void {
    if (this.closed) return; // a late ack after shutdown: the message comes back redelivered
    const segment = this.byId.get(segmentOf(position));
    if (segment === undefined) return;
    const offset = offsetOf(position);
    if (offset < SEGMENT_HEADER_SIZE || offset >= segment.size || !segment.markAcked(offset)) return;
    if (this.sync !== null) this.persistAck(segment, offset);
    if (segment.acked === segment.records && segment !== this.writer.segment) this.deleteSegment(segment);
  }

  /**
   * Reads up to maxRecords records (stopping once maxBytes of bodies are read, but always at
   * least one) in log order from `from`, skipping acked records, and returns them with the
   * position to continue from.
   *
   * Each returned record's header and body are views into one buffer allocated for that
   * record alone: keeping a record keeps exactly its bytes, nothing else, and no later read
   * overwrites them. A record whose CRC fails is logged with its file and offset, acked (it
   * can never be delivered) and skipped.
   */
  read(from: number, maxRecords: number, maxBytes: number): { records: StoredRecord[]; next: number } {
    if (this.closed) throw new Error(`message log ${this.dir} is closed`);
    const end = this.end;
    if (from > end || from < 0) throw new RangeError(`read from ${from} is outside the log (start ${this.start}, end ${end})`);
    const records: StoredRecord[] = [];
    let segment = this.segmentAtOrAfter(segmentOf(from));
    if (segment === undefined || maxRecords < 1) return { records, next: from };
    let off = segment.id === segmentOf(from) ? Math.max(offsetOf(from), SEGMENT_HEADER_SIZE) : SEGMENT_HEADER_SIZE;
    const want = Math.max(MIN_READ, Math.min(maxRecords * this.averageRecord, maxBytes + maxRecords * 64));
    let bodyBytes = 0;
    let seen = 0;
    let seenBytes = 0;
    const buf = readBuffer();

    for (;;) {
      if (records.length >= maxRecords || (records.length > 0 && bodyBytes >= maxBytes)) break;
      if (off >= segment.size) {
        const following = this.segmentAtOrAfter(segment.id + 1);
        if (following === undefined) break;
        segment = following;
        off = SEGMENT_HEADER_SIZE;
        continue;
      }
      const limit = this.readableEnd(segment);
      if (off >= limit) break; // buffered data that could not be written (disk full): nothing more to read now
      if (limit - off < RECORD_FIXED_SIZE) break; // likewise
      const fd = this.fdForReading(segment);
      const i = readThrough(this, segment.id, fd, off, RECORD_FIXED_SIZE, limit, want);
      const problem = i < 0 ? 'file shorter than expected' : checkRecordHead(buf, i, segment.size - off);
      if (problem !== null) {
        // Recovery checked these lengths, so the file changed under us: nothing after this
        // point in the segment can be found. Go on with the next segment.
        this.log.error({ file: segment.file, offset: off, reason: problem }, 'unreadable record; skipping the rest of the segment');
        off = segment.size;
        if (segment === this.writer.segment) break;
        continue;
      }
      const size = buf.readUInt32LE(i);
      if (off + size > limit) break; // only partly written so far (a write failed): retry later
      if (segment.isAcked(off)) {
        off += size;
        continue;
      }
      const record = this.readRecord(segment, fd, off, size, limit, want);
      if (record === null) {
        // Logged; acking it lets its segment be deleted in due course.
        const position = positionOf(segment.id, off);
        off += size;
        this.ack(position);
        if (!this.byId.has(segment.id)) off = segment.size;
        continue;
      }
      records.push(record);
      bodyBytes += record.body.length;
      seen++;
      seenBytes += size;
      off += size;
    }
    if (seen > 0) this.averageRecord = Math.max(64, Math.round((this.averageRecord + seenBytes / seen) / 2));
    // At the end of a sealed segment, continue from the next one's start.
    let next = positionOf(segment.id, off);
    if (off >= segment.size && segment !== this.writer.segment) {
      const following = this.segmentAtOrAfter(segment.id + 1);
      if (following !== undefined) next = positionOf(following.id, SEGMENT_HEADER_SIZE);
    }
    return { records, next };
  }

  /** Position of the first record still in the log (start of the oldest segment). */
  get start(): number {
    return positionOf(this.segments[0].id, SEGMENT_HEADER_SIZE);
  }

  /** The position after the last appended record. */
  get end(): number {
    const s = this.writer.segment;
    return positionOf(s.id, s.size);
  }

  /**
   * Acks every record from `from` to the end (a purge of records never delivered); returns
   * how many were unacked. Whole segments in the range are deleted without looking inside.
   */
  ackFrom(from: number): number {
    if (this.closed) throw new Error(`message log ${this.dir} is closed`);
    const end = this.end;
    if (from > end || from < 0) throw new RangeError(`ackFrom ${from} is outside the log (start ${this.start}, end ${end})`);
    let count = 0;
    const firstId = segmentOf(from);
    for (const segment of this.segments.filter((s) => s.id >= firstId)) {
      const startOff = segment.id === firstId ? offsetOf(from) : SEGMENT_HEADER_SIZE;
      if (startOff <= SEGMENT_HEADER_SIZE) {
        count += segment.unacked;
        if (segment === this.writer.segment) {
          if (segment.records > 0) this.rotate(true);
        } else this.deleteSegment(segment);
      } else count += this.ackRecordsFrom(segment, startOff);
    }
    return count;
  }

  /** Bytes on disk (segments + ack files), counting what is buffered to be written. */
  get diskBytes(): number {
    return this.bytes;
  }

  /** Writes what is buffered, syncs what is not yet synced, and closes the files (clean shutdown). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    let first: unknown;
    const attempt = (file: string, fn: () => void) => {
      try {
        fn();
      } catch (e) {
        first ??= e;
        this.log.error({ err: e, file }, 'could not write or sync a file while closing the message log');
      }
    };
    for (const segment of this.segments) {
      const w = segment.writer;
      if (w !== null) attempt(w.file, () => (this.durable ? w.closeDurably() : w.closeDiscarding()));
      const acks = segment.acks;
      if (acks !== null) attempt(acks.file, () => acks.closeDurably());
    }
    if (this.directory !== null) attempt(this.dir, () => this.directory!.closeDurably());
    this.closeReadFd();
    forgetReads(this);
    if (first !== undefined) throw first;
  }

  /** Closes and removes the directory (queue deleted). */
  destroy(): void {
    if (!this.closed) {
      this.closed = true;
      for (const segment of this.segments) {
        segment.writer?.closeDiscarding();
        segment.acks?.closeDiscarding();
      }
      this.directory?.closeDurably();
      this.closeReadFd();
      forgetReads(this);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Number of segment files (for tests and metrics). */
  get segmentCount(): number {
    return this.segments.length;
  }

  /** Unacked records in the log (for metrics). */
  get unackedRecords(): number {
    let n = 0;
    for (const s of this.segments) n += s.unacked;
    return n;
  }

  // ---- writing ----

  /** After recovery: append to the last segment if it has room, else start a new one. */
  private startWriting(): void {
    // A drained log starts over at segment 1, so ids (and positions) do not creep towards
    // MAX_SEGMENT_ID across the life of a busy queue that empties now and then.
    if (this.segments.every((s) => s.unacked === 0)) for (const s of this.segments.slice()) this.deleteSegment(s);
    const last = this.segments.at(-1);
    // A segment of an older format is only read: an older Warren must still read it whole.
    if (last !== undefined && last.size < this.segmentSize && last.version === SEGMENT_FORMAT_VERSION) {
      this.writer = new SegmentWriter(last, openSync(last.file, 'r+'), last.size, this.sync, null);
      return;
    }
    if (last !== undefined && last.acked === last.records) this.deleteSegment(last);
    const id = this.segments.length === 0 ? 1 : last!.id + 1;
    this.createSegment(id, null);
    // Opening is synchronous anyway: make the new file and its name durable right here.
    if (this.durable) {
      this.writer.writeNow();
      fdatasyncSync(this.writer.fd);
      fsyncDirectory(this.dir);
    }
  }

  /** A new, empty segment file with its header queued, made the write segment. */
  private createSegment(id: number, slab: Buffer | null): void {
    if (id > MAX_SEGMENT_ID) {
      throw new RangeError(`message log ${this.dir} has used all ${MAX_SEGMENT_ID} segment ids; drain the queue and reopen it to start over at 1`);
    }
    const file = segmentPath(this.dir, id);
    removeIfExists(ackPath(this.dir, id)); // a stale ack file must not ack the new records
    const fd = openSync(file, 'w+');
    const segment = new Segment(id, file, SEGMENT_HEADER_SIZE);
    this.writer = new SegmentWriter(segment, fd, 0, this.sync, slab);
    this.writer.appendFileHeader();
    this.writer.markDirty();
    this.segments.push(segment);
    this.byId.set(id, segment);
    this.bytes += SEGMENT_HEADER_SIZE;
  }

  /**
   * Seals the write segment and starts the next one. Its buffered records are written now
   * (discard: dropped, the segment is being purged); its fd closes after the cycle that
   * syncs them. A sealed segment with every record acked goes at once.
   */
  private rotate(discard: boolean): void {
    const old = this.writer;
    const segment = old.segment;
    if (discard) {
      segment.acked = segment.records;
      old.closeDiscarding();
    } else {
      try {
        old.writeNow();
      } catch (e) {
        this.log.error({ err: e, file: old.file }, 'could not write a segment being sealed; the sync cycle retries it');
      }
    }
    const slab = old.releaseSlab();
    this.createSegment(segment.id + 1, slab);
    this.directory?.touch();
    if (segment.acked === segment.records) this.deleteSegment(segment);
    else {
      old.closeWhenSynced();
      if (old.fd < 0) segment.writer = null;
    }
  }

  private persistAck(segment: Segment, offset: number): void {
    let acks = segment.acks;
    if (acks === null) {
      try {
        acks = segment.acks = AckFile.open(ackPath(this.dir, segment.id), segment.ackBytes, this.sync!);
      } catch (e) {
        // The ack still counts in memory; after a crash the message would come back redelivered.
        this.log.error({ err: e, file: ackPath(this.dir, segment.id) }, 'could not open an ack file; this ack is not persisted');
        return;
      }
    }
    acks.add(offset);
    // After the scheduler's final flush the ack waits in the buffer for close(), which writes it.
    if (!this.sync!.isClosed) acks.markDirty();
    segment.ackBytes += ACK_ENTRY_SIZE;
    this.bytes += ACK_ENTRY_SIZE;
  }

  private deleteSegment(segment: Segment): void {
    const i = this.segments.indexOf(segment);
    if (i >= 0) this.segments.splice(i, 1);
    this.byId.delete(segment.id);
    this.bytes -= segment.size + segment.ackBytes;
    if (segment.writer !== null) {
      segment.writer.closeDiscarding();
      segment.writer = null;
    }
    if (segment.acks !== null) {
      segment.acks.closeDiscarding();
      segment.acks = null;
    }
    if (this.readSegment === segment) this.closeReadFd();
    removeIfExists(segment.file, this.log);
    removeIfExists(ackPath(this.dir, segment.id), this.log);
  }

  // ---- reading ----

  /** How far the segment's file holds its records; writes buffered ones first if a read needs them. */
  private readableEnd(segment: Segment): number {
    const w = segment.writer;
    if (w === null || w.pendingBytes === 0) return w === null ? segment.size : w.written;
    try {
      w.writeNow();
    } catch (e) {
      this.log.error({ err: e, file: w.file }, 'could not write buffered records for a read');
    }
    return w.written;
  }

  private fdForReading(segment: Segment): number {
    if (this.readSegment === segment) return this.readFd;
    this.closeReadFd();
    this.readFd = openSync(segment.file, 'r');
    this.readSegment = segment;
    return this.readFd;
  }

  private closeReadFd(): void {
    if (this.readFd >= 0) closeSync(this.readFd);
    this.readFd = -1;
    this.readSegment = null;
  }

  /** The record at off, copied out of the read buffer into its own blob; null (logged) if its CRC fails. */
  private readRecord(segment: Segment, fd: number, off: number, size: number, limit: number, want: number): StoredRecord | null {
    const buf = readBuffer();
    const position = positionOf(segment.id, off);
    if (size <= READ_CHUNK_SIZE) {
      const i = readThrough(this, segment.id, fd, off, size, limit, want);
      if (i < 0 || !recordCrcMatches(buf, i, size)) return this.corrupt(segment, off);
      const h = headerStart(buf, i);
      const blob = Buffer.allocUnsafe(size - h);
      buf.copy(blob, 0, i + h, i + size);
      return decodeRecord(buf, i, position, blob);
    }
    // Too big for the read buffer: read header + body straight into the record's own blob.
    const i = readThrough(this, segment.id, fd, off, MAX_HEAD_BEFORE_HEADER, limit, MAX_HEAD_BEFORE_HEADER);
    if (i < 0) return this.corrupt(segment, off);
    const h = headerStart(buf, i);
    const head = Buffer.from(buf.subarray(i, i + h)); // the fixed part and names, before the read buffer is reused
    const blob = Buffer.allocUnsafe(size - h);
    if (readFully(fd, blob, 0, blob.length, off + h) !== blob.length) return this.corrupt(segment, off);
    if (crc32Of(blob, crc32Range(head, CRC_START, h)) !== head.readUInt32LE(RecordField.Crc)) return this.corrupt(segment, off);
    return decodeRecord(head, 0, position, blob);
  }

  private corrupt(segment: Segment, offset: number): null {
    this.log.error({ file: segment.file, offset }, 'record checksum mismatch (damaged on disk); the message is dropped');
    return null;
  }

  /** Acks the unacked records of a segment from startOff on; returns how many there were. */
  private ackRecordsFrom(segment: Segment, startOff: number): number {
    let count = 0;
    let off = startOff;
    const buf = readBuffer();
    while (off < segment.size && this.byId.has(segment.id)) {
      const limit = this.readableEnd(segment);
      if (off >= limit) break;
      const fd = this.fdForReading(segment);
      const i = readThrough(this, segment.id, fd, off, RECORD_FIXED_SIZE, limit, READ_CHUNK_SIZE);
      if (i < 0 || checkRecordHead(buf, i, limit - off) !== null) {
        this.log.error({ file: segment.file, offset: off }, 'unreadable record while purging; the rest of the segment stays');
        break;
      }
      const size = buf.readUInt32LE(i);
      if (!segment.isAcked(off)) {
        count++;
        this.ack(positionOf(segment.id, off));
      }
      off += size;
    }
    return count;
  }

  private segmentAtOrAfter(id: number): Segment | undefined {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (segs[mid].id < id) lo = mid + 1;
      else hi = mid;
    }
    return segs[lo];
  }
}

/** Scans the directory's segments (see segment-scan.ts), truncating torn tails and deleting what is fully acked. */
function recoverSegments(dir: string, options: SegmentLogOptions, report: RecoveryReport): Segment[] {
  const log = options.log;
  const dropTransient = options.dropTransientOnRecovery ?? true;
  const ids: number[] = [];
  const ackIds: number[] = [];
  for (const name of readdirSync(dir)) {
    const id = parseSegmentName(name);
    if (id >= 0) ids.push(id);
    const ackId = parseAckName(name);
    if (ackId >= 0) ackIds.push(ackId);
  }
  ids.sort((a, b) => a - b);
  const segments: Segment[] = [];
  const head = Buffer.alloc(SEGMENT_HEADER_SIZE);
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k];
    const file = segmentPath(dir, id);
    const ackFile = ackPath(dir, id);
    const fd = openSync(file, 'r+');
    try {
      const fileSize = fstatSync(fd).size;
      const check = checkSegmentHeader(head, readFully(fd, head, 0, SEGMENT_HEADER_SIZE, 0));
      if (check.kind === 'newer') {
        throw new Error(
          `segment ${file} is in format version ${check.version}, written by a newer Warren; this one reads version ${SEGMENT_FORMAT_VERSION}. ` +
            'Run the newer version, or move this queue\'s folder away to start it empty.',
        );
      }
      if (check.kind === 'torn') {
        // Created but never synced with data: it held nothing anyone was promised.
        log.warn({ file, offset: 0, reason: check.reason }, 'torn segment header; removing the empty segment');
        report.tornTails.push({ file, offset: 0, reason: check.reason });
        removeIfExists(file, log);
        removeIfExists(ackFile, log);
        continue;
      }
      if (check.kind === 'garbage') {
        const aside = `${file}.corrupt-${Date.now()}`;
        renameSync(file, aside);
        removeIfExists(ackFile, log);
        log.error({ file, offset: 0, reason: check.reason, movedTo: aside }, 'segment file is not readable; moved aside and skipped');
        report.tornTails.push({ file, offset: 0, reason: `${check.reason}; moved aside to ${aside}` });
        continue;
      }

      const acks = loadAckFile(ackFile, log);
      const isLast = k === ids.length - 1;
      const scan = scanSegment(fd, id, fileSize, acks.offsets, { verifyAll: isLast, dropTransient });
      for (const offset of scan.corrupt) {
        log.error({ file, offset }, 'record checksum mismatch (damaged on disk); kept for now, dropped when read');
      }
      let ackBytes = acks.size;
      if (scan.end < fileSize) {
        const reason = scan.torn ?? 'unknown';
        log.warn({ file, offset: scan.end, reason, bytesCut: fileSize - scan.end }, 'torn tail in segment; truncated');
        report.tornTails.push({ file, offset: scan.end, reason });
        ftruncateSync(fd, scan.end);
        fdatasyncSync(fd);
        // Acks of records cut away must not ack the records appended at those offsets next.
        const o = acks.offsets;
        if (o.length > 0 && o[o.length - 1] >= scan.end) ackBytes = rewriteAckFile(ackFile, o, scan.end);
      }
      if (scan.maxSeq > report.maxSeq) report.maxSeq = scan.maxSeq;
      report.unackedBodyBytes += scan.unackedBodyBytes;
      if (scan.records === scan.acked && !isLast) {
        removeIfExists(file, log);
        removeIfExists(ackFile, log);
        continue;
      }
      segments.push(new Segment(id, file, scan.end, scan.records, scan.acked, scan.bitmap, ackBytes, check.version));
    } finally {
      closeSync(fd);
    }
  }
  // Ack files whose segment is gone: a deletion cut short by a crash.
  for (const id of ackIds) if (!ids.includes(id)) removeIfExists(ackPath(dir, id), log);
  return segments;
}

/** Rewrites an ack file keeping the offsets below `end`; returns its new size. */
function rewriteAckFile(file: string, offsets: Uint32Array, end: number): number {
  let n = 0;
  while (n < offsets.length && offsets[n] < end) n++;
  const bytes = Buffer.allocUnsafe(n * ACK_ENTRY_SIZE);
  for (let i = 0; i < n; i++) bytes.writeUInt32LE(offsets[i], i * ACK_ENTRY_SIZE);
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o644);
  try {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, done);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return bytes.length;
}

function removeIfExists(file: string, log?: Logger): void {
  try {
    unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (log === undefined) throw e;
      log.warn({ err: e, file }, 'could not remove a file');
    }
  }
}
