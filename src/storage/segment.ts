/**
 * One segment of a log as kept in memory: a few counters and, once something in it is
 * acked, its ack bitmap. Nothing per record: a million queued records in 128 segments cost
 * 128 of these.
 */
import { AckBitmap } from './ack-bitmap.js';
import type { AckFile } from './ack-file.js';
import { SEGMENT_FORMAT_VERSION } from './segment-file.js';
import type { SegmentWriter } from './segment-writer.js';

export class Segment {
  readonly id: number;
  /** Path of the segment file. */
  readonly file: string;
  /** Bytes of the segment, including what is still buffered in its writer. */
  size: number;
  records: number;
  acked: number;
  bitmap: AckBitmap | null;
  /** Bytes of the ack file, counting entries still buffered. */
  ackBytes: number;
  /** The ack file, opened on the first ack after open (durable logs only). */
  acks: AckFile | null = null;
  /** The writer while its fd is open: the write segment's, or a sealed one's until its last sync. */
  writer: SegmentWriter | null = null;
  /** Format version of the file (an older one is read, never appended to). */
  readonly version: number;

  constructor(id: number, file: string, size: number, records = 0, acked = 0, bitmap: AckBitmap | null = null, ackBytes = 0, version = SEGMENT_FORMAT_VERSION) {
    this.id = id;
    this.version = version;
    this.ackBytes = ackBytes;
    this.file = file;
    this.size = size;
    this.records = records;
    this.acked = acked;
    this.bitmap = bitmap;
  }

  get unacked(): number {
    return this.records - this.acked;
  }

  isAcked(offset: number): boolean {
    return this.bitmap !== null && this.bitmap.has(offset);
  }

  /** Marks the record at offset acked; false if it already was. */
  markAcked(offset: number): boolean {
    this.bitmap ??= new AckBitmap();
    if (!this.bitmap.set(offset)) return false;
    this.acked++;
    return true;
  }
}
