/**
 * Server frames -> buffers for the socket, batched so a connection makes one write per
 * turn of the event loop: queue frames during the turn, then take() the batch and write
 * it (writev, or cork/uncork). Socket-agnostic.
 *
 * Same scheme as the AMQP writer: small frames are encoded into a slab shared by every
 * stream writer in the process (one thread writes them all), so an idle connection holds
 * no output memory. A writer extends its own region of the slab while nobody else wrote
 * in between, else starts a new one further on; regions handed out by take() are never
 * written again. A Deliver's chunk data of DATA_COPY_THRESHOLD bytes or more is queued by
 * reference, with the frame's prefix and the chunk header in the slab before it.
 */
import { CHUNK_HEADER_SIZE, CommandKey, type CommandVersion } from './constants.js';
import type { Long } from './decode.js';
import {
  closeBound,
  CONSUMER_UPDATE_SIZE,
  CREDIT_RESPONSE_SIZE,
  deliverPrefixSize,
  encodeClose,
  encodeConsumerUpdate,
  encodeCreditResponse,
  encodeDeliverPrefix,
  encodeExchangeCommandVersionsResponse,
  encodeHeartbeat,
  encodeMetadataResponse,
  encodeMetadataUpdate,
  encodeOpenResponse,
  encodePeerPropertiesResponse,
  encodePublishConfirm,
  encodePublishError,
  encodeQueryOffsetResponse,
  encodeQueryPublisherSequenceResponse,
  encodeResolveOffsetSpecResponse,
  encodeResponse,
  encodeSaslAuthenticateResponse,
  encodeSaslHandshakeResponse,
  encodeStreamsResponse,
  encodeStreamStatsResponse,
  encodeTune,
  exchangeCommandVersionsResponseSize,
  HEARTBEAT_SIZE,
  metadataResponseBound,
  metadataUpdateBound,
  openResponseBound,
  peerPropertiesResponseBound,
  publishConfirmSize,
  publishErrorSize,
  QUERY_OFFSET_RESPONSE_SIZE,
  QUERY_PUBLISHER_SEQUENCE_RESPONSE_SIZE,
  RESOLVE_OFFSET_SPEC_RESPONSE_SIZE,
  RESPONSE_SIZE,
  saslAuthenticateResponseBound,
  saslHandshakeResponseBound,
  streamsResponseBound,
  streamStatsResponseBound,
  TUNE_SIZE,
  type Broker,
  type StreamMetadata,
} from './encode.js';

/** Slab size: many frames per allocation, and per write for a busy connection. */
export const SLAB_SIZE = 64 * 1024;

/**
 * Chunk data at least this big is queued by reference instead of copied: copying is cheap
 * for small chunks and one contiguous write beats many tiny iovecs; past a few KiB the copy
 * costs more than the extra iovec entry.
 */
export const DATA_COPY_THRESHOLD = 4 * 1024;

/** The process-wide slab and how far it is filled. */
const shared = { slab: Buffer.allocUnsafeSlow(SLAB_SIZE), pos: 0 };
const NO_SLAB = Buffer.alloc(0);

export class FrameWriter {
  /** The slab this writer's open region is in (the shared one, unless another took over since). */
  private slab: Buffer = NO_SLAB;
  /** Where this writer's next byte goes in its slab. */
  private slabPos = 0;
  /** Start of the region written since it was last queued; [regionStart, slabPos) is pending. */
  private regionStart = 0;
  /** Buffers queued since the last take(), in order, not counting the pending slab region. */
  private queue: Buffer[] = [];
  private queuedBytes = 0;

  /** Bytes waiting for the next take(). */
  get pendingBytes(): number {
    return this.queuedBytes + (this.slabPos - this.regionStart);
  }

  // ------------------------------------------------------------ the hot path

  /**
   * Deliver v1 (committedChunkId null) or v2: an osiris chunk as its 48-byte header and
   * its data entries (RabbitMQ sends neither the bloom filter nor the trailer). data of
   * DATA_COPY_THRESHOLD bytes or more is queued by reference: do not modify it until the
   * buffers from take() are written.
   */
  deliver(subscriptionId: number, committedChunkId: Long | null, header: Buffer, data: Buffer): void {
    if (header.length !== CHUNK_HEADER_SIZE) throw new RangeError(`chunk header is ${header.length} bytes, osiris' is ${CHUNK_HEADER_SIZE}`);
    const prefix = deliverPrefixSize(committedChunkId === null ? 1 : 2);
    const copy = data.length < DATA_COPY_THRESHOLD;
    const start = this.reserve(prefix + CHUNK_HEADER_SIZE + (copy ? data.length : 0));
    const slab = this.slab;
    let off = encodeDeliverPrefix(slab, start, subscriptionId, committedChunkId, CHUNK_HEADER_SIZE + data.length);
    off += header.copy(slab, off);
    if (copy) {
      off += data.copy(slab, off);
      this.commit(off);
      return;
    }
    this.commit(off);
    this.enqueue(data);
  }

  publishConfirm(publisherId: number, publishingIds: readonly Long[]): void {
    const off = this.reserve(publishConfirmSize(publishingIds.length));
    this.commit(encodePublishConfirm(this.slab, off, publisherId, publishingIds));
  }

  publishError(publisherId: number, publishingIds: readonly Long[], codes: number | readonly number[]): void {
    const off = this.reserve(publishErrorSize(publishingIds.length));
    this.commit(encodePublishError(this.slab, off, publisherId, publishingIds, codes));
  }

