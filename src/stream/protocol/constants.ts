/**
 * Numbers of RabbitMQ's stream protocol (port 5552), with RabbitMQ's names: the command
 * keys and response codes of rabbit_stream.hrl, the offset types, the osiris chunk and
 * entry layout Deliver and Publish carry, and the command versions RabbitMQ 3.13 / 4.x
 * advertise in ExchangeCommandVersions.
 */

/** Command keys. A response has the same key with RESPONSE_FLAG set (0x0007 subscribe -> 0x8007). */
export const CommandKey = {
  DeclarePublisher: 0x0001,
  Publish: 0x0002,
  PublishConfirm: 0x0003,
  PublishError: 0x0004,
  QueryPublisherSequence: 0x0005,
  DeletePublisher: 0x0006,
  Subscribe: 0x0007,
  Deliver: 0x0008,
  Credit: 0x0009,
  StoreOffset: 0x000a,
  QueryOffset: 0x000b,
  Unsubscribe: 0x000c,
  Create: 0x000d,
  Delete: 0x000e,
  Metadata: 0x000f,
  MetadataUpdate: 0x0010,
  PeerProperties: 0x0011,
  SaslHandshake: 0x0012,
  SaslAuthenticate: 0x0013,
  Tune: 0x0014,
  Open: 0x0015,
  Close: 0x0016,
  Heartbeat: 0x0017,
  Route: 0x0018,
  Partitions: 0x0019,
  ConsumerUpdate: 0x001a,
  ExchangeCommandVersions: 0x001b,
  StreamStats: 0x001c,
  CreateSuperStream: 0x001d,
  DeleteSuperStream: 0x001e,
  ResolveOffsetSpec: 0x001f,
} as const;
export type CommandKey = (typeof CommandKey)[keyof typeof CommandKey];

/** The key's top bit: 0 for a request or one-way command, 1 for a response. */
export const RESPONSE_FLAG = 0x8000;

/** Key -> name, for error texts and logs (e.g. 0x8016 -> 'CloseResponse'). */
export function commandName(key: number): string {
  const name = commandNames[key & ~RESPONSE_FLAG];
  if (name === undefined) return `0x${key.toString(16).padStart(4, '0')}`;
  return key & RESPONSE_FLAG ? `${name}Response` : name;
}
const commandNames: Record<number, string> = Object.fromEntries(Object.entries(CommandKey).map(([name, key]) => [key, name]));

/** Response codes, named as RabbitMQ's macros are (RESPONSE_CODE_ / RESPONSE_ prefix dropped). */
export const ResponseCode = {
  OK: 0x01,
  STREAM_DOES_NOT_EXIST: 0x02,
  SUBSCRIPTION_ID_ALREADY_EXISTS: 0x03,
  SUBSCRIPTION_ID_DOES_NOT_EXIST: 0x04,
  STREAM_ALREADY_EXISTS: 0x05,
  STREAM_NOT_AVAILABLE: 0x06,
  SASL_MECHANISM_NOT_SUPPORTED: 0x07,
  AUTHENTICATION_FAILURE: 0x08,
  SASL_ERROR: 0x09,
  SASL_CHALLENGE: 0x0a,
  SASL_AUTHENTICATION_FAILURE_LOOPBACK: 0x0b,
  VHOST_ACCESS_FAILURE: 0x0c,
  UNKNOWN_FRAME: 0x0d,
  FRAME_TOO_LARGE: 0x0e,
  INTERNAL_ERROR: 0x0f,
  ACCESS_REFUSED: 0x10,
  PRECONDITION_FAILED: 0x11,
  PUBLISHER_DOES_NOT_EXIST: 0x12,
  NO_OFFSET: 0x13,
  /** Not in PROTOCOL.adoc's table, but in rabbit_stream.hrl and sent by RabbitMQ on re-authentication. */
  SASL_CANNOT_CHANGE_MECHANISM: 0x14,
  SASL_CANNOT_CHANGE_USERNAME: 0x15,
} as const;
export type ResponseCode = (typeof ResponseCode)[keyof typeof ResponseCode];

export const responseCodeName: Record<number, string> = Object.fromEntries(
  Object.entries(ResponseCode).map(([name, code]) => [code, name]),
);

/**
 * Offset specification types (Subscribe, ResolveOffsetSpec, ConsumerUpdate's response).
 * There is no "interval" type on the wire: osiris and RabbitMQ know only these. None (0)
 * is only valid in a ConsumerUpdate response ("keep the offset you had").
 */
export const OffsetType = {
  None: 0,
  First: 1,
  Last: 2,
  Next: 3,
  Offset: 4,
  Timestamp: 5,
} as const;
export type OffsetType = (typeof OffsetType)[keyof typeof OffsetType];

