/**
 * Publish, the hot path in: a cursor over a Publish frame's messages that copies nothing
 * and allocates nothing per message.
 *
 *   Publish v1 => PublisherId u8, count i32, [PublishingId u64, Entry]
 *   Publish v2 => PublisherId u8, count i32, [PublishingId u64, FilterValue string, Entry]
 *
 * Each Entry is already an osiris data entry: a simple entry (`0:1 size:31` + message) or,
 * in v1 only, a sub-entry batch (`1:1 compression:3 reserved:4 records:16
 * uncompressed-size:32 size:32` + batch). So entryStart..entryEnd can be appended to a
 * chunk's data section as is; v2's filter value goes to the chunk's bloom filter.
 *
 * reset() validates the whole frame before the first next(), so a server never writes
 * half a Publish and then finds its tail malformed: a frame either passes whole or throws
 * CommandDecodeError, and next() cannot fail.
 */
import { CommandKey, SIMPLE_ENTRY_HEADER_SIZE, SUB_BATCH_ENTRY_HEADER_SIZE } from './constants.js';
import { CommandDecodeError } from './errors.js';
import { readU64 } from './field-reader.js';

const PUBLISHING_ID_SIZE = 8;
const FILTER_LENGTH_SIZE = 2;
/** PublisherId + count. */
const PUBLISH_HEADER_SIZE = 5;

export class PublishReader {
  buf: Buffer = EMPTY;
  version = 1;
  publisherId = 0;
  /** Entries (publishing ids) in the frame; a sub-entry batch counts once. */
  messageCount = 0;

  // The current entry, valid after next() returned true.
  /** uint64: a number below 2^53, a bigint above (clients start at 0 or 1 and count up, so numbers in practice). */
  publishingId: number | bigint = 0;
  /** v2: the filter value's bytes, filterStart = -1 when it is null (and always in v1). */
  filterStart = -1;
  filterEnd = -1;
  /** The osiris data entry, its header included. */
  entryStart = 0;
  entryEnd = 0;
  /** The message (simple entry) or the possibly compressed batch (sub-entry batch), without the entry header. */
  messageStart = 0;
  messageEnd = 0;
  isSubBatch = false;
  /** Sub-entry batch only: CompressionType, records inside, their size uncompressed. 0 for simple entries. */
  compression = 0;
  recordCount = 0;
  uncompressedSize = 0;

  private pos = 0;
  private end = 0;
  private left = 0;

  /**
   * Aims the cursor at a Publish frame's fields buf[start, end) (what FrameReader hands
   * over after key and version) and validates every entry. Throws CommandDecodeError for
   * a version other than 1 or 2 or any malformed field.
   */
  reset(version: number, buf: Buffer, start: number, end: number): this {
    if (version !== 1 && version !== 2) {
      throw new CommandDecodeError(CommandKey.Publish, version, 'unsupported-version', 'only versions 1 and 2 exist');
    }
    this.version = version;
    this.buf = buf;
    this.filterStart = this.filterEnd = -1; // v1 entries never set them: clear what a v2 frame left
    if (end - start < PUBLISH_HEADER_SIZE) this.malformed(`truncated: ${end - start} bytes, the header needs ${PUBLISH_HEADER_SIZE}`);
    this.publisherId = buf[start]!;
    const count = buf.readInt32BE(start + 1);
    if (count < 0) this.malformed(`message count ${count}`);
    this.messageCount = count;
    this.pos = start + PUBLISH_HEADER_SIZE;
    this.end = end;
    this.left = count;
    this.validate();
    return this;
  }

