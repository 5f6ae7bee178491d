/**
 * Test-only: parses server -> client frames with Node's Buffer methods, the way a client
 * reads them (PROTOCOL.adoc's layouts), independently of the codec, for the writer tests.
 */
export class Cursor {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}
  u8(): number {
    return this.buf.readUInt8((this.pos += 1) - 1);
  }
  u16(): number {
    return this.buf.readUInt16BE((this.pos += 2) - 2);
  }
  u32(): number {
    return this.buf.readUInt32BE((this.pos += 4) - 4);
  }
  u64(): bigint {
    return this.buf.readBigUInt64BE((this.pos += 8) - 8);
  }
  i64(): bigint {
    return this.buf.readBigInt64BE((this.pos += 8) - 8);
  }
  str(): string {
    const n = this.u16();
    return this.buf.toString('utf8', this.pos, (this.pos += n));
  }
  raw(n: number): Buffer {
    return this.buf.subarray(this.pos, (this.pos += n));
  }
  strings(): string[] {
    return Array.from({ length: this.u32() }, () => this.str());
  }
  map(): Record<string, string> {
    const m: Record<string, string> = {};
    for (let n = this.u32(); n > 0; n--) {
      const k = this.str();
      m[k] = this.str();
    }
    return m;
  }
  get left(): number {
    return this.buf.length - this.pos;
  }
}

export interface ParsedFrame {
  key: number;
  version: number;
  /** The fields after key and version. */
  c: Cursor;
}

/** Splits a byte stream into frames, checking each size field against what follows. */
export function parseFrames(bytes: Buffer): ParsedFrame[] {
  const out: ParsedFrame[] = [];
  for (let off = 0; off < bytes.length; ) {
    const size = bytes.readUInt32BE(off);
    const frame = bytes.subarray(off + 4, off + 4 + size);
    if (frame.length !== size) throw new Error(`frame at ${off} declares ${size} bytes, ${frame.length} follow`);
    out.push({ key: frame.readUInt16BE(0), version: frame.readUInt16BE(2), c: new Cursor(frame, 4) });
    off += 4 + size;
  }
  return out;
}
