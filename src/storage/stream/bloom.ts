/**
 * A chunk's bloom filter over the filter values of its records (stream filtering): a
 * reader whose filter matches none of them skips the chunk without reading its data.
 * Two hash bits per value in 1..bits-1; bit 0 marks a chunk holding records without a
 * filter value (for readers that also want those). The filter never leaves the broker
 * (Deliver skips it), so the hash functions are ours.
 */

export const MIN_FILTER_SIZE = 16;
export const MAX_FILTER_SIZE = 255;
export const DEFAULT_FILTER_SIZE = 16;

/** Collects a chunk's filter values while it fills; `write` lays out the filter. */
export class BloomBuilder {
  private values = new Set<string>();
  private unfiltered = false;

  /** A record's filter value; undefined or '' for a record without one. */
  add(value: string | undefined): void {
    if (value === undefined || value === '') this.unfiltered = true;
    else this.values.add(value);
  }

  /** Whether the chunk needs a filter (some record had a value). */
  get needed(): boolean {
    return this.values.size > 0;
  }

  /** Writes a filter of `size` bytes at buf[at]; call only when `needed`. */
  write(buf: Buffer, at: number, size: number): void {
    buf.fill(0, at, at + size);
    const bits = size * 8;
    if (this.unfiltered) buf[at] = buf[at]! | 1;
    for (const value of this.values) {
      const [h1, h2] = hashes(value, bits);
      buf[at + (h1 >>> 3)] = buf[at + (h1 >>> 3)]! | (1 << (h1 & 7));
      buf[at + (h2 >>> 3)] = buf[at + (h2 >>> 3)]! | (1 << (h2 & 7));
    }
  }

  reset(): void {
    this.values.clear();
    this.unfiltered = false;
  }
}

/** A reader's filter: does a chunk with this bloom filter maybe hold a record it wants? */
export class BloomMatcher {
  private readonly byBits = new Map<number, [number, number][]>();

  constructor(
    readonly values: readonly string[],
    readonly matchUnfiltered: boolean,
  ) {}

  /** `filter` is buf[at, at + size); a chunk without a filter (size 0) holds only unfiltered records. */
  matches(buf: Buffer, at: number, size: number): boolean {
    if (size === 0) return this.matchUnfiltered;
    if (this.matchUnfiltered && (buf[at]! & 1) !== 0) return true;
    const bits = size * 8;
    let hashed = this.byBits.get(bits);
    if (hashed === undefined) {
      hashed = this.values.map((v) => hashes(v, bits));
      this.byBits.set(bits, hashed);
    }
    for (const [h1, h2] of hashed) {
      if ((buf[at + (h1 >>> 3)]! & (1 << (h1 & 7))) !== 0 && (buf[at + (h2 >>> 3)]! & (1 << (h2 & 7))) !== 0) return true;
    }
    return false;
  }
}

/** Two bit numbers in 1..bits-1 for a value (FNV-1a and a second, differently seeded, mix). */
function hashes(value: string, bits: number): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  const range = bits - 1;
  return [((a >>> 0) % range) + 1, ((b >>> 0) % range) + 1];
}
