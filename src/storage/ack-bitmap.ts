/**
 * Which records of one segment are acked: one bit per 32 bytes of segment, since no two
 * records start within 32 bytes of each other (RECORD_FIXED_SIZE). It answers "acked?" for
 * read() in O(1), and makes a second ack of the same record a no-op so the segment's acked
 * count stays exact (a double-counted ack would delete a segment with live records in it).
 *
 * Grown on demand to the highest offset acked, so a segment acked only at its front, or a
 * segment holding one huge record, stays a few bytes. At most 32 KiB for an 8 MiB segment:
 * 4 bytes per KiB of queued data, less than one bit per byte of any record.
 */
import { RECORD_FIXED_SIZE } from './record.js';

const SHIFT = Math.log2(RECORD_FIXED_SIZE);

export class AckBitmap {
  private bits: Uint8Array;

  constructor(expectedBytes = 0) {
    this.bits = new Uint8Array(Math.max(16, Math.ceil((expectedBytes >>> SHIFT) / 8)));
  }

  has(offset: number): boolean {
    const bit = offset >>> SHIFT;
    const byte = bit >>> 3;
    return byte < this.bits.length && (this.bits[byte] & (1 << (bit & 7))) !== 0;
  }

  /** Sets the bit; false if it was already set. */
  set(offset: number): boolean {
    const bit = offset >>> SHIFT;
    const byte = bit >>> 3;
    if (byte >= this.bits.length) this.grow(byte + 1);
    const mask = 1 << (bit & 7);
    if (this.bits[byte] & mask) return false;
    this.bits[byte] |= mask;
    return true;
  }

  clear(offset: number): void {
    const bit = offset >>> SHIFT;
    const byte = bit >>> 3;
    if (byte < this.bits.length) this.bits[byte] &= ~(1 << (bit & 7));
  }

  get byteLength(): number {
    return this.bits.length;
  }

  private grow(minBytes: number): void {
    const next = new Uint8Array(Math.max(minBytes, this.bits.length * 2));
    next.set(this.bits);
    this.bits = next;
  }
}
