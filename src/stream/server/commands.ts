/**
 * The stream protocol's commands on an open connection, as RabbitMQ's stream plugin
 * answers them (rabbit_stream_reader): response codes, the order of checks, which
 * permission each needs (streams are queues, super streams exchanges).
 */
import { resolveOffset, type OffsetSpec as DomainOffsetSpec } from '../../broker/queues/stream/offset-spec.js';
import { filterOf } from '../../broker/queues/stream/stream-queue.js';
import {
  CommandKey,
  CompressionType,
  OffsetType,
  ResponseCode,
  ResponseKey,
  SERVER_COMMAND_VERSIONS,
  type ClientCommand,
  type Long,
  type OffsetSpec,
  type StreamMetadata,
  type SubscribeRequest,
} from '../protocol/index.js';
import type { StreamConnection } from './connection.js';
import { responseCodeOf, StreamRefusal } from './errors.js';
import { streamFor, streamQueueFor } from './lookup.js';
import { Publisher } from './publishers.js';
import { createStream, createSuperStream, deleteStream, deleteSuperStream, partitionsOf, routeOf } from './stream-definitions.js';
import { Subscription } from './subscription.js';

/** Subscription ids are a u8. */
const MAX_SUBSCRIPTIONS = 256;
/** Publisher and consumer references are tracked in 255 bytes at most (osiris' limit). */
const MAX_REFERENCE_BYTES = 255;
/** What the server takes: ResolveOffsetSpec is not implemented, so it is not advertised. */
const ADVERTISED_VERSIONS = SERVER_COMMAND_VERSIONS.filter((v) => v.key !== CommandKey.ResolveOffsetSpec);

