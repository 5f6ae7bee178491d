/**
 * Client -> server frames -> typed plain objects. Field layouts are PROTOCOL.adoc's, and
 * where the document and RabbitMQ's parser (rabbit_stream_core:parse_request/1) differ,
 * the parser's, since that is what clients are tested against:
 *
 * - Tune, the client's answer to the server's, comes as key 0x0014 (rabbitmq-stream-js-client,
 *   like the server's own Tune) or 0x8014: both decode to a Tune.
 * - Subscribe and ResolveOffsetSpec may end before their properties (older clients).
 * - ConsumerUpdate's response may end after its response code (no offset specification).
 * - Credit's credit is uint16 as the document says (RabbitMQ reads it signed).
 *
 * Strings RabbitMQ requires refuse null (-1); publisher references, Close's reason and v2
 * filter values may be null. Versions other than RabbitMQ's are refused.
 *
 * Publish: see PublishReader for the per-message hot path; decodeCommand validates a Publish
 * and returns its header with a view of the messages.
 */
import { CommandKey, OffsetType, type CommandVersion } from './constants.js';
import { CommandDecodeError } from './errors.js';
import { FieldReader } from './field-reader.js';
import { PublishReader } from './publish-reader.js';

/** uint64 / int64 on the wire: a number when it is a safe integer, a bigint otherwise. */
export type Long = number | bigint;

export type OffsetSpec =
  | { type: typeof OffsetType.None | typeof OffsetType.First | typeof OffsetType.Last | typeof OffsetType.Next }
  | { type: typeof OffsetType.Offset; offset: Long }
  | { type: typeof OffsetType.Timestamp; timestamp: Long };

/** Decoded key/value string maps have no prototype: use `m[k] !== undefined` or Object.hasOwn. */
export type StringMap = Record<string, string>;

/** The keys of the responses a client sends (literals, so they discriminate ClientCommand). */
export const ResponseKey = {
  Tune: 0x8014,
  Close: 0x8016,
  ConsumerUpdate: 0x801a,
} as const;

interface Request<K extends number> {
  key: K;
  version: number;
  correlationId: number;
}

export interface PeerPropertiesRequest extends Request<typeof CommandKey.PeerProperties> {
  properties: StringMap;
}
export type SaslHandshakeRequest = Request<typeof CommandKey.SaslHandshake>;
export interface SaslAuthenticateRequest extends Request<typeof CommandKey.SaslAuthenticate> {
  mechanism: string;
  /** A view of the frame (copy it to keep it); null when the client sent length -1. */
  saslData: Buffer | null;
}
/** The client's Tune (no correlation id), whichever of its two keys it came with. */
export interface TuneCommand {
  key: typeof CommandKey.Tune;
  version: number;
  /** 0 = no limit. */
  frameMax: number;
  /** Seconds; 0 = no heartbeat. */
  heartbeat: number;
}
export interface OpenRequest extends Request<typeof CommandKey.Open> {
  virtualHost: string;
}
export interface CloseRequest extends Request<typeof CommandKey.Close> {
  closingCode: number;
  closingReason: string | null;
}
/** The client's answer to a Close the server sent. */
export interface CloseResponse extends Request<typeof ResponseKey.Close> {
  responseCode: number;
}
export interface HeartbeatCommand {
  key: typeof CommandKey.Heartbeat;
  version: number;
}
export interface DeclarePublisherRequest extends Request<typeof CommandKey.DeclarePublisher> {
  publisherId: number;
  /** null or '' both mean no reference (no deduplication). */
  reference: string | null;
  stream: string;
}
/**
 * A validated Publish: its header and a view of its messages, buf[start, end) being the
 * frame's fields as the reader handed them. Walk the messages with PublishReader.reset(version, buf, start, end).
 */
