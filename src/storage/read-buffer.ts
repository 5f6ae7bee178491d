/**
 * One read buffer for every log in the process: reads are synchronous, so they never
 * overlap, and 10,000 queues must not cost 10,000 MiB of buffers. Segment bytes are read
 * into it in large sequential chunks (one pread per chunk, not per record) and remembered
 * by (owner, segment id, range): the next read of the same log usually finds its bytes
 * already there. Bytes of a segment file never change once written (append-only; recovery
 * truncates before anyone reads), so a remembered range stays true.
 */
import { readSync } from 'node:fs';

export const READ_CHUNK_SIZE = 1024 * 1024;

const scratch = Buffer.allocUnsafeSlow(READ_CHUNK_SIZE);
let cachedOwner: object | null = null;
let cachedSegment = -1;
let cachedStart = 0;
let cachedEnd = 0;

export function readBuffer(): Buffer {
  return scratch;
}

/**
 * Makes file bytes [offset, offset + need) available in the read buffer and returns where
 * they start in it. Reads max(need, want) bytes, clipped to the chunk size and to `limit`
 * (the end of the valid data in the file). need must be <= READ_CHUNK_SIZE. Returns -1 if
 * the file ended before offset + need (shorter than the caller believed).
 */
export function readThrough(owner: object, segment: number, fd: number, offset: number, need: number, limit: number, want: number): number {
  if (owner === cachedOwner && segment === cachedSegment && offset >= cachedStart && offset + need <= cachedEnd) {
    return offset - cachedStart;
  }
  const length = Math.min(READ_CHUNK_SIZE, limit - offset, Math.max(need, want));
  cachedOwner = null;
  const got = readFully(fd, scratch, 0, length, offset);
  cachedOwner = owner;
  cachedSegment = segment;
  cachedStart = offset;
  cachedEnd = offset + got;
  return got >= need ? 0 : -1;
}

/** Forgets what the buffer holds for this owner (a log closed, or its files were rewritten). */
export function forgetReads(owner: object): void {
  if (cachedOwner === owner) cachedOwner = null;
}

/** Reads until `length` bytes or end of file; returns how many were read. */
export function readFully(fd: number, buf: Buffer, at: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, at + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** CRC-32 of file bytes [start, end) streamed through the read buffer (a record too big for it). */
export function crcOfFileRange(fd: number, start: number, end: number, crc: number, crcFn: (b: Buffer, crc: number) => number): number {
  cachedOwner = null;
  for (let at = start; at < end; ) {
    const n = readFully(fd, scratch, 0, Math.min(READ_CHUNK_SIZE, end - at), at);
    if (n === 0) return -1;
    crc = crcFn(scratch.subarray(0, n), crc);
    at += n;
  }
  return crc;
}
