/**
 * Streams and super streams declared and deleted over the stream protocol, as RabbitMQ's
 * rabbit_stream_manager does it: a stream is a queue of type stream (its arguments the
 * protocol's string map turned into x- queue arguments), a super stream a durable direct
 * exchange (x-super-stream = true) with its partition streams bound in order
 * (x-stream-partition-order).
 */
import type { FieldTable } from '../../amqp/field-table.js';
import { encodeContentHeader } from '../../amqp/content.js';
import { ClassId } from '../../amqp/spec.generated.js';
import { Message } from '../../broker/message.js';
import { ResponseCode } from '../protocol/index.js';
import { checkAccess } from './lookup.js';
import type { StreamConnection } from './connection.js';
import { StreamRefusal } from './errors.js';

/** Protocol argument -> queue argument, and whether its value is a number. */
const ARGUMENTS: Readonly<Record<string, readonly [string, 'long' | 'string']>> = {
  'max-length-bytes': ['x-max-length-bytes', 'long'],
  'max-age': ['x-max-age', 'string'],
  'stream-max-segment-size-bytes': ['x-stream-max-segment-size-bytes', 'long'],
  'initial-cluster-size': ['x-initial-cluster-size', 'long'],
  'queue-leader-locator': ['x-queue-leader-locator', 'string'],
  'stream-filter-size-bytes': ['x-stream-filter-size-bytes', 'long'],
};
/** RabbitMQ's stream.max_super_stream_partitions default... and a sane bound on one request. */
const MAX_PARTITIONS = 1024;
const EMPTY_HEADER = encodeContentHeader(ClassId.Basic, 0, {});

/** The queue arguments a Create's string map stands for; unknown keys are ignored, as RabbitMQ does. */
export function streamArguments(map: Readonly<Record<string, string>>): FieldTable {
  const args: FieldTable = { 'x-queue-type': 'stream' };
  for (const [key, value] of Object.entries(map)) {
    const known = ARGUMENTS[key];
    if (known === undefined) continue;
    const [argument, kind] = known;
    if (kind === 'string') {
      args[argument] = value;
      continue;
    }
    if (!/^-?\d+$/.test(value)) throw new StreamRefusal(ResponseCode.PRECONDITION_FAILED, `${key} must be an integer, got '${value}'`);
    args[argument] = Number(value);
  }
  return args;
}

export function createStream(connection: StreamConnection, name: string, map: Readonly<Record<string, string>>): void {
  assertName(name, 'stream');
  checkAccess(connection, 'configure', 'queue', name);
  const vhost = connection.vhost!;
  const existed = vhost.queues.has(name);
  // A queue of the same name with other arguments (or another type) is refused as inequivalent (0x11).
  vhost.declareQueue({ name, passive: false, durable: true, exclusive: false, autoDelete: false, arguments: streamArguments(map) }, connection);
  if (existed) throw new StreamRefusal(ResponseCode.STREAM_ALREADY_EXISTS, `stream '${name}' already exists`);
}

export function deleteStream(connection: StreamConnection, name: string): void {
  checkAccess(connection, 'configure', 'queue', name);
  const queue = connection.vhost!.queues.get(name);
  if (queue === undefined || queue.stream === undefined) throw new StreamRefusal(ResponseCode.STREAM_DOES_NOT_EXIST, `stream '${name}' does not exist`);
  connection.vhost!.deleteQueue(name, false, false, connection);
}

