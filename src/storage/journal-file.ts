/**
 * The definitions journal: an append-only file of framed entries written in the sync cycles.
 *
 *   header: "WRNJ" | u32 LE format version | u64 LE generation
 *   entry:  u32 LE payload length | u32 LE CRC-32 of payload | payload (UTF-8 JSON)
 *
 * The generation ties a journal to the snapshot it continues: the snapshot is rewritten
 * before the journal is replaced, so a crash between the two leaves a journal of an older
 * generation beside a snapshot that already holds its entries; it is then skipped, never
 * replayed on top.
 */
import { openSync, writevSync } from 'node:fs';
import type { Logger } from '../log.js';
import { crc32Of } from './crc32.js';
import { FileTarget } from './file-target.js';
import { readU64 } from './record.js';
import type { SyncScheduler } from './sync-scheduler.js';

export const JOURNAL_MAGIC = Buffer.from('WRNJ', 'latin1');
export const JOURNAL_FORMAT_VERSION = 1;
export const JOURNAL_HEADER_SIZE = 16;
const FRAME_HEADER_SIZE = 8;
/** A definition is small; a bigger length is a damaged frame, not an entry. */
export const MAX_JOURNAL_ENTRY = 64 * 1024 * 1024;

export function journalHeader(generation: number): Buffer {
  const b = Buffer.alloc(JOURNAL_HEADER_SIZE);
  JOURNAL_MAGIC.copy(b, 0);
  b.writeUInt32LE(JOURNAL_FORMAT_VERSION, 4);
  b.writeUInt32LE(generation >>> 0, 8);
  b.writeUInt32LE(Math.floor(generation / 0x1_0000_0000), 12);
  return b;
}

export function frameEntry(payload: string): Buffer {
  const len = Buffer.byteLength(payload, 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_HEADER_SIZE + len);
  frame.write(payload, FRAME_HEADER_SIZE, 'utf8');
  frame.writeUInt32LE(len, 0);
  frame.writeUInt32LE(crc32Of(frame.subarray(FRAME_HEADER_SIZE)), 4);
  return frame;
}

export interface JournalContents {
  /** null: no header of ours (missing, torn or foreign file). */
  generation: number | null;
  entries: string[];
}

/** Reads the entries of a journal file's bytes; damage is logged and skipped, a torn tail dropped. */
export function parseJournal(bytes: Buffer, file: string, log: Logger): JournalContents {
  if (bytes.length < JOURNAL_HEADER_SIZE || !bytes.subarray(0, 4).equals(JOURNAL_MAGIC)) {
    if (bytes.length > 0) log.warn({ file, offset: 0, bytes: bytes.length }, 'journal has no valid header; ignoring it');
    return { generation: null, entries: [] };
  }
  const version = bytes.readUInt32LE(4);
  if (version !== JOURNAL_FORMAT_VERSION) {
    throw new Error(`journal ${file} is in format version ${version}; this Warren reads version ${JOURNAL_FORMAT_VERSION}`);
  }
  const generation = readU64(bytes, 8);
  const entries: string[] = [];
  let off = JOURNAL_HEADER_SIZE;
  while (off < bytes.length) {
    const left = bytes.length - off;
    const len = left >= FRAME_HEADER_SIZE ? bytes.readUInt32LE(off) : -1;
    if (len <= 0 || len > MAX_JOURNAL_ENTRY || FRAME_HEADER_SIZE + len > left) {
      const reason = len === 0 ? 'zeroed bytes' : len < 0 ? 'partial frame header' : `entry length ${len} runs past the end`;
      log.warn({ file, offset: off, reason, bytesDropped: left }, 'torn tail in the definitions journal; dropped');
      break;
    }
    const payload = bytes.subarray(off + FRAME_HEADER_SIZE, off + FRAME_HEADER_SIZE + len);
    if (crc32Of(payload) !== bytes.readUInt32LE(off + 4)) {
      log.error({ file, offset: off }, 'definitions journal entry fails its checksum; skipped');
    } else entries.push(payload.toString('utf8'));
    off += FRAME_HEADER_SIZE + len;
  }
  return { generation, entries };
}

/** The open journal: entries are buffered and written at the file's end in the sync cycles. */
export class JournalFile extends FileTarget {
  size: number;
  private pending: Buffer[] = [];
  private pendingLength = 0;

  constructor(file: string, size: number, sync: SyncScheduler) {
    super(file, openSync(file, 'r+'), sync);
    this.size = size;
  }

  get pendingBytes(): number {
    return this.pendingLength;
  }

  /** Queues an entry; returns the epoch after which it is durable. */
  append(frame: Buffer): number {
    this.pending.push(frame);
    this.pendingLength += frame.length;
    return this.markDirty();
  }

  protected writeBuffered(): void {
    while (this.pending.length > 0) {
      const n = writevSync(this.fd, this.pending, this.size);
      this.size += n;
      this.pendingLength -= n;
      let left = n;
      while (left > 0 && left >= this.pending[0].length) left -= this.pending.shift()!.length;
      if (left > 0) this.pending[0] = this.pending[0].subarray(left);
    }
  }

  protected discardBuffered(): void {
    this.pending = [];
    this.pendingLength = 0;
  }
}