export function handleOpenedCommand(connection: StreamConnection, command: ClientCommand): void {
  const out = connection.writer;
  switch (command.key) {
    case CommandKey.ExchangeCommandVersions:
      connection.useDeliverVersionFrom(command.commands);
      out.exchangeCommandVersionsResponse(command.correlationId, ResponseCode.OK, ADVERTISED_VERSIONS);
      break;
    case CommandKey.DeclarePublisher:
      out.response(command.key, command.correlationId, answer(connection, () => declarePublisher(connection, command.publisherId, command.reference ?? '', command.stream)));
      break;
    case CommandKey.DeletePublisher: {
      const found = connection.publishers.delete(command.publisherId);
      out.response(command.key, command.correlationId, found ? ResponseCode.OK : ResponseCode.PUBLISHER_DOES_NOT_EXIST);
      break;
    }
    case CommandKey.QueryPublisherSequence: {
      let sequence = 0;
      const code = answer(connection, () => {
        const stream = streamFor(connection, command.stream, 'read');
        sequence = command.reference ? (stream.store.sequenceOf(command.reference) ?? 0) : 0;
      });
      out.queryPublisherSequenceResponse(command.correlationId, code, sequence);
      break;
    }
    case CommandKey.Subscribe:
      out.response(command.key, command.correlationId, answer(connection, () => subscribe(connection, command)));
      // The answer goes before the first chunk.
      connection.subscriptions.get(command.subscriptionId)?.pump();
      break;
    case CommandKey.Credit: {
      const subscription = connection.subscriptions.get(command.subscriptionId);
      if (subscription === undefined) out.creditResponse(ResponseCode.SUBSCRIPTION_ID_DOES_NOT_EXIST, command.subscriptionId);
      else {
        subscription.addCredit(command.credit);
        // Kept for when it becomes active, but RabbitMQ tells the client it is not reading now.
        if (!subscription.active) out.creditResponse(ResponseCode.PRECONDITION_FAILED, command.subscriptionId);
      }
      break;
    }
    case CommandKey.Unsubscribe: {
      const subscription = connection.subscriptions.get(command.subscriptionId);
      if (subscription === undefined) {
        out.response(command.key, command.correlationId, ResponseCode.SUBSCRIPTION_ID_DOES_NOT_EXIST);
        break;
      }
      connection.subscriptions.delete(command.subscriptionId);
      connection.startOffsets.delete(subscription);
      subscription.close();
      out.response(command.key, command.correlationId, ResponseCode.OK);
      break;
    }
    case CommandKey.StoreOffset:
      // No answer either way: RabbitMQ logs a refusal and goes on.
      try {
        if (Buffer.byteLength(command.reference) > MAX_REFERENCE_BYTES) throw new Error(`reference longer than ${MAX_REFERENCE_BYTES} bytes`);
        const stream = streamFor(connection, command.stream, 'read');
        stream.store.storeOffset(command.reference, Number(command.offset));
      } catch (error) {
        connection.log.warn({ stream: command.stream, reference: command.reference }, 'offset not stored: %s', (error as Error).message);
      }
      break;
    case CommandKey.QueryOffset: {
      let offset = 0;
      const code = answer(connection, () => {
        const stored = streamFor(connection, command.stream, 'read').store.offsetOf(command.reference);
        if (stored === undefined) throw new StreamRefusal(ResponseCode.NO_OFFSET, `no offset stored for reference '${command.reference}'`);
        offset = stored;
      });
      out.queryOffsetResponse(command.correlationId, code, offset);
      break;
    }
    case CommandKey.Create:
      whenDefinitionsDurable(connection, answer(connection, () => createStream(connection, command.stream, command.arguments)), (code) =>
        out.response(CommandKey.Create, command.correlationId, code),
      );
      break;
    case CommandKey.Delete:
      whenDefinitionsDurable(connection, answer(connection, () => deleteStream(connection, command.stream)), (code) =>
        out.response(CommandKey.Delete, command.correlationId, code),
      );
      break;
    case CommandKey.CreateSuperStream:
      whenDefinitionsDurable(
        connection,
        answer(connection, () => createSuperStream(connection, command.name, command.partitions, command.bindingKeys, command.arguments)),
        (code) => out.response(CommandKey.CreateSuperStream, command.correlationId, code),
      );
      break;
    case CommandKey.DeleteSuperStream:
      whenDefinitionsDurable(connection, answer(connection, () => deleteSuperStream(connection, command.name)), (code) =>
        out.response(CommandKey.DeleteSuperStream, command.correlationId, code),
      );
      break;
    case CommandKey.Metadata: {
      const streams = command.streams.map((name) => metadataOf(connection, name));
      // Brokers are listed only when a found stream refers to one, as RabbitMQ does.
      const brokers = streams.some((s) => s.responseCode === ResponseCode.OK) ? [{ reference: 0, ...connection.advertised }] : [];
      out.metadataResponse(command.correlationId, brokers, streams);
      break;
    }
    case CommandKey.Route: {
      let streams: string[] = [];
      const code = answer(connection, () => (streams = routeOf(connection, command.superStream, command.routingKey)));
      out.routeResponse(command.correlationId, code, streams);
      break;
    }
    case CommandKey.Partitions: {
      let streams: string[] = [];
      const code = answer(connection, () => (streams = partitionsOf(connection, command.superStream)));
      out.partitionsResponse(command.correlationId, code, streams);
      break;
    }
    case CommandKey.StreamStats: {
      let stats: Record<string, Long> = {};
      const code = answer(connection, () => {
        const store = streamFor(connection, command.stream, 'read').store;
        stats = { first_chunk_id: store.firstOffset, committed_chunk_id: Math.max(store.lastChunkId, 0), last_chunk_id: Math.max(store.lastChunkId, 0) };
      });
      out.streamStatsResponse(command.correlationId, code, stats);
      break;
    }
    case ResponseKey.ConsumerUpdate: {
      const subscription = connection.takeConsumerUpdate(command.correlationId);
      if (subscription !== undefined && command.responseCode === ResponseCode.OK) consumerUpdateAnswered(connection, subscription, command.offset);
      break;
    }
    default:
      connection.closeWithError(ResponseCode.UNKNOWN_FRAME, `unexpected command 0x${command.key.toString(16)}`);
      return;
  }
  connection.markDirty();
}

/** Runs a request; returns OK or the response code its refusal maps to (logged with why). */
function answer(connection: StreamConnection, run: () => void): number {
  try {
    run();
    return ResponseCode.OK;
  } catch (error) {
    const code = responseCodeOf(error);
    if (code === ResponseCode.INTERNAL_ERROR) connection.log.error({ err: error }, 'stream command failed');
    else connection.log.info('stream command refused: %s', (error as Error).message);
    return code;
  }
}

