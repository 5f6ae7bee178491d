/**
 * Frames -> buffers for the socket, batched so a connection makes one write per turn of
 * the event loop. Socket-agnostic: the connection queues frames during a turn, then
 * take()s the batch and writes it (writev, or cork/uncork).
 *
 * Small frames are encoded into a slab shared by every writer in the process (one
 * thread writes them all), so an idle connection holds no output memory. Each writer
 * owns the region it is extending; when another writer wrote in between, it closes its
 * region and starts a new one further on. Regions handed out by take() are never written
 * again: the shared position only moves forward, and a full slab is left to the regions
 * that still reference it while a fresh one takes over. A large body slice is queued as
 * its own buffer, zero-copy, with its frame header and end octet in the slab around it.
 */
import { contentHeaderSize, writeContentHeader } from './content.js';
import { writeU16, writeU32 } from './byte-writer.js';
import { FRAME_END, FrameType, encodedMethodSizeBound, encodeMethod, type BasicProperties, type Method } from './spec.generated.js';
import { FRAME_HEADER_SIZE, FRAME_OVERHEAD } from './frame-reader.js';

/** Slab size: many frames per allocation, and per write for a busy connection. */
export const SLAB_SIZE = 64 * 1024;

/**
 * Body slices at least this big are queued by reference instead of copied. Copying is
 * cheap for small bodies and one contiguous write beats many tiny iovecs; past a few KiB
 * the copy costs more than the extra iovec entry.
 */
export const BODY_COPY_THRESHOLD = 4 * 1024;

/** Largest payload a frame can declare (u32 size) when frameMax is 0 (unlimited). */
const MAX_PAYLOAD = 0xffff_ffff;

/** The process-wide slab and how far it is filled. */
const shared = { slab: Buffer.allocUnsafeSlow(SLAB_SIZE), pos: 0 };
const NO_SLAB = Buffer.alloc(0);

export class FrameWriter {
  /** The negotiated frame-max; body frames carry at most frameMax - 8 bytes of payload. 0 = no limit. */
  frameMax: number;

  /** The slab this writer's open region is in (the shared one, unless another took over since). */
  private slab: Buffer = NO_SLAB;
  /** Where this writer's next byte goes in its slab. */
  private slabPos = 0;
  /** Start of the slab region written since it was last queued; [regionStart, slabPos) is pending. */
  private regionStart = 0;
  /** Buffers queued since the last take(), in order, not counting the pending slab region. */
  private queue: Buffer[] = [];
  private queuedBytes = 0;

  constructor(frameMax: number) {
    this.frameMax = frameMax;
  }

  /** Bytes waiting for the next take(). */
  get pendingBytes(): number {
    return this.queuedBytes + (this.slabPos - this.regionStart);
  }

  /** A method frame. Throws RangeError (queuing nothing) for a shortstr over 255 bytes. */
  method(channel: number, m: Method): void {
    // Room for the worst case, then the real size from where encoding ended: cheaper than
    // measuring every string first with encodedMethodSize.
    const start = this.reserve(encodedMethodSizeBound(m) + FRAME_OVERHEAD);
    const slab = this.slab;
    const payloadStart = start + FRAME_HEADER_SIZE;
    const end = encodeMethod(slab, payloadStart, m);
    writeFrameHeader(slab, start, FrameType.Method, channel, end - payloadStart);
    slab[end] = FRAME_END;
    this.commit(end + 1);
  }

  /** A content header frame whose payload (class-id .. properties) is forwarded exactly as received. */
  contentHeaderRaw(channel: number, payload: Buffer): void {
    const size = payload.length;
    if (size >= BODY_COPY_THRESHOLD) {
      this.frameAround(FrameType.Header, channel, payload);
      return;
    }
    let off = this.reserve(size + FRAME_OVERHEAD);
    const slab = this.slab;
    off = writeFrameHeader(slab, off, FrameType.Header, channel, size);
    payload.copy(slab, off);
    slab[off + size] = FRAME_END;
    this.commit(off + size + 1);
  }

  /** A content header frame encoded from properties (messages the server builds itself). */
  contentHeader(channel: number, classId: number, bodySize: number, props: BasicProperties): void {
    const size = contentHeaderSize(props);
    let off = this.reserve(size + FRAME_OVERHEAD);
    const slab = this.slab;
    off = writeFrameHeader(slab, off, FrameType.Header, channel, size);
    off = writeContentHeader(slab, off, classId, bodySize, props);
    slab[off] = FRAME_END;
    this.commit(off + 1);
  }

