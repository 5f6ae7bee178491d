/**
 * Byte moves for the mapping's hot paths. Buffer#copy and Buffer#writeUInt32BE validate
 * their arguments in JS before doing any work, which costs more than the work itself for
 * the few bytes of a key or a number; callers have sized everything already.
 */

/** Copies src[at, at + n) to out[p...]; returns p + n. */
export function copyInto(out: Buffer, p: number, src: Buffer, at: number, n: number): number {
  if (n <= 32) {
    for (let i = 0; i < n; i++) out[p + i] = src[at + i]!;
  } else if (at === 0 && n === src.length) {
    out.set(src, p);
  } else {
    src.copy(out, p, at, at + n);
  }
  return p + n;
}

/** Copies all of a constant (or any whole buffer); returns p + its length. */
export function copyAll(out: Buffer, p: number, src: Buffer): number {
  out.set(src, p);
  return p + src.length;
}

/** UTF-8 length of a string, without a native call for the ASCII ones (nearly every name and key). */
export function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

/** Writes a 32-bit value (unsigned, or the bits of a signed one) big-endian; returns p + 4. */
export function put32(out: Buffer, p: number, v: number): number {
  out[p] = v >>> 24;
  out[p + 1] = v >>> 16;
  out[p + 2] = v >>> 8;
  out[p + 3] = v;
  return p + 4;
}
