/**
 * Server -> client frames. Each encodeX(buf, off, ...) writes one whole frame (size field
 * included) at off and returns where it ends; xBound(...) is at least its size, for
 * reserving room first. Layouts follow RabbitMQ's encoder (rabbit_stream_core:frame/1),
 * which is what clients are tested against, where it and PROTOCOL.adoc differ:
 *
 * - Tune goes out with the request key 0x0014 and no correlation id.
 * - OpenResponse and SaslAuthenticateResponse leave out empty properties / challenge.
 * - CreditResponse has no correlation id: response code, then subscription id.
 * - MetadataResponse: a stream that is not OK has leader 0xFFFF and no replicas.
 *
 * Deliver is not here but in FrameWriter: its data is queued by reference, not encoded.
 */
import { CommandKey, RESPONSE_FLAG, type CommandVersion } from './constants.js';
import type { Long } from './decode.js';
import {
  stringBound,
  stringMapBound,
  stringsBound,
  writeI64,
  writeString,
  writeStringMap,
  writeStrings,
  writeU16,
  writeU32,
  writeU64,
  writeU8,
} from './field-writer.js';

/** Size field + key + version. */
export const COMMAND_HEADER_SIZE = 8;
/** Header + correlation id + response code: a response with no payload. */
export const RESPONSE_SIZE = 14;

/** Writes key and version after the size field's room; the frame's fields start at the returned offset. */
function begin(buf: Buffer, off: number, key: number): number {
  buf[off + 4] = key >>> 8;
  buf[off + 5] = key;
  buf[off + 6] = 0;
  buf[off + 7] = 1; // every frame the server encodes here is version 1
  return off + COMMAND_HEADER_SIZE;
}

/** Fills in the size field of the frame written at start, now that it ends at end. */
function finish(buf: Buffer, start: number, end: number): number {
  writeU32(buf, start, end - start - 4);
  return end;
}

function beginResponse(buf: Buffer, off: number, key: number, correlationId: number, code: number): number {
  off = begin(buf, off, key | RESPONSE_FLAG);
  off = writeU32(buf, off, correlationId);
  return writeU16(buf, off, code);
}

/**
 * A response that is only a response code: DeclarePublisher, DeletePublisher, Subscribe,
 * Unsubscribe, Create, Delete, Close, CreateSuperStream, DeleteSuperStream, and
 * SaslAuthenticate without a challenge. `key` is the request's key (the flag is added).
 */
export function encodeResponse(buf: Buffer, off: number, key: number, correlationId: number, code: number): number {
  return finish(buf, off, beginResponse(buf, off, key, correlationId, code));
}

export function peerPropertiesResponseBound(properties: Readonly<Record<string, string>>): number {
  return RESPONSE_SIZE + stringMapBound(properties);
}
export function encodePeerPropertiesResponse(
  buf: Buffer,
  off: number,
  correlationId: number,
  code: number,
  properties: Readonly<Record<string, string>>,
): number {
  const p = beginResponse(buf, off, CommandKey.PeerProperties, correlationId, code);
  return finish(buf, off, writeStringMap(buf, p, properties));
}

export function saslHandshakeResponseBound(mechanisms: readonly string[]): number {
  return RESPONSE_SIZE + stringsBound(mechanisms);
}
export function encodeSaslHandshakeResponse(buf: Buffer, off: number, correlationId: number, code: number, mechanisms: readonly string[]): number {
  const p = beginResponse(buf, off, CommandKey.SaslHandshake, correlationId, code);
  return finish(buf, off, writeStrings(buf, p, mechanisms));
}

export function saslAuthenticateResponseBound(challenge: Buffer | null): number {
  return RESPONSE_SIZE + (challenge === null || challenge.length === 0 ? 0 : 4 + challenge.length);
}
/**
 * The challenge, if any, as bytes (int32 length) as PROTOCOL.adoc says; like RabbitMQ,
 * an empty or null challenge is left out. (RabbitMQ writes a non-empty one with an int16
 * length, but none of its mechanisms ever sends one.)
 */
