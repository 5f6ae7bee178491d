/**
 * CRC-32 (the zlib / IEEE 802.3 one) over ranges of a buffer without making a view per call.
 *
 * zlib.crc32 is native and fast on long inputs but takes a whole ArrayBufferView, so a range
 * costs a subarray() allocation plus a native call. The fixed part of a record is a few dozen
 * bytes: a table loop in JS is cheaper there, allocates nothing, and continues a zlib.crc32
 * value (same polynomial, same pre/post inversion), so the two can be chained either way.
 */
import { crc32 as nativeCrc32 } from 'node:zlib';

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** Below this many bytes the JS loop beats subarray() + a native call. */
const NATIVE_THRESHOLD = 96;

/** CRC-32 of buf[start, end), continuing from `crc` (0 to start). */
export function crc32Range(buf: Uint8Array, start: number, end: number, crc = 0): number {
  if (end - start >= NATIVE_THRESHOLD) return nativeCrc32(buf.subarray(start, end), crc);
  let c = ~crc;
  for (let i = start; i < end; i++) c = TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 of a whole buffer, continuing from `crc`. */
export function crc32Of(buf: Uint8Array, crc = 0): number {
  if (buf.length >= NATIVE_THRESHOLD) return nativeCrc32(buf, crc);
  return crc32Range(buf, 0, buf.length, crc);
}
