/**
 * Bytes -> frames. Stream protocol framing: size u32 (bytes after the size field), then
 * key u16 and version u16, then the command's fields. No preamble, no end marker.
 *
 * Zero-copy: a frame lying wholly inside a socket chunk is handed over as a view of that
 * chunk. A frame split across chunks is copied once, into a buffer of exactly its size,
 * allocated when its size field has arrived and been checked. The size is checked before
 * anything is buffered, so a peer cannot make us hold more than frameMax.
 */
import { INITIAL_FRAME_MAX } from './constants.js';
import { FrameSizeError } from './errors.js';

export interface FrameHandler {
  /**
   * One whole frame: its key (0x8000 set for a response) and version, and its fields in
   * buf[start, end). buf may be the socket chunk: copy what must outlive this call.
   */
  onFrame(key: number, version: number, buf: Buffer, start: number, end: number): void;
}

/** The size field. */
export const FRAME_SIZE_FIELD = 4;
/** Key + version: the least a frame can hold. */
export const FRAME_HEADER_SIZE = 4;

export class FrameReader {
  /**
   * The largest frame size (the size field's value, which excludes the field itself) the
   * peer may send, as RabbitMQ counts it; 0 = no limit. Starts at INITIAL_FRAME_MAX, as
   * RabbitMQ does until Open succeeds; then the value negotiated in Tune. Never 0 for an
   * untrusted peer: a split frame's buffer is allocated from its declared size.
   */
  frameMax: number;

  private readonly handler: FrameHandler;
  private stopped = false;

  /** A size field split across chunks: its bytes so far (0 = at a frame boundary). */
  private readonly splitSize = Buffer.alloc(FRAME_SIZE_FIELD);
  private splitSizeFill = 0;

  /** A frame split across chunks (everything after the size field), filled as chunks come. */
  private partial: Buffer | null = null;
  private partialFill = 0;

  constructor(handler: FrameHandler, frameMax: number = INITIAL_FRAME_MAX) {
    this.handler = handler;
    this.frameMax = frameMax;
  }

  /** True once stop() was called or an error was thrown: push() ignores everything from then on. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Bytes held for an incomplete frame (0 at a frame boundary). */
  get bufferedBytes(): number {
    return this.partial !== null ? FRAME_SIZE_FIELD + this.partialFill : this.splitSizeFill;
  }

  /** Ignore everything afterwards (the connection is closing). Safe to call from the handler. */
  stop(): void {
    this.stopped = true;
    this.partial = null;
  }

  /**
   * Hands every complete frame in chunk to the handler, keeping an incomplete tail for the
   * next push. Throws FrameSizeError for a refused size field (frames before it were
   * delivered); whatever is thrown, from here or from the handler, stops the reader.
   */
  push(chunk: Buffer): void {
    if (this.stopped) return;
    try {
      this.process(chunk);
    } catch (err) {
      this.stop();
      throw err;
    }
  }

  private process(chunk: Buffer): void {
    const len = chunk.length;
    let pos = 0;
    if (this.splitSizeFill !== 0 || this.partial !== null) {
      pos = this.continueSplitFrame(chunk);
      if (this.stopped || pos === len) return;
    }
    // The hot loop: whole frames inside this chunk, handed over in place.
    for (;;) {
      const left = len - pos;
      if (left < FRAME_SIZE_FIELD) {
        if (left > 0) {
          chunk.copy(this.splitSize, 0, pos, len);
          this.splitSizeFill = left;
        }
        return;
      }
      const size = chunk[pos]! * 0x100_0000 + ((chunk[pos + 1]! << 16) | (chunk[pos + 2]! << 8) | chunk[pos + 3]!);
      this.checkSize(size);
      const start = pos + FRAME_SIZE_FIELD;
      const end = start + size;
      if (end > len) {
        this.beginPartial(size);
        this.fillPartial(chunk, start);
        return;
      }
      this.dispatch(chunk, start, end);
      if (this.stopped) return;
      pos = end;
    }
  }

  /** Completes a frame begun in an earlier chunk; returns the position after what it consumed. */
  private continueSplitFrame(chunk: Buffer): number {
    let pos = 0;
    if (this.partial === null) {
      const n = Math.min(FRAME_SIZE_FIELD - this.splitSizeFill, chunk.length);
      chunk.copy(this.splitSize, this.splitSizeFill, 0, n);
      this.splitSizeFill += n;
      pos = n;
      if (this.splitSizeFill < FRAME_SIZE_FIELD) return pos;
      this.splitSizeFill = 0;
      const size = this.splitSize.readUInt32BE(0);
      this.checkSize(size);
      const end = pos + size;
      if (end <= chunk.length) {
        // Only the size field was split: the rest is whole in this chunk, so no copy.
        this.dispatch(chunk, pos, end);
        return end;
      }
      this.beginPartial(size);
    }
    return this.fillPartial(chunk, pos);
  }

  private beginPartial(size: number): void {
    try {
      this.partial = Buffer.allocUnsafe(size);
    } catch {
      // Only reachable with frameMax 0 and an absurd declared size.
      throw new FrameSizeError(size, this.frameMax);
    }
    this.partialFill = 0;
  }

  /** Copies what chunk has of the split frame; dispatches it once complete. */
  private fillPartial(chunk: Buffer, pos: number): number {
    const partial = this.partial!;
    const n = Math.min(partial.length - this.partialFill, chunk.length - pos);
    chunk.copy(partial, this.partialFill, pos, pos + n);
    this.partialFill += n;
    pos += n;
    if (this.partialFill === partial.length) {
      this.partial = null;
      this.dispatch(partial, 0, partial.length);
    }
    return pos;
  }

  private dispatch(buf: Buffer, start: number, end: number): void {
    const key = (buf[start]! << 8) | buf[start + 1]!;
    const version = (buf[start + 2]! << 8) | buf[start + 3]!;
    this.handler.onFrame(key, version, buf, start + FRAME_HEADER_SIZE, end);
  }

  /** Everything refused from the size field alone, before buffering the frame. */
  private checkSize(size: number): void {
    if (size < FRAME_HEADER_SIZE || (this.frameMax !== 0 && size > this.frameMax)) {
      throw new FrameSizeError(size, this.frameMax);
    }
  }
}