export function encodeSaslAuthenticateResponse(buf: Buffer, off: number, correlationId: number, code: number, challenge: Buffer | null): number {
  let p = beginResponse(buf, off, CommandKey.SaslAuthenticate, correlationId, code);
  if (challenge !== null && challenge.length > 0) {
    p = writeU32(buf, p, challenge.length);
    p += challenge.copy(buf, p);
  }
  return finish(buf, off, p);
}

export const TUNE_SIZE = 16;
/** The server's Tune: frame max (bytes, 0 = none) and heartbeat (seconds, 0 = none). */
export function encodeTune(buf: Buffer, off: number, frameMax: number, heartbeat: number): number {
  let p = begin(buf, off, CommandKey.Tune);
  p = writeU32(buf, p, frameMax);
  return finish(buf, off, writeU32(buf, p, heartbeat));
}

export function openResponseBound(properties: Readonly<Record<string, string>> | null): number {
  return RESPONSE_SIZE + (properties === null ? 0 : stringMapBound(properties));
}
/**
 * RabbitMQ sends advertised_host and advertised_port on success and no properties on
 * failure; an empty map (not null) is sent as a count of 0, which clients that always read
 * the count (rabbitmq-stream-js-client) need.
 */
export function encodeOpenResponse(
  buf: Buffer,
  off: number,
  correlationId: number,
  code: number,
  properties: Readonly<Record<string, string>> | null,
): number {
  let p = beginResponse(buf, off, CommandKey.Open, correlationId, code);
  if (properties !== null) p = writeStringMap(buf, p, properties);
  return finish(buf, off, p);
}

export function closeBound(reason: string): number {
  return RESPONSE_SIZE + stringBound(reason);
}
/** A Close the server starts; the client answers with a CloseResponse. */
export function encodeClose(buf: Buffer, off: number, correlationId: number, code: number, reason: string): number {
  let p = begin(buf, off, CommandKey.Close);
  p = writeU32(buf, p, correlationId);
  p = writeU16(buf, p, code);
  return finish(buf, off, writeString(buf, p, reason));
}

export const HEARTBEAT_SIZE = COMMAND_HEADER_SIZE;
export function encodeHeartbeat(buf: Buffer, off: number): number {
  return finish(buf, off, begin(buf, off, CommandKey.Heartbeat));
}

export function publishConfirmSize(count: number): number {
  return COMMAND_HEADER_SIZE + 1 + 4 + 8 * count;
}
export function encodePublishConfirm(buf: Buffer, off: number, publisherId: number, publishingIds: readonly Long[]): number {
  let p = begin(buf, off, CommandKey.PublishConfirm);
  p = writeU8(buf, p, publisherId);
  p = writeU32(buf, p, publishingIds.length);
  for (let i = 0; i < publishingIds.length; i++) p = writeU64(buf, p, publishingIds[i]!);
  return finish(buf, off, p);
}

export function publishErrorSize(count: number): number {
  return COMMAND_HEADER_SIZE + 1 + 4 + 10 * count;
}
/** [(publishing id, code)]: one code for all of them, or one per id. */
export function encodePublishError(
  buf: Buffer,
  off: number,
  publisherId: number,
  publishingIds: readonly Long[],
  codes: number | readonly number[],
): number {
  if (typeof codes !== 'number' && codes.length !== publishingIds.length) {
    throw new RangeError(`${publishingIds.length} publishing ids but ${codes.length} codes`);
  }
  let p = begin(buf, off, CommandKey.PublishError);
  p = writeU8(buf, p, publisherId);
  p = writeU32(buf, p, publishingIds.length);
  for (let i = 0; i < publishingIds.length; i++) {
    p = writeU64(buf, p, publishingIds[i]!);
    p = writeU16(buf, p, typeof codes === 'number' ? codes : codes[i]!);
  }
  return finish(buf, off, p);
}