/** Answers once the definitions changed so far are on disk (a created stream survives a crash once answered). */
function whenDefinitionsDurable(connection: StreamConnection, code: number, reply: (code: number) => void): void {
  const durability = connection.context.durability;
  const epoch = durability.pendingDefinitionsEpoch;
  if (code !== ResponseCode.OK || epoch === 0 || epoch <= durability.syncedEpoch) {
    reply(code);
    return;
  }
  const stop = durability.onSynced((outcome) => {
    if (outcome.epoch < epoch) return;
    stop();
    reply(outcome.ok ? code : ResponseCode.INTERNAL_ERROR);
    connection.markDirty();
  });
}

function metadataOf(connection: StreamConnection, name: string): StreamMetadata {
  const queue = connection.vhost!.queues.get(name);
  if (queue === undefined || queue.stream === undefined) return { stream: name, responseCode: ResponseCode.STREAM_DOES_NOT_EXIST, leaderReference: -1, replicaReferences: [] };
  return { stream: name, responseCode: ResponseCode.OK, leaderReference: 0, replicaReferences: [] };
}

// --- publishing ---------------------------------------------------------------------

function declarePublisher(connection: StreamConnection, id: number, reference: string, streamName: string): void {
  if (Buffer.byteLength(reference) > MAX_REFERENCE_BYTES) {
    throw new StreamRefusal(ResponseCode.PRECONDITION_FAILED, `publisher reference longer than ${MAX_REFERENCE_BYTES} bytes`);
  }
  const queue = streamQueueFor(connection, streamName, 'write');
  for (const publisher of connection.publishers.values()) {
    if (reference !== '' && publisher.reference === reference && publisher.queue === queue) {
      throw new StreamRefusal(ResponseCode.PRECONDITION_FAILED, `publisher reference '${reference}' is already in use on stream '${streamName}'`);
    }
  }
  if (connection.publishers.has(id)) throw new StreamRefusal(ResponseCode.PRECONDITION_FAILED, `publisher id ${id} is already in use`);
  connection.publishers.set(id, new Publisher(id, reference, queue, queue.stream!));
}

/**
 * Publish, the hot path: every message is appended to the publisher's stream as the
 * client framed it (a simple entry or a sub-batch), except those a named publisher already
 * wrote (publishing id not above the last one stored for its reference), which are
 * confirmed without being written again. Confirms go out as group commits complete.
 */
export function handlePublish(connection: StreamConnection, version: number, buf: Buffer, start: number, end: number): void {
  let reader;
  try {
    reader = connection.publishes.reset(version, buf, start, end);
  } catch (error) {
    connection.closeWithError(ResponseCode.UNKNOWN_FRAME, (error as Error).message);
    return;
  }
  const publisher = connection.publishers.get(reader.publisherId);
  if (publisher === undefined) {
    const ids: Long[] = [];
    while (reader.next()) ids.push(reader.publishingId);
    connection.writer.publishError(reader.publisherId, ids, ResponseCode.PUBLISHER_DOES_NOT_EXIST);
    connection.markDirty();
    return;
  }
  const alarm = connection.context.alarms.blockingReason;
  if (alarm !== undefined) connection.context.alarms.blockPublisher(connection);
  const stream = publisher.stream;
  const store = stream.store;
  const reference = publisher.reference;
  let last = reference === '' ? -1 : (store.sequenceOf(reference) ?? -1);
  let rejected: Long[] | undefined;
  let ready = false;
  while (reader.next()) {
    const id = reader.publishingId;
    const numericId = typeof id === 'number' ? id : Number(id);
    if (reference !== '' && numericId <= last) {
      publisher.track(id, 0);
      ready = true;
      continue;
    }
    const filterValue = reader.filterStart < 0 ? undefined : buf.toString('utf8', reader.filterStart, reader.filterEnd);
    if (reader.isSubBatch && reader.compression !== CompressionType.None && reader.compression !== CompressionType.Gzip) {
      // A compression Warren cannot read back for AMQP consumers: refused, as RabbitMQ refuses unknown ones.
      (rejected ??= []).push(id);
      continue;
    }
    const ticket = reader.isSubBatch
      ? stream.publishEntry(buf.subarray(reader.entryStart, reader.entryEnd), reader.recordCount, filterValue)
      : stream.publishRecord(buf, reader.messageStart, reader.messageEnd, filterValue);
    if (reference !== '') {
      store.noteSequence(reference, numericId);
      last = numericId;
    }
    publisher.published++;
    publisher.track(id, ticket);
  }
  if (rejected !== undefined) connection.writer.publishError(publisher.id, rejected, ResponseCode.PRECONDITION_FAILED);
  if (ready || rejected !== undefined) {
    publisher.confirm(connection.writer, connection.context.durability.syncedEpoch);
    connection.markDirty();
  }
  connection.awaitSync();
}