/** Until Open succeeds RabbitMQ accepts frames of at most this many bytes (stream.initial_frame_max). */
export const INITIAL_FRAME_MAX = 8192;
/** RabbitMQ's default frame_max offered in Tune (stream.frame_max). */
export const DEFAULT_FRAME_MAX = 1_048_576;
/** RabbitMQ's default heartbeat offered in Tune, in seconds. */
export const DEFAULT_HEARTBEAT = 60;

/**
 * Osiris chunk header: what Deliver carries before the entries. 48 bytes (osiris.hrl
 * HEADER_SIZE_B): magic+version u8 (0x50), chunk type u8, entries u16, records u32,
 * timestamp i64, epoch u64, chunk id (first offset) u64, data CRC u32, data length u32,
 * trailer length u32, bloom size u8, reserved u24. RabbitMQ sends the header unchanged
 * and then the data entries only: the bloom filter and the trailer are not sent.
 */
export const CHUNK_HEADER_SIZE = 48;
/** First byte of a chunk header: magic 5 in the high nibble, chunk format version 0 in the low one. */
export const CHUNK_MAGIC_VERSION = 0x50;

export const ChunkType = {
  User: 0,
  TrackingDelta: 1,
  TrackingSnapshot: 2,
} as const;
export type ChunkType = (typeof ChunkType)[keyof typeof ChunkType];

/**
 * An osiris data entry, which is what a Publish carries per publishing id: a simple entry
 * is `0:1 size:31` then the message; a sub-entry batch (Publish v1 only) is
 * `1:1 compression:3 reserved:4 records:16 uncompressed-size:32 size:32` then the batch.
 */
export const SIMPLE_ENTRY_HEADER_SIZE = 4;
export const SUB_BATCH_ENTRY_HEADER_SIZE = 11;

export const CompressionType = {
  None: 0,
  Gzip: 1,
  Snappy: 2,
  Lz4: 3,
  Zstd: 4,
} as const;
export type CompressionType = (typeof CompressionType)[keyof typeof CompressionType];

export interface CommandVersion {
  key: number;
  minVersion: number;
  maxVersion: number;
}

/**
 * What the server answers to ExchangeCommandVersions: RabbitMQ's own list
 * (rabbit_stream_utils:command_versions/0), commands it receives only. Deliver is not
 * in it: the server learns from the client's list whether it takes Deliver v2.
 * ResolveOffsetSpec is RabbitMQ 4.x's newest command: advertise it only if the server
 * implements it (3.13 clients never ask for it).
 */
export const SERVER_COMMAND_VERSIONS: readonly CommandVersion[] = [
  { key: CommandKey.DeclarePublisher, minVersion: 1, maxVersion: 1 },
  { key: CommandKey.Publish, minVersion: 1, maxVersion: 2 },
  { key: CommandKey.QueryPublisherSequence, minVersion: 1, maxVersion: 1 },
  { key: CommandKey.DeletePublisher, minVersion: 1, maxVersion: 1 },
  { key: CommandKey.Subscribe, minVersion: 1, maxVersion: 1 },
  { key: CommandKey.Credit, minVersion: 1, maxVersion: 1 },
  { key: CommandKey.StoreOffset, minVersion: 1, maxVersion: 1 },
  { key: CommandKey.QueryOffset, minVersion: 1, maxVersion: 1 },
  { key: CommandKey.Unsubscribe, minVersion: 1, maxVersion: 1 },
  { key: CommandKey.Create, minVersion: 1, maxVersion: 1 },
  { key: CommandKey.Delete, minVersion: 1, maxVersion: 1 },
  { key: CommandKey.Metadata, minVersion: 1, maxVersion: 1 },
  { key: CommandKey.Close, minVersion: 1, maxVersion: 1 },
  { key: CommandKey.Heartbeat, minVersion: 1, maxVersion: 1 },
  { key: CommandKey.Route, minVersion: 1, maxVersion: 1 },
  { key: CommandKey.Partitions, minVersion: 1, maxVersion: 1 },
  { key: CommandKey.StreamStats, minVersion: 1, maxVersion: 1 },
  { key: CommandKey.CreateSuperStream, minVersion: 1, maxVersion: 1 },
  { key: CommandKey.DeleteSuperStream, minVersion: 1, maxVersion: 1 },
  { key: CommandKey.ResolveOffsetSpec, minVersion: 1, maxVersion: 1 },
];

/**
 * The Deliver version to use once a client has sent its ExchangeCommandVersions: 2 when
 * it lists Deliver up to version 2 or more, else 1 (also for clients that never send it).
 */
export function deliverVersionFor(clientVersions: readonly CommandVersion[]): 1 | 2 {
  for (const v of clientVersions) {
    if (v.key === CommandKey.Deliver && v.minVersion <= 2 && v.maxVersion >= 2) return 2;
  }
  return 1;
}