export const QUERY_PUBLISHER_SEQUENCE_RESPONSE_SIZE = RESPONSE_SIZE + 8;
export function encodeQueryPublisherSequenceResponse(buf: Buffer, off: number, correlationId: number, code: number, sequence: Long): number {
  const p = beginResponse(buf, off, CommandKey.QueryPublisherSequence, correlationId, code);
  return finish(buf, off, writeU64(buf, p, sequence));
}

export interface Broker {
  /** The index streams refer to it by. */
  reference: number;
  host: string;
  port: number;
}
export interface StreamMetadata {
  stream: string;
  responseCode: number;
  /** A broker's reference; 0xFFFF (or -1) when there is none, as for a stream that is not OK. */
  leaderReference: number;
  replicaReferences: readonly number[];
}

export function metadataResponseBound(brokers: readonly Broker[], streams: readonly StreamMetadata[]): number {
  let n = COMMAND_HEADER_SIZE + 4 + 4 + 4;
  for (const b of brokers) n += 2 + stringBound(b.host) + 4;
  for (const s of streams) n += stringBound(s.stream) + 2 + 2 + 4 + 2 * s.replicaReferences.length;
  return n;
}
/** No response code of its own: each stream has one. */
export function encodeMetadataResponse(
  buf: Buffer,
  off: number,
  correlationId: number,
  brokers: readonly Broker[],
  streams: readonly StreamMetadata[],
): number {
  let p = begin(buf, off, CommandKey.Metadata | RESPONSE_FLAG);
  p = writeU32(buf, p, correlationId);
  p = writeU32(buf, p, brokers.length);
  for (const b of brokers) {
    p = writeU16(buf, p, b.reference);
    p = writeString(buf, p, b.host);
    p = writeU32(buf, p, b.port);
  }
  p = writeU32(buf, p, streams.length);
  for (const s of streams) {
    p = writeString(buf, p, s.stream);
    p = writeU16(buf, p, s.responseCode);
    p = writeU16(buf, p, s.leaderReference & 0xffff);
    p = writeU32(buf, p, s.replicaReferences.length);
    for (const r of s.replicaReferences) p = writeU16(buf, p, r);
  }
  return finish(buf, off, p);
}

export function metadataUpdateBound(stream: string): number {
  return COMMAND_HEADER_SIZE + 2 + stringBound(stream);
}
/** The stream's metadata changed (code STREAM_NOT_AVAILABLE when it moved or was deleted). */
export function encodeMetadataUpdate(buf: Buffer, off: number, code: number, stream: string): number {
  let p = begin(buf, off, CommandKey.MetadataUpdate);
  p = writeU16(buf, p, code);
  return finish(buf, off, writeString(buf, p, stream));
}

export const QUERY_OFFSET_RESPONSE_SIZE = RESPONSE_SIZE + 8;
export function encodeQueryOffsetResponse(buf: Buffer, off: number, correlationId: number, code: number, offset: Long): number {
  const p = beginResponse(buf, off, CommandKey.QueryOffset, correlationId, code);
  return finish(buf, off, writeU64(buf, p, offset));
}

export const CREDIT_RESPONSE_SIZE = COMMAND_HEADER_SIZE + 3;
/** Sent only when a Credit failed (e.g. SUBSCRIPTION_ID_DOES_NOT_EXIST); no correlation id. */
export function encodeCreditResponse(buf: Buffer, off: number, code: number, subscriptionId: number): number {
  let p = begin(buf, off, CommandKey.Credit | RESPONSE_FLAG);
  p = writeU16(buf, p, code);
  return finish(buf, off, writeU8(buf, p, subscriptionId));
}

export function streamsResponseBound(streams: readonly string[]): number {
  return RESPONSE_SIZE + stringsBound(streams);
}
/** RouteResponse and PartitionsResponse: a response code and [stream]. `key` is Route or Partitions. */
export function encodeStreamsResponse(
  buf: Buffer,
  off: number,
  key: typeof CommandKey.Route | typeof CommandKey.Partitions,
  correlationId: number,
  code: number,
  streams: readonly string[],
): number {
  const p = beginResponse(buf, off, key, correlationId, code);
  return finish(buf, off, writeStrings(buf, p, streams));
}

