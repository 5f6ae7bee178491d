import { encodeContentHeader } from '../amqp/content.js';
import { copyTable, type FieldTable, type FieldValue } from '../amqp/field-table.js';
import type { BasicProperties } from '../amqp/spec.generated.js';
import { Message } from './message.js';
import { publish, PublishResult, type PublishOptions } from './publish.js';
import type { DeathReason, Queue, QueuedMessage } from './queues/queue.js';
import type { VirtualHost } from './vhost.js';

/** What dead-lettering did: whether some queue took the message, and the durability ticket of that. */
export interface DeadLetterOutcome {
  readonly routed: boolean;
  readonly ticket: number;
}

const NOT_ROUTED: DeadLetterOutcome = { routed: false, ticket: 0 };

/**
 * Republishes a message that died in `queue` (rejected, expired, dropped by a length
 * limit, past its delivery limit) to the queue's dead-letter exchange, through the one
 * publish path. A missing dead-letter exchange, or one that routes it nowhere, is
 * "not routed": at-most-once drops it then (as RabbitMQ does, silently), at-least-once
 * keeps it in its queue.
 */
export function deadLetter(vhost: VirtualHost, queue: Queue, entry: QueuedMessage, reason: DeathReason): DeadLetterOutcome {
  const exchangeName = queue.settings.deadLetterExchange;
  if (exchangeName === undefined) return NOT_ROUTED;
  const exchange = vhost.exchanges.get(exchangeName);
  if (!exchange) return NOT_ROUTED;
  const replacesRoutingKey = queue.settings.deadLetterRoutingKey !== undefined;
  const routingKey = queue.settings.deadLetterRoutingKey ?? entry.message.routingKey;
  const message = deadLetteredMessage(entry, queue, reason, exchangeName, routingKey, replacesRoutingKey);
  const options: PublishOptions =
    reason === 'rejected' ? DEAD_LETTER_PUBLISH : { mandatory: false, fromClient: false, accepts: (target) => !isDeadLetterCycle(message, target) };
  const result = publish(vhost, exchange, message, options, new PublishResult());
  return { routed: result.routed && !result.rejected, ticket: result.ticket };
}

const DEAD_LETTER_PUBLISH: PublishOptions = { mandatory: false, fromClient: false };

/**
 * The message as it is republished to a dead-letter exchange: RabbitMQ's `x-death`
 * history (newest first, one entry per queue and reason with a count) and the
 * `x-first-death-*` headers; a per-message expiration moves into the history so the
 * dead-lettered copy does not expire again.
 */
function deadLetteredMessage(
  entry: QueuedMessage,
  queue: Queue,
  reason: DeathReason,
  exchange: string,
  routingKey: string,
  replacesRoutingKey: boolean,
): Message {
  const original = entry.message;
  const properties: BasicProperties = { ...original.properties };
  const headers: FieldTable = properties.headers ? copyTable(properties.headers) : {};
  const deaths = Array.isArray(headers['x-death']) ? [...(headers['x-death'] as FieldValue[])] : [];

  const previous = deaths.findIndex(
    (death) => isTable(death) && death.queue === queue.name && death.reason === reason,
  );
  if (previous >= 0) {
    const death = { ...(deaths[previous] as FieldTable) };
    death.count = Number(death.count ?? 0) + 1;
    deaths.splice(previous, 1);
    deaths.unshift(death);
  } else {
    const death: FieldTable = {
      count: 1,
      reason,
      queue: queue.name,
      time: new Date(Math.floor(Date.now() / 1000) * 1000),
      exchange: original.exchange,
      'routing-keys': [original.routingKey, ...(original.visibleCcKeys ?? [])],
    };
    if (properties.expiration !== undefined) death['original-expiration'] = properties.expiration;
    deaths.unshift(death);
  }
  headers['x-death'] = deaths;
  if (headers['x-first-death-reason'] === undefined) {
    headers['x-first-death-reason'] = reason;
    headers['x-first-death-queue'] = queue.name;
    headers['x-first-death-exchange'] = original.exchange;
  }
  // A dead-letter routing key replaces every key, CC included (RabbitMQ's rule).
  const keepCc = !replacesRoutingKey && original.visibleCcKeys !== undefined;
  if (replacesRoutingKey) delete headers.CC;
  properties.headers = headers;
  delete properties.expiration;

  const header = encodeContentHeader(60, original.bodySize, properties);
  const message = new Message(exchange, routingKey, header, original.body);
  if (keepCc) message.ccKeys = message.visibleCcKeys = original.visibleCcKeys;
  return message;
}

function isTable(value: FieldValue): value is FieldTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/**
 * RabbitMQ drops a dead-lettered message that would come back to a queue it already
 * died in, unless a client rejected it somewhere on the way (only then is the cycle
 * a deliberate retry loop rather than messages circling forever).
 */
function isDeadLetterCycle(message: Message, target: Queue): boolean {
  const deaths = message.properties.headers?.['x-death'];
  if (!Array.isArray(deaths)) return false;
  let seen = false;
  for (const death of deaths) {
    if (!isTable(death)) continue;
    if (death.reason === 'rejected') return false;
    if (death.queue === target.name) seen = true;
  }
  return seen;
}
