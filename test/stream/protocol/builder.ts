/**
 * Test-only: builds frames field by field with Node's own Buffer methods, independently of
 * the codec's writers, so a round trip cannot hide a bug both sides share.
 */
export class FrameBuilder {
  private readonly parts: Buffer[] = [];

  u8(v: number): this {
    return this.push(Buffer.from([v]));
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    return this.push(b);
  }
  i16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.push(b);
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v);
    return this.push(b);
  }
  i32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return this.push(b);
  }
  u64(v: number | bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(v));
    return this.push(b);
  }
  i64(v: number | bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(v));
    return this.push(b);
  }
  /** int16 length + UTF-8; null as length -1. */
  str(s: string | null): this {
    if (s === null) return this.i16(-1);
    const b = Buffer.from(s, 'utf8');
    return this.u16(b.length).push(b);
  }
  /** int32 length + bytes; null as length -1. */
  bytes(b: Buffer | null): this {
    if (b === null) return this.i32(-1);
    return this.u32(b.length).push(b);
  }
  strings(list: readonly string[]): this {
    this.u32(list.length);
    for (const s of list) this.str(s);
    return this;
  }
  map(m: Record<string, string>): this {
    const keys = Object.keys(m);
    this.u32(keys.length);
    for (const k of keys) this.str(k).str(m[k]!);
    return this;
  }
  raw(b: Buffer): this {
    return this.push(b);
  }
  /** The fields built so far. */
  fields(): Buffer {
    return Buffer.concat(this.parts);
  }
  /** A whole frame: size, key, version, the fields. */
  frame(key: number, version = 1): Buffer {
    const body = this.fields();
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length + 4, 0);
    head.writeUInt16BE(key, 4);
    head.writeUInt16BE(version, 6);
    return Buffer.concat([head, body]);
  }
  private push(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
}

/** Deterministic PRNG (mulberry32) so fuzz failures reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A frame's parts as FrameReader hands them over: key, version, fields. */
export function splitFrame(frame: Buffer): { key: number; version: number; fields: Buffer } {
  return { key: frame.readUInt16BE(4), version: frame.readUInt16BE(6), fields: frame.subarray(8) };
}
