import type { Exchange } from '../broker/exchange.js';
import type { ClientChannel, ClientConnection } from '../broker/clients.js';
import type { Queue } from '../broker/queues/queue.js';
import type { GlobalStats } from '../broker/stats.js';
import type { JsonObject } from './json-table.js';
import type { RateSampler } from './rates.js';

/**
 * The counters each kind of object reports, in RabbitMQ's field names, and how to read
 * them. The same vector is what the rate sampler records, so `names[i]` has its rate at
 * index i. Gauges (message counts) sit at the end of a queue's vector so that
 * `messages_details.rate` works like RabbitMQ's too.
 */
export interface CounterSpec<T> {
  readonly names: readonly string[];
  read(object: T): number[];
}

export const QUEUE_MESSAGE_STATS: CounterSpec<Queue> = {
  names: ['ack', 'deliver', 'deliver_get', 'deliver_no_ack', 'get', 'get_empty', 'get_no_ack', 'publish', 'redeliver'],
  read: ({ stats: s }) => [s.ack, s.deliver, s.deliver + s.deliverNoAck + s.get + s.getNoAck, s.deliverNoAck, s.get, 0, s.getNoAck, s.publish, s.redeliver],
};

/** Queue gauges whose rates RabbitMQ shows (messages_details, ...), after the message stats. */
export const QUEUE_GAUGES = ['messages', 'messages_ready', 'messages_unacknowledged'] as const;

export function queueVector(queue: Queue): number[] {
  const ready = queue.messageCount;
  const unacked = queue.unackedMessageCount;
  return [...QUEUE_MESSAGE_STATS.read(queue), ready + unacked, ready, unacked];
}

export const EXCHANGE_MESSAGE_STATS: CounterSpec<Exchange> = {
  names: ['publish_in', 'publish_out'],
  read: ({ stats }) => [stats.publishIn, stats.publishOut],
};

export const CHANNEL_MESSAGE_STATS: CounterSpec<ClientChannel> = {
  names: ['ack', 'confirm', 'deliver', 'deliver_get', 'deliver_no_ack', 'get', 'get_empty', 'get_no_ack', 'publish', 'redeliver', 'return_unroutable'],
  read: ({ stats: s }) => [
    s.ack,
    s.confirm,
    s.deliver,
    s.deliver + s.deliverNoAck + s.get + s.getNoAck,
    s.deliverNoAck,
    s.get,
    0,
    s.getNoAck,
    s.publish,
    s.redeliver,
    s.returnUnroutable,
  ],
};

export const CONNECTION_TRAFFIC: CounterSpec<ClientConnection> = {
  names: ['recv_oct', 'send_oct'],
  read: (c) => [c.bytesReceived, c.bytesSent],
};

export const GLOBAL_MESSAGE_STATS: CounterSpec<GlobalStats> = {
  names: ['ack', 'confirm', 'deliver', 'deliver_get', 'drop_unroutable', 'get', 'get_empty', 'publish', 'redeliver', 'return_unroutable'],
  read: (s) => [s.acknowledged, s.confirmed, s.delivered, s.delivered + s.get, s.unroutableDropped, s.get, 0, s.received, s.redelivered, s.unroutableReturned],
};

/**
 * Adds `name` and `name_details: { rate }` for each counter, RabbitMQ's shape for a
 * counter with its rate. `offset` is where these names start in the sampled vector.
 */
export function withDetails(
  target: JsonObject,
  names: readonly string[],
  values: readonly number[],
  sampler: RateSampler,
  key: object,
  offset = 0,
): JsonObject {
  for (let i = 0; i < names.length; i++) {
    target[names[i]] = values[i];
    target[`${names[i]}_details`] = { rate: sampler.rate(key, offset + i) };
  }
  return target;
}

/** message_stats as RabbitMQ shows it: absent (undefined) until the object has seen a message. */
export function messageStats(
  names: readonly string[],
  values: readonly number[],
  sampler: RateSampler,
  key: object,
): JsonObject | undefined {
  if (!values.some((value) => value !== 0)) return undefined;
  return withDetails({}, names, values, sampler, key);
}
