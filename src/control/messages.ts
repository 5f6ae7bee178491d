import type { QueueOwner } from '../broker/queues/queue.js';
import { encodeContentHeader } from '../amqp/content.js';
import { notFound } from '../broker/errors.js';
import { Message } from '../broker/message.js';
import { CLIENT_PUBLISH, publish, PublishResult } from '../broker/publish.js';
import type { QueuedMessage } from '../broker/queues/queue.js';
import { withSenderSelectedKeys } from '../broker/sender-selected.js';
import type { ControlContext } from './context.js';
import { badRequest } from './errors.js';
import { DEFAULT_EXCHANGE_PATH_NAME, requireVhost } from './exchanges.js';
import type { JsonObject } from './json-table.js';
import { propertiesFromJson, propertiesToJson } from './message-properties.js';
import { checkAccess, type Actor } from './permissions.js';

/** POST /api/exchanges/{vhost}/{name}/publish. */
export interface PublishRequest {
  routing_key: string;
  payload: string;
  payload_encoding: 'string' | 'base64';
  properties: Record<string, unknown>;
}

/** POST /api/queues/{vhost}/{name}/get. */
export interface GetRequest {
  count: number;
  ackmode: AckMode;
  encoding: 'auto' | 'base64';
  /** Payload bytes to show at most. */
  truncate?: number;
}

export const ACK_MODES = ['ack_requeue_true', 'ack_requeue_false', 'reject_requeue_true', 'reject_requeue_false'] as const;
export type AckMode = (typeof ACK_MODES)[number];

/** Publishing and fetching messages over the control plane (for people and scripts, not throughput). */
export class MessagesControl {
  constructor(
    private readonly ctx: ControlContext,
    private readonly owner: QueueOwner,
  ) {}

  /** Routes one message as a basic.publish would; `routed` says whether any queue took it. */
  publish(vhostName: string, exchangeName: string, request: PublishRequest, actor?: Actor): { routed: boolean } {
    const vhost = requireVhost(this.ctx, vhostName);
    const name = exchangeName === DEFAULT_EXCHANGE_PATH_NAME ? '' : exchangeName;
    checkAccess(this.ctx, actor, vhostName, 'write', 'exchange', name);
    const exchange = vhost.exchanges.get(name);
    // RabbitMQ answers 400 here, quoting the AMQP error its internal channel got.
    if (!exchange) throw badRequest(`404 NOT_FOUND - no exchange '${exchangeName}' in vhost '${vhostName}'`);
    vhost.exchangeForPublish(name);
    const properties = propertiesFromJson(request.properties);
    if (actor !== undefined && properties.userId !== undefined && properties.userId !== actor) {
      throw badRequest(`406 PRECONDITION_FAILED - user_id property set to '${properties.userId}' but authenticated user was '${actor}'`);
    }
    const body = request.payload_encoding === 'base64' ? Buffer.from(request.payload, 'base64') : Buffer.from(request.payload, 'utf8');
    const header = encodeContentHeader(60, body.length, properties);
    const message = withSenderSelectedKeys(new Message(name, request.routing_key, header, body));
    return { routed: publish(vhost, exchange, message, CLIENT_PUBLISH, new PublishResult()).routed };
  }

  /**
   * Takes up to `count` messages from the head of the queue, then acks, requeues or
   * rejects them all as `ackmode` says (requeued ones come back in place, redelivered).
   */
  get(vhostName: string, queueName: string, request: GetRequest, actor?: Actor): JsonObject[] {
    const vhost = requireVhost(this.ctx, vhostName);
    if (!vhost.queues.has(queueName)) throw notFound(`no queue '${queueName}' in vhost '${vhostName}'`);
    checkAccess(this.ctx, actor, vhostName, 'read', 'queue', queueName);
    const queue = vhost.queueFor(queueName, this.owner);
    const taken: QueuedMessage[] = [];
    const views: JsonObject[] = [];
    for (let i = 0; i < request.count; i++) {
      const entry = queue.get(false);
      if (entry === undefined) break;
      taken.push(entry);
      views.push(messageView(entry, queue.messageCount, request));
    }
    const stats = this.ctx.stats;
    stats.get += taken.length;
    stats.redelivered += taken.filter((entry) => entry.redelivered).length;
    switch (request.ackmode) {
      case 'ack_requeue_true':
      case 'reject_requeue_true':
        queue.requeue(taken);
        break;
      case 'ack_requeue_false':
        for (const entry of taken) queue.ack(entry);
        stats.acknowledged += taken.length;
        break;
      case 'reject_requeue_false':
        for (const entry of taken) queue.discard(entry);
        break;
    }
    return views;
  }
}

function messageView(entry: QueuedMessage, remaining: number, request: GetRequest): JsonObject {
  const { message } = entry;
  const body = request.truncate !== undefined && request.truncate < message.bodySize ? message.body.subarray(0, request.truncate) : message.body;
  const asText = request.encoding === 'auto' ? utf8(body) : undefined;
  return {
    payload_bytes: message.bodySize,
    redelivered: entry.redelivered,
    exchange: message.exchange,
    routing_key: message.routingKey,
    message_count: remaining,
    properties: propertiesToJson(message.properties),
    payload: asText ?? body.toString('base64'),
    payload_encoding: asText === undefined ? 'base64' : 'string',
  };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: Buffer): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}
