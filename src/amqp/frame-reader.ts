/**
 * Bytes -> frames. AMQP 0-9-1 framing: type u8 | channel u16 | size u32 | payload | 0xCE,
 * preceded once by the 8-byte protocol header.
 *
 * Zero-copy: a frame lying wholly inside a socket chunk is handed over as (chunk, start,
 * end). A body frame split across chunks is handed over piece by piece, as its bytes
 * arrive (the content assembler joins pieces and frames alike, so a large message is
 * copied once, not twice). Any other split frame is assembled, into one buffer of
 * exactly its size, allocated once its 7-byte header is known. Limits are enforced from
 * that header, before any of the payload is buffered, so a peer cannot make us hold more
 * than frameMax.
 */
import { AmqpError } from './errors.js';
import { FRAME_END, FrameType, ReplyCode } from './spec.generated.js';

export interface FrameHandler {
  /** The first 8 bytes of the stream, whatever they are; the connection checks for "AMQP" 0 0 9 1. */
  onProtocolHeader(header: Buffer): void;
  /** Payload bounds buf[start, end). buf may be the socket chunk: copy what must outlive this call. */
  onMethod(channel: number, buf: Buffer, start: number, end: number): void;
  onHeader(channel: number, buf: Buffer, start: number, end: number): void;
  /** A body frame's payload, or a piece of it when the frame is split across chunks (pieces come in order). */
  onBody(channel: number, buf: Buffer, start: number, end: number): void;
  onHeartbeat(channel: number): void;
}

/** type u8 + channel u16 + size u32 */
export const FRAME_HEADER_SIZE = 7;
/** Header plus the frame-end octet: what a frame adds to its payload. */
export const FRAME_OVERHEAD = 8;
export const PROTOCOL_HEADER_SIZE = 8;

/**
 * RabbitMQ accepts a payload up to frame-max itself, not frame-max - 8, because "quite a
 * few clients get it wrong - off-by 1 or 8". Clients written against RabbitMQ may rely on
 * that, so we allow the same 8 bytes. Outgoing frames never use it (see FrameWriter).
 */
export const FRAME_SIZE_SLACK = 8;

export class FrameReader {
  /**
   * The negotiated frame-max: the largest whole frame (payload + 8) the peer may send.
   * 0 means no limit below 2^32 - 1; never use 0 with an untrusted peer, since a split
   * frame's buffer is allocated from its declared size.
   */
  frameMax: number;

  private readonly handler: FrameHandler;
  private stopped = false;

  /** The protocol header, collected until all 8 bytes have arrived. */
  private protocolHeader: Buffer | null = Buffer.alloc(PROTOCOL_HEADER_SIZE);
  private protocolHeaderFill = 0;

  /** A frame header split across chunks: the bytes seen so far (0 = at a frame boundary). */
  private readonly splitHeader = Buffer.alloc(FRAME_HEADER_SIZE);
  private splitHeaderFill = 0;

  /** A frame whose payload is split across chunks: payload + frame-end, filled as chunks come. */
  private partial: Buffer | null = null;
  private partialFill = 0;
  private partialType = 0;
  private partialChannel = 0;

  /** A body frame split across chunks: payload bytes still to come (then its frame-end), or -1. */
  private bodyLeft = -1;
  private bodyChannel = 0;
  private bodyFrameSize = 0;

  constructor(handler: FrameHandler, frameMax: number) {
    this.handler = handler;
    this.frameMax = frameMax;
  }

  /** True once stop() was called or an error was thrown: push() ignores everything from then on. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Ignore everything afterwards (the connection is closing). Safe to call from a handler callback. */
  stop(): void {
    this.stopped = true;
    this.partial = null;
  }