// --- consuming ------------------------------------------------------------------------

function subscribe(connection: StreamConnection, command: SubscribeRequest): void {
  const queue = streamQueueFor(connection, command.stream, 'read');
  if (connection.subscriptions.has(command.subscriptionId)) {
    throw new StreamRefusal(ResponseCode.SUBSCRIPTION_ID_ALREADY_EXISTS, `subscription id ${command.subscriptionId} is already in use`);
  }
  if (connection.subscriptions.size >= MAX_SUBSCRIPTIONS) throw new StreamRefusal(ResponseCode.PRECONDITION_FAILED, 'too many subscriptions on this connection');
  const properties = command.properties;
  const single = properties['single-active-consumer'] === 'true';
  const name = properties['name'];
  if (single && (name === undefined || name === '')) throw new StreamRefusal(ResponseCode.PRECONDITION_FAILED, 'a single active consumer must have a name');
  if (name !== undefined && Buffer.byteLength(name) > MAX_REFERENCE_BYTES) throw new StreamRefusal(ResponseCode.PRECONDITION_FAILED, `consumer name longer than ${MAX_REFERENCE_BYTES} bytes`);
  const stream = queue.stream!;
  const filter = filterOf(filterArguments(properties));
  const subscription = new Subscription(command.subscriptionId, queue, stream, command.credit, properties, filter, single ? name : undefined, connection);
  connection.subscriptions.set(command.subscriptionId, subscription);
  connection.startOffsets.set(subscription, command.offset);
  if (!single) {
    subscription.start(resolveOffset(domainSpec(command.offset), stream.store));
    return;
  }
  // The active member is told so once the subscribe answer is out, and reads from where the client says.
  if (stream.consumerGroups.join(name!, subscription)) queueMicrotask(() => subscription.activate());
}

/** The client answered a ConsumerUpdate: the now active subscription starts where it says (or where it subscribed). */
export function consumerUpdateAnswered(connection: StreamConnection, subscription: Subscription, offset: OffsetSpec | null): void {
  const spec = offset === null || offset.type === OffsetType.None ? connection.startOffsets.get(subscription) : offset;
  subscription.start(resolveOffset(domainSpec(spec ?? { type: OffsetType.Next }), subscription.stream.store));
}

function domainSpec(offset: OffsetSpec): DomainOffsetSpec {
  // OffsetType.None only comes in a ConsumerUpdate answer; it was replaced by the subscription's own spec.
  switch (offset.type) {
    case OffsetType.First:
      return { kind: 'first' };
    case OffsetType.Last:
      return { kind: 'last' };
    case OffsetType.Offset:
      return { kind: 'offset', offset: Number(offset.offset) };
    case OffsetType.Timestamp:
      return { kind: 'timestamp', ms: Number(offset.timestamp) };
    default:
      return { kind: 'next' };
  }
}

/** The filtering extension's subscription properties (filter.0, filter.1, ..., match-unfiltered) as consumer arguments. */
function filterArguments(properties: Readonly<Record<string, string>>): { 'x-stream-filter'?: string[]; 'x-stream-match-unfiltered'?: boolean } {
  const values: string[] = [];
  for (const [key, value] of Object.entries(properties)) if (key.startsWith('filter.')) values.push(value);
  if (values.length === 0) return {};
  return { 'x-stream-filter': values, 'x-stream-match-unfiltered': properties['match-unfiltered'] === 'true' };
}
