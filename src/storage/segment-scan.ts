/**
 * Recovery of one segment file: walks its records from the header on, hopping by length,
 * and finds where the valid data ends. What a crash can leave at the end of a file (cut
 * short, zero-filled, or never-synced garbage) is a torn tail: the scan reports where it
 * starts and why, and the caller truncates it away. Startup never fails on it.
 *
 * The last segment (where the crash happened) is checked record by record, CRC included.
 * Sealed segments were synced whole before the next one got records confirmed, so they are
 * walked by length only, for speed, plus the CRC of their last record. A record with a bad
 * CRC that is followed by good records is no tail: it is kept (reads skip and log it), so a
 * flipped bit never costs the confirmed records after it.
 *
 * While walking, the ack file's sorted offsets are matched against the record offsets, so
 * the segment's counters and ack bitmap come out exact: an offset in the ack file that is
 * no record (a torn entry, an ack of a record that was itself torn away) counts for nothing.
 */
import { AckBitmap } from './ack-bitmap.js';
import { crc32Of } from './crc32.js';
import { crcOfFileRange, READ_CHUNK_SIZE, readBuffer, readThrough } from './read-buffer.js';
import {
  checkRecordHead,
  CRC_START,
  readU64,
  RECORD_FIXED_SIZE,
  RecordField,
  RecordFlag,
  recordCrcMatches,
} from './record.js';
import { SEGMENT_HEADER_SIZE } from './segment-file.js';

export interface SegmentScan {
  /** Where the valid records end; the file is truncated here if shorter than its size. */
  end: number;
  /** Why the bytes from `end` on are not records, or null when the file ends cleanly. */
  torn: string | null;
  records: number;
  acked: number;
  /** Body bytes of the records not acked (what a queue reports as message_bytes_ready). */
  unackedBodyBytes: number;
  maxSeq: number;
  bitmap: AckBitmap | null;
  /** Offsets of records kept despite a bad CRC (good records follow them). */
  corrupt: number[];
}

export interface ScanOptions {
  /** CRC-check every record (the last segment), not only the last one. */
  verifyAll: boolean;
  /** Records without RecordFlag.Persistent count as acked. */
  dropTransient: boolean;
}

export function scanSegment(fd: number, id: number, fileSize: number, acks: Uint32Array, options: ScanOptions): SegmentScan {
  const owner = {};
  const buf = readBuffer();
  let records = 0;
  let acked = 0;
  let unackedBodyBytes = 0;
  let maxSeq = 0;
  let bitmap: AckBitmap | null = null;
  let ackIndex = 0;
  const corrupt: number[] = [];
  /** CRC failures not yet followed by a good record: a tail, unless one comes. */
  let suspects: number[] = [];
  let torn: string | null = null;
  // The last record counted, to undo it if a sealed segment's last CRC fails.
  let last = -1;
  let lastSize = 0;
  let lastAcked = false;
  let lastBodyBytes = 0;
  let maxSeqBeforeLast = 0;

  const count = (offset: number, flags: number, seq: number, bodyBytes: number, trusted: boolean): void => {
    records++;
    maxSeqBeforeLast = maxSeq;
    if (trusted && seq > maxSeq) maxSeq = seq;
    while (ackIndex < acks.length && acks[ackIndex] < offset) ackIndex++;
    const isAcked =
      (ackIndex < acks.length && acks[ackIndex] === offset) || (trusted && options.dropTransient && (flags & RecordFlag.Persistent) === 0);
    if (isAcked) {
      bitmap ??= new AckBitmap(fileSize);
      bitmap.set(offset);
      acked++;
    } else unackedBodyBytes += bodyBytes;
    lastAcked = isAcked;
    lastBodyBytes = bodyBytes;
  };

  let off = SEGMENT_HEADER_SIZE;
  while (off < fileSize) {
    if (fileSize - off < RECORD_FIXED_SIZE) {
      torn = `partial record header (${fileSize - off} of ${RECORD_FIXED_SIZE} bytes)`;
      break;
    }
    let i = readThrough(owner, id, fd, off, RECORD_FIXED_SIZE, fileSize, READ_CHUNK_SIZE);
    if (i < 0) {
      torn = 'file ends before its reported size';
      break;
    }
    const reason = checkRecordHead(buf, i, fileSize - off);
    if (reason !== null) {
      torn = reason;
      break;
    }
    const size = buf.readUInt32LE(i);
    const flags = buf[i + RecordField.Flags];
    const seq = readU64(buf, i + RecordField.Seq);
    if (options.verifyAll && !verifyRecord(owner, id, fd, off, size, fileSize)) {
      suspects.push(off);
      off += size;
      continue;
    }
    for (const s of suspects) {
      corrupt.push(s);
      count(s, 0, 0, 0, false);
    }
    suspects = [];
    const bodyBytes = size - RECORD_FIXED_SIZE - headerStartOffset(buf, i) - buf.readUInt32LE(i + RecordField.HeaderLength);
    count(off, flags, seq, bodyBytes, true);
    last = off;
    lastSize = size;
    off += size;
  }

  let end = off;
  if (suspects.length > 0) {
    end = suspects[0];
    torn = torn === null ? 'checksum mismatch' : `checksum mismatch, then ${torn}`;
  } else if (!options.verifyAll && last >= 0 && !verifyRecord(owner, id, fd, last, lastSize, fileSize)) {
    records--;
    if (lastAcked) {
      acked--;
      bitmap!.clear(last);
    } else unackedBodyBytes -= lastBodyBytes;
    maxSeq = maxSeqBeforeLast;
    end = last;
    torn = torn === null ? 'checksum mismatch in the last record' : `checksum mismatch in the last record, then ${torn}`;
  }
  return { end, torn, records, acked, unackedBodyBytes, maxSeq, bitmap, corrupt };
}

/** Exchange and routing key bytes of the record head at buf[i]. */
function headerStartOffset(buf: Buffer, i: number): number {
  return buf[i + RecordField.ExchangeLength] + buf[i + RecordField.RoutingKeyLength];
}

/** CRC check of the record at off, through the shared read buffer (streamed if bigger). */
export function verifyRecord(owner: object, id: number, fd: number, off: number, size: number, fileSize: number): boolean {
  const buf = readBuffer();
  if (size <= READ_CHUNK_SIZE) {
    const i = readThrough(owner, id, fd, off, size, fileSize, READ_CHUNK_SIZE);
    return i >= 0 && recordCrcMatches(buf, i, size);
  }
  const i = readThrough(owner, id, fd, off, RECORD_FIXED_SIZE, fileSize, RECORD_FIXED_SIZE);
  if (i < 0) return false;
  const stored = buf.readUInt32LE(i + RecordField.Crc);
  return crcOfFileRange(fd, off + CRC_START, off + size, 0, crc32Of) === stored;
}