  /**
   * Processes every complete frame in chunk, keeping any incomplete tail for the next push.
   * Throws AmqpError 501 FRAME_ERROR on a framing violation (frames before it were already
   * delivered); whatever is thrown, from here or from a handler, stops the reader.
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
    if (this.protocolHeader !== null) {
      pos = this.collectProtocolHeader(chunk);
      if (this.stopped || pos === len) return;
    }
    if (this.splitHeaderFill !== 0 || this.partial !== null || this.bodyLeft >= 0) {
      pos = this.continueSplitFrame(chunk, pos);
      if (this.stopped || pos === len) return;
    }
    // The hot loop: whole frames inside this chunk, handed over in place.
    for (;;) {
      const left = len - pos;
      if (left < FRAME_HEADER_SIZE) {
        if (left > 0) {
          chunk.copy(this.splitHeader, 0, pos, len);
          this.splitHeaderFill = left;
        }
        return;
      }
      const type = chunk[pos]!;
      const channel = (chunk[pos + 1]! << 8) | chunk[pos + 2]!;
      const size = chunk[pos + 3]! * 0x100_0000 + ((chunk[pos + 4]! << 16) | (chunk[pos + 5]! << 8) | chunk[pos + 6]!);
      this.checkHeader(type, channel, size);
      const start = pos + FRAME_HEADER_SIZE;
      const end = start + size;
      if (end >= len) {
        if (type === FrameType.Body) {
          this.beginBody(channel, size, chunk, start);
          return;
        }
        this.beginPartial(type, channel, size);
        this.fillPartial(chunk, start);
        return;
      }
      if (chunk[end] !== FRAME_END) this.badFrameEnd(chunk[end]!, type, channel, size);
      this.dispatch(type, channel, chunk, start, end);
      if (this.stopped) return;
      pos = end + 1;
    }
  }

  private collectProtocolHeader(chunk: Buffer): number {
    const header = this.protocolHeader!;
    const n = Math.min(PROTOCOL_HEADER_SIZE - this.protocolHeaderFill, chunk.length);
    chunk.copy(header, this.protocolHeaderFill, 0, n);
    this.protocolHeaderFill += n;
    if (this.protocolHeaderFill === PROTOCOL_HEADER_SIZE) {
      this.protocolHeader = null;
      this.handler.onProtocolHeader(header);
    }
    return n;
  }

  /** Completes a frame begun in an earlier chunk; returns the position after what it consumed. */
  private continueSplitFrame(chunk: Buffer, pos: number): number {
    if (this.bodyLeft >= 0) return this.continueBody(chunk, pos);
    if (this.partial === null) {
      const n = Math.min(FRAME_HEADER_SIZE - this.splitHeaderFill, chunk.length - pos);
      chunk.copy(this.splitHeader, this.splitHeaderFill, pos, pos + n);
      this.splitHeaderFill += n;
      pos += n;
      if (this.splitHeaderFill < FRAME_HEADER_SIZE) return pos;
      this.splitHeaderFill = 0;
      const h = this.splitHeader;
      const type = h[0]!;
      const channel = (h[1]! << 8) | h[2]!;
      const size = h[3]! * 0x100_0000 + ((h[4]! << 16) | (h[5]! << 8) | h[6]!);
      this.checkHeader(type, channel, size);
      const end = pos + size;
      if (end < chunk.length) {
        // Only the header was split: the payload is whole in this chunk, so no copy.
        if (chunk[end] !== FRAME_END) this.badFrameEnd(chunk[end]!, type, channel, size);
        this.dispatch(type, channel, chunk, pos, end);
        return end + 1;
      }
      if (type === FrameType.Body) return this.beginBody(channel, size, chunk, pos);
      this.beginPartial(type, channel, size);
    }
    return this.fillPartial(chunk, pos);
  }

  private beginBody(channel: number, size: number, chunk: Buffer, pos: number): number {
    this.bodyChannel = channel;
    this.bodyFrameSize = size;
    this.bodyLeft = size;
    if (size === 0) {
      // An empty body frame is still a frame: hand it over like any other.
      this.handler.onBody(channel, chunk, pos, pos);
      if (this.stopped) return chunk.length;
    }
    return this.continueBody(chunk, pos);
  }

