/**
 * Encoding primitives shared by the generated method encoders, field tables and
 * content headers. Plain functions over (buffer, offset) returning the end offset:
 * the caller has already sized the buffer exactly, so none of them bounds-check
 * beyond what a programming error would need (shortstr length).
 */

/** A shortstr is at most 255 bytes; a UTF-16 unit is at most 3 UTF-8 bytes, so 85 units always fit. */
const SHORTSTR_MAX = 255;
const SHORTSTR_SAFE_UNITS = 85;

const TWO_POW_32 = 0x1_0000_0000;

export function writeU8(buf: Buffer, off: number, v: number): number {
  buf[off] = v;
  return off + 1;
}

export function writeU16(buf: Buffer, off: number, v: number): number {
  buf[off] = v >>> 8;
  buf[off + 1] = v;
  return off + 2;
}

/** Also writes int32 values: the low 32 bits are the same either way. */
export function writeU32(buf: Buffer, off: number, v: number): number {
  buf[off] = v >>> 24;
  buf[off + 1] = v >>> 16;
  buf[off + 2] = v >>> 8;
  buf[off + 3] = v;
  return off + 4;
}

/**
 * Writes a 64-bit integer given as a JS number (exact up to 2^53). Works for
 * negative values too: floor division gives the two's-complement high word.
 */
export function writeU64(buf: Buffer, off: number, v: number): number {
  const hi = Math.floor(v / TWO_POW_32);
  const lo = v >>> 0;
  buf[off] = hi >>> 24;
  buf[off + 1] = hi >>> 16;
  buf[off + 2] = hi >>> 8;
  buf[off + 3] = hi;
  buf[off + 4] = lo >>> 24;
  buf[off + 5] = lo >>> 16;
  buf[off + 6] = lo >>> 8;
  buf[off + 7] = lo;
  return off + 8;
}

function tooLong(s: string, bytes: number): never {
  throw new RangeError(`shortstr is ${bytes} bytes, the limit is ${SHORTSTR_MAX}: ${JSON.stringify(s.slice(0, 40))}...`);
}

/** Encoded size of a shortstr (length octet + UTF-8 bytes); throws RangeError beyond 255 bytes. */
export function shortstrSize(s: string): number {
  const n = s.length <= SHORTSTR_SAFE_UNITS ? Buffer.byteLength(s, 'utf8') : checkedShortstrBytes(s);
  return 1 + n;
}

/**
 * At least shortstrSize(s) without measuring the string: 3 bytes per UTF-16 unit at most,
 * and never over 256 (a longer string is refused by writeShortstr before it writes).
 */
export function shortstrSizeBound(s: string): number {
  return 1 + Math.min(SHORTSTR_MAX, 3 * s.length);
}

function checkedShortstrBytes(s: string): number {
  const n = Buffer.byteLength(s, 'utf8');
  if (n > SHORTSTR_MAX) tooLong(s, n);
  return n;
}

/**
 * Writes a shortstr. Routing keys, exchange names and consumer tags are nearly
 * always ASCII and short, and a JS loop beats the native write call for those;
 * anything else goes through Buffer#write.
 */
export function writeShortstr(buf: Buffer, off: number, s: string): number {
  const units = s.length;
  const start = off + 1;
  if (units <= SHORTSTR_SAFE_UNITS) {
    let i = 0;
    for (; i < units; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[start + i] = c;
    }
    if (i === units) {
      buf[off] = units;
      return start + units;
    }
  } else {
    checkedShortstrBytes(s);
  }
  const n = buf.write(s, start, 'utf8');
  buf[off] = n;
  return start + n;
}

/** Encoded size of a longstr (u32 length + bytes). */
export function longstrSize(v: Buffer | string): number {
  return 4 + (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length);
}

/** At least longstrSize(v) without measuring a string. */
export function longstrSizeBound(v: Buffer | string): number {
  return 4 + (typeof v === 'string' ? 3 * v.length : v.length);
}

export function writeLongstr(buf: Buffer, off: number, v: Buffer | string): number {
  if (typeof v === 'string') {
    const n = buf.write(v, off + 4, 'utf8');
    writeU32(buf, off, n);
    return off + 4 + n;
  }
  writeU32(buf, off, v.length);
  v.copy(buf, off + 4);
  return off + 4 + v.length;
}

/**
 * Cuts a string to at most maxBytes of UTF-8 without splitting a character, e.g.
 * to fit an error text that embeds a 255-byte queue name into a shortstr.
 */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  const bytes = Buffer.from(s, 'utf8');
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a character start.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.toString('utf8', 0, end);
}
