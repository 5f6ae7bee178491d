/**
 * Segment and ack file names and the segment file header.
 *
 * A segment file starts with 8 bytes: the magic "WRNS" and the format version (u32 LE),
 * then records back to back (record.ts). Its ack file holds the offsets (u32 LE) of the
 * segment's records that are done, appended in whatever order they were acked.
 *
 * Names are the segment id in 10 decimal digits, so a directory listing sorts by id:
 * 0000000001.seg and 0000000001.ack.
 */
import { join } from 'node:path';

export const SEGMENT_MAGIC = Buffer.from('WRNS', 'latin1');
/** 2: byte 11 of a record is its priority (reserved, always 0, in version 1). Both are read. */
export const SEGMENT_FORMAT_VERSION = 2;
export const OLDEST_SEGMENT_FORMAT_VERSION = 1;
export const SEGMENT_HEADER_SIZE = 8;
export const ACK_ENTRY_SIZE = 4;

const SEGMENT_NAME = /^(\d{10})\.seg$/;
const ACK_NAME = /^(\d{10})\.ack$/;

export function segmentFileName(id: number): string {
  return `${String(id).padStart(10, '0')}.seg`;
}

export function ackFileName(id: number): string {
  return `${String(id).padStart(10, '0')}.ack`;
}

export function segmentPath(dir: string, id: number): string {
  return join(dir, segmentFileName(id));
}

export function ackPath(dir: string, id: number): string {
  return join(dir, ackFileName(id));
}

/** The segment id a file name stands for, or -1 when it is not a segment file. */
export function parseSegmentName(name: string): number {
  const m = SEGMENT_NAME.exec(name);
  return m ? Number(m[1]) : -1;
}

/** The segment id an ack file name stands for, or -1. */
export function parseAckName(name: string): number {
  const m = ACK_NAME.exec(name);
  return m ? Number(m[1]) : -1;
}

export function writeSegmentHeader(buf: Buffer, off: number): number {
  SEGMENT_MAGIC.copy(buf, off);
  buf.writeUInt32LE(SEGMENT_FORMAT_VERSION, off + 4);
  return off + SEGMENT_HEADER_SIZE;
}

export type HeaderCheck =
  | { kind: 'ok'; version: number }
  /** Shorter than a header, or all zeros: created but never synced, so it held nothing confirmed. */
  | { kind: 'torn'; reason: string }
  /** Bytes that are no segment header of ours. */
  | { kind: 'garbage'; reason: string }
  /** A format this build does not read (written by a newer Warren). */
  | { kind: 'newer'; version: number };

/** Classifies the first bytes of a segment file (`length` of them valid in buf). */
export function checkSegmentHeader(buf: Buffer, length: number): HeaderCheck {
  const n = Math.min(length, SEGMENT_HEADER_SIZE);
  let zeros = true;
  for (let i = 0; i < n; i++) if (buf[i] !== 0) zeros = false;
  if (length < SEGMENT_HEADER_SIZE) {
    const prefixOk = zeros || buf.subarray(0, Math.min(n, 4)).equals(SEGMENT_MAGIC.subarray(0, Math.min(n, 4)));
    return prefixOk ? { kind: 'torn', reason: `segment header incomplete (${length} of ${SEGMENT_HEADER_SIZE} bytes)` }
      : { kind: 'garbage', reason: 'not a Warren segment (bad magic)' };
  }
  if (zeros) return { kind: 'torn', reason: 'segment header is zeroed' };
  if (!buf.subarray(0, 4).equals(SEGMENT_MAGIC)) return { kind: 'garbage', reason: 'not a Warren segment (bad magic)' };
  const version = buf.readUInt32LE(4);
  if (version >= OLDEST_SEGMENT_FORMAT_VERSION && version <= SEGMENT_FORMAT_VERSION) return { kind: 'ok', version };
  if (version > SEGMENT_FORMAT_VERSION && version < 0x10000) return { kind: 'newer', version };
  return { kind: 'garbage', reason: `unknown segment format version ${version}` };
}