  /** Hands over what chunk has of a split body frame; checks its frame-end once the payload is through. */
  private continueBody(chunk: Buffer, pos: number): number {
    const n = Math.min(this.bodyLeft, chunk.length - pos);
    if (n > 0) {
      this.bodyLeft -= n;
      this.handler.onBody(this.bodyChannel, chunk, pos, pos + n);
      if (this.stopped) return chunk.length;
      pos += n;
    }
    if (this.bodyLeft > 0 || pos === chunk.length) return pos;
    if (chunk[pos] !== FRAME_END) this.badFrameEnd(chunk[pos]!, FrameType.Body, this.bodyChannel, this.bodyFrameSize);
    this.bodyLeft = -1;
    return pos + 1;
  }

  private beginPartial(type: number, channel: number, size: number): void {
    try {
      this.partial = Buffer.allocUnsafe(size + 1); // payload + frame-end octet
    } catch {
      // Only reachable with frameMax 0 and an absurd declared size.
      throw new AmqpError(ReplyCode.FRAME_ERROR, `cannot buffer a frame of ${size} bytes`);
    }
    this.partialFill = 0;
    this.partialType = type;
    this.partialChannel = channel;
  }

  /** Copies what chunk has of the partial frame; dispatches it once complete. */
  private fillPartial(chunk: Buffer, pos: number): number {
    const partial = this.partial!;
    const n = Math.min(partial.length - this.partialFill, chunk.length - pos);
    chunk.copy(partial, this.partialFill, pos, pos + n);
    this.partialFill += n;
    pos += n;
    if (this.partialFill === partial.length) {
      this.partial = null;
      const size = partial.length - 1;
      if (partial[size] !== FRAME_END) this.badFrameEnd(partial[size]!, this.partialType, this.partialChannel, size);
      this.dispatch(this.partialType, this.partialChannel, partial, 0, size);
    }
    return pos;
  }

  private dispatch(type: number, channel: number, buf: Buffer, start: number, end: number): void {
    switch (type) {
      case FrameType.Method:
        this.handler.onMethod(channel, buf, start, end);
        return;
      case FrameType.Header:
        this.handler.onHeader(channel, buf, start, end);
        return;
      case FrameType.Body:
        this.handler.onBody(channel, buf, start, end);
        return;
      default: // FrameType.Heartbeat: checkHeader let nothing else through
        this.handler.onHeartbeat(channel);
    }
  }

  /** Everything that can be refused from the 7-byte header alone, before buffering the payload. */
  private checkHeader(type: number, channel: number, size: number): void {
    if (type === FrameType.Method || type === FrameType.Header || type === FrameType.Body) {
      if (this.frameMax !== 0 && size > this.frameMax - FRAME_OVERHEAD + FRAME_SIZE_SLACK) {
        throw new AmqpError(
          ReplyCode.FRAME_ERROR,
          `type ${type}, channel ${channel}: {frame_too_large,${size + FRAME_OVERHEAD},${this.frameMax}} (frame exceeds the negotiated frame_max)`,
        );
      }
      return;
    }
    if (type === FrameType.Heartbeat) {
      if (channel !== 0) {
        throw new AmqpError(ReplyCode.UNEXPECTED_FRAME, `type 8, channel ${channel}: heartbeat frames belong on channel 0`);
      }
      if (size !== 0) throw new AmqpError(ReplyCode.FRAME_ERROR, `heartbeat frame with a ${size}-byte payload, must be empty`);
      return;
    }
    // RabbitMQ's wording, so operators can search for it: "type N, ...: unknown_frame".
    throw new AmqpError(ReplyCode.FRAME_ERROR, `type ${type}, channel ${channel}: unknown_frame`);
  }

  private badFrameEnd(octet: number, type: number, channel: number, size: number): never {
    throw new AmqpError(
      ReplyCode.FRAME_ERROR,
      `type ${type}, channel ${channel}, ${size}-byte payload: {invalid_frame_end_marker,${octet}} (expected 206 = 0xce)`,
    );
  }
}