  // ------------------------------------------------------------ responses and the rest

  /**
   * A response that is only a code, to the request with key `key`: DeclarePublisher,
   * DeletePublisher, Subscribe, Unsubscribe, Create, Delete, Close, CreateSuperStream,
   * DeleteSuperStream, SaslAuthenticate without a challenge.
   */
  response(key: number, correlationId: number, code: number): void {
    const off = this.reserve(RESPONSE_SIZE);
    this.commit(encodeResponse(this.slab, off, key, correlationId, code));
  }

  peerPropertiesResponse(correlationId: number, code: number, properties: Readonly<Record<string, string>>): void {
    const off = this.reserve(peerPropertiesResponseBound(properties));
    this.commit(encodePeerPropertiesResponse(this.slab, off, correlationId, code, properties));
  }

  saslHandshakeResponse(correlationId: number, code: number, mechanisms: readonly string[]): void {
    const off = this.reserve(saslHandshakeResponseBound(mechanisms));
    this.commit(encodeSaslHandshakeResponse(this.slab, off, correlationId, code, mechanisms));
  }

  saslAuthenticateResponse(correlationId: number, code: number, challenge: Buffer | null = null): void {
    const off = this.reserve(saslAuthenticateResponseBound(challenge));
    this.commit(encodeSaslAuthenticateResponse(this.slab, off, correlationId, code, challenge));
  }

  tune(frameMax: number, heartbeat: number): void {
    const off = this.reserve(TUNE_SIZE);
    this.commit(encodeTune(this.slab, off, frameMax, heartbeat));
  }

  openResponse(correlationId: number, code: number, properties: Readonly<Record<string, string>> | null): void {
    const off = this.reserve(openResponseBound(properties));
    this.commit(encodeOpenResponse(this.slab, off, correlationId, code, properties));
  }

  /** A Close the server starts. Its answer is a plain response: response(CommandKey.Close, ...). */
  close(correlationId: number, code: number, reason: string): void {
    const off = this.reserve(closeBound(reason));
    this.commit(encodeClose(this.slab, off, correlationId, code, reason));
  }

  heartbeat(): void {
    const off = this.reserve(HEARTBEAT_SIZE);
    this.commit(encodeHeartbeat(this.slab, off));
  }

  queryPublisherSequenceResponse(correlationId: number, code: number, sequence: Long): void {
    const off = this.reserve(QUERY_PUBLISHER_SEQUENCE_RESPONSE_SIZE);
    this.commit(encodeQueryPublisherSequenceResponse(this.slab, off, correlationId, code, sequence));
  }

  metadataResponse(correlationId: number, brokers: readonly Broker[], streams: readonly StreamMetadata[]): void {
    const off = this.reserve(metadataResponseBound(brokers, streams));
    this.commit(encodeMetadataResponse(this.slab, off, correlationId, brokers, streams));
  }

  metadataUpdate(code: number, stream: string): void {
    const off = this.reserve(metadataUpdateBound(stream));
    this.commit(encodeMetadataUpdate(this.slab, off, code, stream));
  }

  queryOffsetResponse(correlationId: number, code: number, offset: Long): void {
    const off = this.reserve(QUERY_OFFSET_RESPONSE_SIZE);
    this.commit(encodeQueryOffsetResponse(this.slab, off, correlationId, code, offset));
  }

  creditResponse(code: number, subscriptionId: number): void {
    const off = this.reserve(CREDIT_RESPONSE_SIZE);
    this.commit(encodeCreditResponse(this.slab, off, code, subscriptionId));
  }

  routeResponse(correlationId: number, code: number, streams: readonly string[]): void {
    const off = this.reserve(streamsResponseBound(streams));
    this.commit(encodeStreamsResponse(this.slab, off, CommandKey.Route, correlationId, code, streams));
  }

  partitionsResponse(correlationId: number, code: number, streams: readonly string[]): void {
    const off = this.reserve(streamsResponseBound(streams));
    this.commit(encodeStreamsResponse(this.slab, off, CommandKey.Partitions, correlationId, code, streams));
  }

  exchangeCommandVersionsResponse(correlationId: number, code: number, versions: readonly CommandVersion[]): void {
    const off = this.reserve(exchangeCommandVersionsResponseSize(versions.length));
    this.commit(encodeExchangeCommandVersionsResponse(this.slab, off, correlationId, code, versions));
  }

  streamStatsResponse(correlationId: number, code: number, stats: Readonly<Record<string, Long>>): void {
    const off = this.reserve(streamStatsResponseBound(stats));
    this.commit(encodeStreamStatsResponse(this.slab, off, correlationId, code, stats));
  }

  consumerUpdate(correlationId: number, subscriptionId: number, active: boolean): void {
    const off = this.reserve(CONSUMER_UPDATE_SIZE);
    this.commit(encodeConsumerUpdate(this.slab, off, correlationId, subscriptionId, active));
  }

  resolveOffsetSpecResponse(correlationId: number, code: number, offsetType: number, offset: Long): void {
    const off = this.reserve(RESOLVE_OFFSET_SPEC_RESPONSE_SIZE);
    this.commit(encodeResolveOffsetSpecResponse(this.slab, off, correlationId, code, offsetType, offset));
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

  /**
   * Makes room for n contiguous bytes in the shared slab; returns the offset to write at.
   * An encoder that throws (RangeError: our bug) after reserve() leaves nothing behind,
   * since only commit() moves the positions.
   */
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
}