export function exchangeCommandVersionsResponseSize(count: number): number {
  return RESPONSE_SIZE + 4 + 6 * count;
}
export function encodeExchangeCommandVersionsResponse(
  buf: Buffer,
  off: number,
  correlationId: number,
  code: number,
  versions: readonly CommandVersion[],
): number {
  let p = beginResponse(buf, off, CommandKey.ExchangeCommandVersions, correlationId, code);
  p = writeU32(buf, p, versions.length);
  for (const v of versions) {
    p = writeU16(buf, p, v.key);
    p = writeU16(buf, p, v.minVersion);
    p = writeU16(buf, p, v.maxVersion);
  }
  return finish(buf, off, p);
}

export function streamStatsResponseBound(stats: Readonly<Record<string, Long>>): number {
  let n = RESPONSE_SIZE + 4;
  for (const k in stats) n += stringBound(k) + 8;
  return n;
}
/** [(name, int64)], e.g. committed_chunk_id, first_chunk_id, last_chunk_id. */
export function encodeStreamStatsResponse(
  buf: Buffer,
  off: number,
  correlationId: number,
  code: number,
  stats: Readonly<Record<string, Long>>,
): number {
  let p = beginResponse(buf, off, CommandKey.StreamStats, correlationId, code);
  const countAt = p;
  p += 4;
  let n = 0;
  for (const k in stats) {
    p = writeString(buf, p, k);
    p = writeI64(buf, p, stats[k]!);
    n++;
  }
  writeU32(buf, countAt, n);
  return finish(buf, off, p);
}

export const CONSUMER_UPDATE_SIZE = COMMAND_HEADER_SIZE + 4 + 2;
/** The server's request to a single-active-consumer subscription: you are (not) active now. */
export function encodeConsumerUpdate(buf: Buffer, off: number, correlationId: number, subscriptionId: number, active: boolean): number {
  let p = begin(buf, off, CommandKey.ConsumerUpdate);
  p = writeU32(buf, p, correlationId);
  p = writeU8(buf, p, subscriptionId);
  return finish(buf, off, writeU8(buf, p, active ? 1 : 0));
}

export const RESOLVE_OFFSET_SPEC_RESPONSE_SIZE = RESPONSE_SIZE + 2 + 8;
/** The resolved offset; RabbitMQ's type is always OffsetType.Offset. */
export function encodeResolveOffsetSpecResponse(
  buf: Buffer,
  off: number,
  correlationId: number,
  code: number,
  offsetType: number,
  offset: Long,
): number {
  let p = beginResponse(buf, off, CommandKey.ResolveOffsetSpec, correlationId, code);
  p = writeU16(buf, p, offsetType);
  return finish(buf, off, writeU64(buf, p, offset));
}

/** Deliver's fields before the chunk: size, key, version, subscription id, and in v2 the committed chunk id. */
export function deliverPrefixSize(version: 1 | 2): number {
  return COMMAND_HEADER_SIZE + 1 + (version === 2 ? 8 : 0);
}
/** Writes a Deliver's prefix for a chunk of chunkSize bytes (header + data) that follows it. */
export function encodeDeliverPrefix(
  buf: Buffer,
  off: number,
  subscriptionId: number,
  committedChunkId: Long | null,
  chunkSize: number,
): number {
  const v2 = committedChunkId !== null;
  writeU32(buf, off, 2 + 2 + 1 + (v2 ? 8 : 0) + chunkSize);
  let p = writeU16(buf, off + 4, CommandKey.Deliver);
  p = writeU16(buf, p, v2 ? 2 : 1);
  p = writeU8(buf, p, subscriptionId);
  return v2 ? writeU64(buf, p, committedChunkId) : p;
}