export function createSuperStream(
  connection: StreamConnection,
  name: string,
  partitions: readonly string[],
  bindingKeys: readonly string[],
  map: Readonly<Record<string, string>>,
): void {
  const vhost = connection.vhost!;
  if (partitions.length !== bindingKeys.length) {
    throw new StreamRefusal(ResponseCode.PRECONDITION_FAILED, 'There must be the same number of partitions and binding keys');
  }
  if (partitions.length === 0 || partitions.length > MAX_PARTITIONS) {
    throw new StreamRefusal(ResponseCode.PRECONDITION_FAILED, `a super stream needs 1 to ${MAX_PARTITIONS} partitions`);
  }
  if (new Set(partitions).size !== partitions.length) throw new StreamRefusal(ResponseCode.PRECONDITION_FAILED, `Duplicate partition names found ${partitions.join(', ')}`);
  assertName(name, 'super stream');
  for (const partition of partitions) assertName(partition, 'partition');
  checkAccess(connection, 'configure', 'exchange', name);
  for (const partition of partitions) checkAccess(connection, 'configure', 'queue', partition);
  if (vhost.exchanges.has(name)) throw new StreamRefusal(ResponseCode.STREAM_ALREADY_EXISTS, `there is already an exchange named ${name}`);
  for (const partition of partitions) {
    if (vhost.queues.has(partition)) throw new StreamRefusal(ResponseCode.STREAM_ALREADY_EXISTS, `there is already a queue named ${partition}`);
  }
  const args = streamArguments({ 'queue-leader-locator': 'balanced', ...map });
  vhost.declareExchange({ name, type: 'direct', passive: false, durable: true, autoDelete: false, internal: false, arguments: { 'x-super-stream': true } });
  const created: string[] = [];
  try {
    partitions.forEach((partition, order) => {
      vhost.declareQueue({ name: partition, passive: false, durable: true, exclusive: false, autoDelete: false, arguments: args }, connection);
      created.push(partition);
      vhost.bindQueue(partition, name, bindingKeys[order]!, { 'x-stream-partition-order': order }, connection);
    });
  } catch (error) {
    // All or nothing, as RabbitMQ rolls back.
    for (const partition of created) vhost.deleteQueue(partition, false, false, connection);
    vhost.deleteExchange(name, false);
    throw error;
  }
}

export function deleteSuperStream(connection: StreamConnection, name: string): void {
  const vhost = connection.vhost!;
  checkAccess(connection, 'configure', 'exchange', name);
  const partitions = partitionNames(connection, name);
  for (const partition of partitions) checkAccess(connection, 'configure', 'queue', partition);
  vhost.deleteExchange(name, false);
  for (const partition of partitions) vhost.deleteQueue(partition, false, false, connection);
}

/** The partition streams of a super stream, in their x-stream-partition-order. */
export function partitionsOf(connection: StreamConnection, superStream: string): string[] {
  const user = connection.userName;
  const vhost = connection.vhostName;
  const access = connection.context.access;
  const readable = (name: string) => access.allows(user, vhost, 'read', name) || access.allows(user, vhost, 'write', name);
  if (!readable(superStream)) throw new StreamRefusal(ResponseCode.ACCESS_REFUSED, `access to exchange '${superStream}' refused`);
  const partitions = partitionNames(connection, superStream);
  if (!partitions.every((p) => readable(p))) throw new StreamRefusal(ResponseCode.ACCESS_REFUSED, `access to a partition of '${superStream}' refused`);
  return partitions;
}

/** The partition streams a routing key reaches in a super stream (its exchange's own routing). */
export function routeOf(connection: StreamConnection, superStream: string, routingKey: string): string[] {
  checkAccess(connection, 'write', 'exchange', superStream);
  const vhost = connection.vhost!;
  const exchange = vhost.exchanges.get(superStream);
  if (exchange === undefined) throw new StreamRefusal(ResponseCode.STREAM_DOES_NOT_EXIST, `super stream '${superStream}' does not exist`);
  const streams = vhost
    .route(exchange, new Message(superStream, routingKey, EMPTY_HEADER, Buffer.alloc(0)), routingKey)
    .filter((queue) => queue.stream !== undefined)
    .map((queue) => queue.name);
  for (const stream of streams) checkAccess(connection, 'write', 'queue', stream);
  return streams;
}

function partitionNames(connection: StreamConnection, superStream: string): string[] {
  const exchange = connection.vhost!.exchanges.get(superStream);
  if (exchange === undefined) throw new StreamRefusal(ResponseCode.STREAM_DOES_NOT_EXIST, `super stream '${superStream}' does not exist`);
  const bound: [number, string][] = [];
  for (const binding of exchange.bindings.values()) {
    const destination = binding.destination;
    if (destination.kind !== 'queue' || destination.stream === undefined) continue;
    const order = binding.arguments['x-stream-partition-order'];
    bound.push([order === undefined ? Number.MAX_SAFE_INTEGER : Number(order), destination.name]);
  }
  bound.sort((a, b) => a[0] - b[0]);
  return bound.map(([, name]) => name);
}

/** RabbitMQ's enforce_correct_name: no empty names, no control characters. */
function assertName(name: string, what: string): void {
  if (name === '' || /[\u0000-\u001f]/.test(name)) throw new StreamRefusal(ResponseCode.PRECONDITION_FAILED, `'${name}' is not a correct ${what} name`);
}