export interface PublishCommand {
  key: typeof CommandKey.Publish;
  version: number;
  publisherId: number;
  messageCount: number;
  buf: Buffer;
  start: number;
  end: number;
}
export interface QueryPublisherSequenceRequest extends Request<typeof CommandKey.QueryPublisherSequence> {
  reference: string | null;
  stream: string;
}
export interface DeletePublisherRequest extends Request<typeof CommandKey.DeletePublisher> {
  publisherId: number;
}
export interface SubscribeRequest extends Request<typeof CommandKey.Subscribe> {
  subscriptionId: number;
  stream: string;
  offset: OffsetSpec;
  credit: number;
  /** Empty when the client sent none. */
  properties: StringMap;
}
export interface CreditCommand {
  key: typeof CommandKey.Credit;
  version: number;
  subscriptionId: number;
  credit: number;
}
export interface UnsubscribeRequest extends Request<typeof CommandKey.Unsubscribe> {
  subscriptionId: number;
}
export interface StoreOffsetCommand {
  key: typeof CommandKey.StoreOffset;
  version: number;
  reference: string;
  stream: string;
  offset: Long;
}
export interface QueryOffsetRequest extends Request<typeof CommandKey.QueryOffset> {
  reference: string;
  stream: string;
}
export interface CreateRequest extends Request<typeof CommandKey.Create> {
  stream: string;
  arguments: StringMap;
}
export interface DeleteRequest extends Request<typeof CommandKey.Delete> {
  stream: string;
}
export interface MetadataRequest extends Request<typeof CommandKey.Metadata> {
  streams: string[];
}
export interface RouteRequest extends Request<typeof CommandKey.Route> {
  routingKey: string;
  superStream: string;
}
export interface PartitionsRequest extends Request<typeof CommandKey.Partitions> {
  superStream: string;
}
export interface ExchangeCommandVersionsRequest extends Request<typeof CommandKey.ExchangeCommandVersions> {
  /** As sent, keys the server does not know included. */
  commands: CommandVersion[];
}
export interface StreamStatsRequest extends Request<typeof CommandKey.StreamStats> {
  stream: string;
}
export interface CreateSuperStreamRequest extends Request<typeof CommandKey.CreateSuperStream> {
  name: string;
  partitions: string[];
  bindingKeys: string[];
  arguments: StringMap;
}
export interface DeleteSuperStreamRequest extends Request<typeof CommandKey.DeleteSuperStream> {
  name: string;
}
/** The client's answer to a ConsumerUpdate the server sent. */
export interface ConsumerUpdateResponse extends Request<typeof ResponseKey.ConsumerUpdate> {
  responseCode: number;
  /** Where the now active consumer wants to start; null when the client sent no offset specification. */
  offset: OffsetSpec | null;
}
export interface ResolveOffsetSpecRequest extends Request<typeof CommandKey.ResolveOffsetSpec> {
  stream: string;
  offset: OffsetSpec;
  properties: StringMap;
}

/** Everything a client may send, discriminated by `key` (the wire key, 0x8000 set for the three responses). */
export type ClientCommand =
  | PeerPropertiesRequest
  | SaslHandshakeRequest
  | SaslAuthenticateRequest
  | TuneCommand
  | OpenRequest
  | CloseRequest
  | CloseResponse
  | HeartbeatCommand
  | DeclarePublisherRequest
  | PublishCommand
  | QueryPublisherSequenceRequest
  | DeletePublisherRequest
  | SubscribeRequest
  | CreditCommand
  | UnsubscribeRequest
  | StoreOffsetCommand
  | QueryOffsetRequest
  | CreateRequest
  | DeleteRequest
  | MetadataRequest
  | RouteRequest
  | PartitionsRequest
  | ExchangeCommandVersionsRequest
  | StreamStatsRequest
  | CreateSuperStreamRequest
  | DeleteSuperStreamRequest
  | ConsumerUpdateResponse
  | ResolveOffsetSpecRequest;

/** Shared by all decodes: one thread, and nothing is kept between calls. */
const r = new FieldReader();
const publishes = new PublishReader();

/**
 * Decodes one frame as FrameReader hands it over. Throws CommandDecodeError (code
 * UNKNOWN_FRAME) for an unknown key, an unsupported version or a malformed frame; it never
 * reads outside buf[start, end). Views it returns (SaslAuthenticate's data, Publish's
 * messages) point into buf.
 */
export function decodeCommand(key: number, version: number, buf: Buffer, start: number, end: number): ClientCommand {
  if (key === CommandKey.Publish) {
    const p = publishes.reset(version, buf, start, end);
    return { key, version, publisherId: p.publisherId, messageCount: p.messageCount, buf, start, end };
  }
  if (!isClientKey(key)) throw new CommandDecodeError(key, version, 'unknown-command', 'not a command a client sends');
  if (version !== 1) throw new CommandDecodeError(key, version, 'unsupported-version', 'only version 1 exists');
  r.reset(key, version, buf, start, end);
  const cmd = decodeFields(key, version);
  r.done();
  return cmd;
}

function isClientKey(key: number): boolean {
  return clientKeys[key] === true;
}
/** Keys a client sends: its requests and one-way commands, and its answers to the server's requests. */
const clientKeys: Record<number, true> = Object.create(null) as Record<number, true>;
for (const k of [
  ResponseKey.Tune,
  ResponseKey.Close,
  ResponseKey.ConsumerUpdate,
  CommandKey.DeclarePublisher,
  CommandKey.Publish,
  CommandKey.QueryPublisherSequence,
  CommandKey.DeletePublisher,
  CommandKey.Subscribe,
  CommandKey.Credit,
  CommandKey.StoreOffset,
  CommandKey.QueryOffset,
  CommandKey.Unsubscribe,
  CommandKey.Create,
  CommandKey.Delete,
  CommandKey.Metadata,
  CommandKey.PeerProperties,
  CommandKey.SaslHandshake,
  CommandKey.SaslAuthenticate,
  CommandKey.Tune,
  CommandKey.Open,
  CommandKey.Close,
  CommandKey.Heartbeat,
  CommandKey.Route,
  CommandKey.Partitions,
  CommandKey.ExchangeCommandVersions,
  CommandKey.StreamStats,
  CommandKey.CreateSuperStream,
  CommandKey.DeleteSuperStream,
  CommandKey.ResolveOffsetSpec,
]) {
  clientKeys[k] = true;
}