  /**
   * Body frames for bodySize bytes taken from body (one buffer, or several in order, e.g.
   * the frames a publish arrived in). Each frame carries at most frameMax - 8 bytes and may
   * span buffers. An empty body produces no frame at all, as the spec requires.
   */
  body(channel: number, body: Buffer | readonly Buffer[], bodySize: number): void {
    if (bodySize === 0) return;
    const maxPayload = this.frameMax === 0 ? MAX_PAYLOAD : this.frameMax - FRAME_OVERHEAD;
    if (maxPayload <= 0) throw new RangeError(`frameMax ${this.frameMax} leaves no room for a body`);

    if (Buffer.isBuffer(body)) {
      if (body.length !== bodySize) throw new RangeError(`body is ${body.length} bytes, bodySize says ${bodySize}`);
      for (let off = 0; off < bodySize; off += maxPayload) {
        const n = Math.min(maxPayload, bodySize - off);
        this.bodyFrameStart(channel, n);
        this.bodyBytes(body, off, off + n);
        this.frameEnd();
      }
      return;
    }

    // Several buffers: check the total first so a mismatch cannot leave half a body queued,
    // then walk them with a cursor (part index + offset inside it).
    const parts = body as readonly Buffer[];
    let total = 0;
    for (const p of parts) total += p.length;
    if (total !== bodySize) throw new RangeError(`body buffers hold ${total} bytes, bodySize says ${bodySize}`);
    let part = 0;
    let partOff = 0;
    for (let left = bodySize; left > 0; ) {
      const n = Math.min(maxPayload, left);
      this.bodyFrameStart(channel, n);
      for (let need = n; need > 0; ) {
        const buf = parts[part]!;
        const take = Math.min(need, buf.length - partOff);
        this.bodyBytes(buf, partOff, partOff + take);
        need -= take;
        partOff += take;
        if (partOff === buf.length) {
          part++;
          partOff = 0;
        }
      }
      this.frameEnd();
      left -= n;
    }
  }

  /** type 8, channel 0, size 0, frame-end. */
  heartbeat(): void {
    let off = this.reserve(FRAME_OVERHEAD);
    const slab = this.slab;
    off = writeFrameHeader(slab, off, FrameType.Heartbeat, 0, 0);
    slab[off] = FRAME_END;
    this.commit(off + 1);
  }

  /** Bytes sent as they are, e.g. the protocol header sent back to a client that offered another version. */
  raw(bytes: Buffer): void {
    if (bytes.length >= BODY_COPY_THRESHOLD) {
      this.enqueue(bytes);
      return;
    }
    const off = this.reserve(bytes.length);
    bytes.copy(this.slab, off);
    this.commit(off + bytes.length);
  }

  /**
   * Everything queued since the last take, in order, or null if nothing. Consecutive slab
   * writes come out as one buffer. The buffers stay valid: nothing written later touches them.
   */
  take(): Buffer[] | null {
    this.flushRegion();
    if (this.queue.length === 0) return null;
    const out = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    return out;
  }

  // ------------------------------------------------------------ internals

  /** Makes room for n contiguous bytes in the shared slab; returns the offset to write at. */
  private reserve(n: number): number {
    if (this.slab !== shared.slab || this.slabPos !== shared.pos) {
      // Another writer wrote since (or the slab was replaced): continue in a new region.
      this.flushRegion();
      this.slab = shared.slab;
      this.slabPos = this.regionStart = shared.pos;
    }
    if (this.slab.length - this.slabPos < n) {
      this.flushRegion();
      shared.slab = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, n));
      shared.pos = 0;
      this.slab = shared.slab;
      this.slabPos = this.regionStart = 0;
    }
    return this.slabPos;
  }

  /** The bytes up to `end` are written: this writer's region and the shared slab grow to it. */
  private commit(end: number): void {
    this.slabPos = shared.pos = end;
  }

  /** Queues the pending slab region, so it is handed out before whatever is queued next. */
  private flushRegion(): void {
    if (this.slabPos > this.regionStart) {
      this.queue.push(this.slab.subarray(this.regionStart, this.slabPos));
      this.queuedBytes += this.slabPos - this.regionStart;
      this.regionStart = this.slabPos;
    }
  }

  /** Queues an outside buffer by reference, after everything written so far. */
  private enqueue(buf: Buffer): void {
    this.flushRegion();
    this.queue.push(buf);
    this.queuedBytes += buf.length;
  }

  private bodyFrameStart(channel: number, size: number): void {
    const off = this.reserve(FRAME_HEADER_SIZE);
    this.commit(writeFrameHeader(this.slab, off, FrameType.Body, channel, size));
  }

  private bodyBytes(buf: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n >= BODY_COPY_THRESHOLD) {
      this.enqueue(start === 0 && end === buf.length ? buf : buf.subarray(start, end));
      return;
    }
    const off = this.reserve(n);
    buf.copy(this.slab, off, start, end);
    this.commit(off + n);
  }

  private frameEnd(): void {
    const off = this.reserve(1);
    this.slab[off] = FRAME_END;
    this.commit(off + 1);
  }

  /** A frame whose payload is queued by reference between a slab header and a slab end octet. */
  private frameAround(type: number, channel: number, payload: Buffer): void {
    const off = this.reserve(FRAME_HEADER_SIZE);
    this.commit(writeFrameHeader(this.slab, off, type, channel, payload.length));
    this.enqueue(payload);
    this.frameEnd();
  }
}

function writeFrameHeader(buf: Buffer, off: number, type: number, channel: number, size: number): number {
  buf[off] = type;
  off = writeU16(buf, off + 1, channel);
  return writeU32(buf, off, size);
}
