/**
 * What a stream remembers besides its messages, kept in the stream itself so it is exactly
 * as durable as they are: the last publishing id of each named publisher (deduplication)
 * and the stored offset of each named consumer. Publisher sequences ride in the trailer of
 * the chunk that carried the publisher's messages; consumer offsets go in tracking-delta
 * chunks; a snapshot of both opens every new segment, so retention never loses them.
 *
 * Entry layout (big-endian): u8 kind | u8 reference length | reference (UTF-8) | u64 value.
 */
import { readU64, writeU64 } from './chunk.js';

export const TrackingKind = { Sequence: 0, Offset: 1 } as const;

/** References are at most 255 bytes on the wire and here. */
export const MAX_REFERENCE_BYTES = 255;

export class TrackingState {
  /** Publisher reference -> last publishing id written. */
  readonly sequences = new Map<string, number>();
  /** Consumer reference -> stored offset. */
  readonly offsets = new Map<string, number>();

  get isEmpty(): boolean {
    return this.sequences.size === 0 && this.offsets.size === 0;
  }

  /** Applies entries read from a trailer or a tracking chunk. */
  apply(buf: Buffer, start: number, end: number): void {
    let at = start;
    while (at + 2 <= end) {
      const kind = buf[at]!;
      const length = buf[at + 1]!;
      const idEnd = at + 2 + length;
      if (idEnd + 8 > end) throw new Error(`tracking entry at ${at - start} is truncated`);
      const reference = buf.toString('utf8', at + 2, idEnd);
      const value = readU64(buf, idEnd);
      if (kind === TrackingKind.Sequence) this.sequences.set(reference, value);
      else if (kind === TrackingKind.Offset) this.offsets.set(reference, value);
      at = idEnd + 8;
    }
  }

  /** Every entry, encoded (a snapshot). */
  snapshot(): Buffer {
    const entries: Buffer[] = [];
    for (const [reference, value] of this.sequences) entries.push(encodeTrackingEntry(TrackingKind.Sequence, reference, value));
    for (const [reference, value] of this.offsets) entries.push(encodeTrackingEntry(TrackingKind.Offset, reference, value));
    return Buffer.concat(entries);
  }
}

export function encodeTrackingEntry(kind: number, reference: string, value: number): Buffer {
  const id = Buffer.from(reference, 'utf8');
  if (id.length > MAX_REFERENCE_BYTES) throw new RangeError(`tracking reference longer than ${MAX_REFERENCE_BYTES} bytes`);
  const buf = Buffer.allocUnsafe(2 + id.length + 8);
  buf[0] = kind;
  buf[1] = id.length;
  id.copy(buf, 2);
  writeU64(buf, 2 + id.length, value);
  return buf;
}