function decodeFields(key: number, version: number): ClientCommand {
  switch (key) {
    case CommandKey.Tune:
    case ResponseKey.Tune:
      return { key: CommandKey.Tune, version, frameMax: r.u32('frame max'), heartbeat: r.u32('heartbeat') };
    case CommandKey.Heartbeat:
      return { key, version };
    case CommandKey.Credit:
      return { key, version, subscriptionId: r.u8('subscription id'), credit: r.u16('credit') };
    case CommandKey.StoreOffset:
      return { key, version, reference: r.string('reference'), stream: r.string('stream'), offset: r.u64('offset') };
  }
  const correlationId = r.u32('correlation id');
  switch (key) {
    case CommandKey.PeerProperties:
      return { key, version, correlationId, properties: r.stringMap('properties') };
    case CommandKey.SaslHandshake:
      return { key, version, correlationId };
    case CommandKey.SaslAuthenticate:
      return { key, version, correlationId, mechanism: r.string('mechanism'), saslData: r.nullableBytes('sasl data') };
    case CommandKey.Open:
      return { key, version, correlationId, virtualHost: r.string('virtual host') };
    case CommandKey.Close:
      return { key, version, correlationId, closingCode: r.u16('closing code'), closingReason: r.nullableString('closing reason') };
    case ResponseKey.Close:
      return { key, version, correlationId, responseCode: r.u16('response code') };
    case CommandKey.DeclarePublisher:
      return {
        key,
        version,
        correlationId,
        publisherId: r.u8('publisher id'),
        reference: r.nullableString('publisher reference'),
        stream: r.string('stream'),
      };
    case CommandKey.QueryPublisherSequence:
      return { key, version, correlationId, reference: r.nullableString('publisher reference'), stream: r.string('stream') };
    case CommandKey.DeletePublisher:
      return { key, version, correlationId, publisherId: r.u8('publisher id') };
    case CommandKey.Subscribe: {
      const subscriptionId = r.u8('subscription id');
      const stream = r.string('stream');
      const offset = readOffsetSpec(false);
      const credit = r.u16('credit');
      const properties = r.remaining === 0 ? emptyMap() : r.stringMap('properties');
      return { key, version, correlationId, subscriptionId, stream, offset, credit, properties };
    }
    case CommandKey.Unsubscribe:
      return { key, version, correlationId, subscriptionId: r.u8('subscription id') };
    case CommandKey.QueryOffset:
      return { key, version, correlationId, reference: r.string('reference'), stream: r.string('stream') };
    case CommandKey.Create:
      return { key, version, correlationId, stream: r.string('stream'), arguments: r.stringMap('arguments') };
    case CommandKey.Delete:
      return { key, version, correlationId, stream: r.string('stream') };
    case CommandKey.Metadata:
      return { key, version, correlationId, streams: r.strings('streams') };
    case CommandKey.Route:
      return { key, version, correlationId, routingKey: r.string('routing key'), superStream: r.string('super stream') };
    case CommandKey.Partitions:
      return { key, version, correlationId, superStream: r.string('super stream') };
    case CommandKey.ExchangeCommandVersions: {
      const n = r.count('commands', 6);
      const commands = new Array<CommandVersion>(n);
      for (let i = 0; i < n; i++) {
        commands[i] = { key: r.u16('command key'), minVersion: r.u16('min version'), maxVersion: r.u16('max version') };
      }
      return { key, version, correlationId, commands };
    }
    case CommandKey.StreamStats:
      return { key, version, correlationId, stream: r.string('stream') };
    case CommandKey.CreateSuperStream:
      return {
        key,
        version,
        correlationId,
        name: r.string('name'),
        partitions: r.strings('partitions'),
        bindingKeys: r.strings('binding keys'),
        arguments: r.stringMap('arguments'),
      };
    case CommandKey.DeleteSuperStream:
      return { key, version, correlationId, name: r.string('name') };
    case ResponseKey.ConsumerUpdate: {
      const responseCode = r.u16('response code');
      const offset = r.remaining === 0 ? null : readOffsetSpec(true);
      return { key, version, correlationId, responseCode, offset };
    }
    case CommandKey.ResolveOffsetSpec: {
      const stream = r.string('stream');
      const offset = readOffsetSpec(false);
      const properties = r.remaining === 0 ? emptyMap() : r.stringMap('properties');
      return { key, version, correlationId, stream, offset, properties };
    }
  }
  throw new CommandDecodeError(key, version, 'unknown-command', 'not a command a client sends');
}

/** OffsetType u16, then a uint64 offset or an int64 timestamp for types 4 and 5. None (0) only where allowed. */
function readOffsetSpec(allowNone: boolean): OffsetSpec {
  const type = r.u16('offset type');
  switch (type) {
    case OffsetType.First:
    case OffsetType.Last:
    case OffsetType.Next:
      return { type };
    case OffsetType.Offset:
      return { type, offset: r.u64('offset') };
    case OffsetType.Timestamp:
      return { type, timestamp: r.i64('timestamp') };
    case OffsetType.None:
      if (allowNone) return { type };
  }
  return r.malformed(`unknown offset type ${type}`);
}

function emptyMap(): StringMap {
  return Object.create(null) as StringMap;
}