  /** Moves to the next entry; false when there is none left. */
  next(): boolean {
    if (this.left === 0) return false;
    this.left--;
    const b = this.buf;
    let p = this.pos;
    this.publishingId = readU64(b, p);
    p += PUBLISHING_ID_SIZE;
    if (this.version === 2) {
      const n = (((b[p]! << 8) | b[p + 1]!) << 16) >> 16;
      p += FILTER_LENGTH_SIZE;
      if (n === -1) {
        this.filterStart = this.filterEnd = -1;
      } else {
        this.filterStart = p;
        this.filterEnd = p += n;
      }
    }
    this.entryStart = p;
    const first = b[p]!;
    if (first < 0x80) {
      const size = first * 0x100_0000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
      this.isSubBatch = false;
      this.compression = this.recordCount = this.uncompressedSize = 0;
      this.messageStart = p + SIMPLE_ENTRY_HEADER_SIZE;
      this.messageEnd = this.pos = this.entryEnd = p + SIMPLE_ENTRY_HEADER_SIZE + size;
    } else {
      this.isSubBatch = true;
      this.compression = (first >> 4) & 0x7;
      this.recordCount = (b[p + 1]! << 8) | b[p + 2]!;
      this.uncompressedSize = b.readUInt32BE(p + 3);
      const size = b.readUInt32BE(p + 7);
      this.messageStart = p + SUB_BATCH_ENTRY_HEADER_SIZE;
      this.messageEnd = this.pos = this.entryEnd = p + SUB_BATCH_ENTRY_HEADER_SIZE + size;
    }
    return true;
  }

  /** The current message or batch as a view (one Buffer object, no copy of the bytes). */
  get message(): Buffer {
    return this.buf.subarray(this.messageStart, this.messageEnd);
  }

  /** The current osiris entry as a view, header included. */
  get entry(): Buffer {
    return this.buf.subarray(this.entryStart, this.entryEnd);
  }

  /** The current filter value, decoded (allocates a string); null in v1 and for a null filter value. */
  get filterValue(): string | null {
    return this.filterStart < 0 ? null : this.buf.toString('utf8', this.filterStart, this.filterEnd);
  }

  /** Walks the entries once, checking each one's lengths against the frame, without moving the cursor. */
  private validate(): void {
    const b = this.buf;
    const end = this.end;
    const v2 = this.version === 2;
    let p = this.pos;
    for (let i = 0; i < this.left; i++) {
      if (end - p < PUBLISHING_ID_SIZE) this.truncated(i, 'publishing id');
      p += PUBLISHING_ID_SIZE;
      if (v2) {
        if (end - p < FILTER_LENGTH_SIZE) this.truncated(i, 'filter value');
        const n = (((b[p]! << 8) | b[p + 1]!) << 16) >> 16;
        p += FILTER_LENGTH_SIZE;
        if (n < -1) this.malformed(`message ${i + 1} of ${this.left}: filter value length ${n}`);
        if (n > 0) {
          if (end - p < n) this.truncated(i, 'filter value');
          p += n;
        }
      }
      if (end - p < SIMPLE_ENTRY_HEADER_SIZE) this.truncated(i, 'message size');
      let size: number;
      if (b[p]! < 0x80) {
        size = b.readUInt32BE(p);
        p += SIMPLE_ENTRY_HEADER_SIZE;
      } else {
        // RabbitMQ takes sub-entry batches in v1 only.
        if (v2) this.malformed(`message ${i + 1} of ${this.left}: sub-entry batch in Publish v2`);
        if (end - p < SUB_BATCH_ENTRY_HEADER_SIZE) this.truncated(i, 'sub-entry batch header');
        size = b.readUInt32BE(p + 7);
        p += SUB_BATCH_ENTRY_HEADER_SIZE;
      }
      if (end - p < size) this.truncated(i, 'message');
      p += size;
    }
    if (p !== end) this.malformed(`${end - p} bytes after the ${this.left} messages the count announces`);
  }

  private truncated(index: number, field: string): never {
    this.malformed(`message ${index + 1} of ${this.left}: truncated at its ${field}`);
  }

  private malformed(detail: string): never {
    throw new CommandDecodeError(CommandKey.Publish, this.version, 'malformed', detail);
  }
}

const EMPTY = Buffer.alloc(0);
