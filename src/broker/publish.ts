import { DIRECT_REPLY_PREFIX } from './direct-reply.js';
import type { Exchange } from './exchange.js';
import type { Message } from './message.js';
import { REJECTED, type Queue } from './queues/queue.js';
import type { VirtualHost } from './vhost.js';

export interface PublishOptions {
  /** basic.publish's mandatory flag: an unroutable message goes back to the publisher (counted as returned). */
  readonly mandatory: boolean;
  /**
   * Counted as a message received from a client (RabbitMQ's global and exchange
   * counters). Dead-lettered messages are not: they were counted when first published.
   */
  readonly fromClient: boolean;
  /** Queues the message must not reach even if routed there (dead-letter cycles). */
  readonly accepts?: (queue: Queue) => boolean;
}

export const CLIENT_PUBLISH: PublishOptions = { mandatory: false, fromClient: true };
export const MANDATORY_CLIENT_PUBLISH: PublishOptions = { mandatory: true, fromClient: true };

/**
 * What one publish did. Each publisher keeps one and passes it to every publish, so
 * the hot path allocates nothing for the answer.
 */
export class PublishResult {
  /** Some queue (or direct reply-to consumer) took the message, or refused it for being full. */
  routed = false;
  /** A queue refused it (overflow reject-publish): its confirm is a basic.nack. */
  rejected = false;
  /** The durability epoch the publisher's confirm waits for; 0 when nothing needs to reach disk. */
  ticket = 0;
  /** A queue asking publishers to slow down (its backlog keeps growing while consumers drain it). */
  congested: Queue | undefined = undefined;

  reset(): this {
    this.routed = false;
    this.rejected = false;
    this.ticket = 0;
    this.congested = undefined;
    return this;
  }
}

/**
 * The one way a message enters the broker, for AMQP publishes and transactions, the
 * HTTP API, dead-lettering (and later MQTT and shovels): route by the exchange (and
 * alternate exchanges), enqueue in every queue reached, and report the outcome the
 * protocol turns into a confirm, a nack or a basic.return.
 */
export function publish(
  vhost: VirtualHost,
  exchange: Exchange,
  message: Message,
  options: PublishOptions,
  result: PublishResult,
): PublishResult {
  result.reset();
  const stats = vhost.stats;
  if (options.fromClient) {
    stats.received++;
    exchange.stats.publishIn++;
  }
  if (exchange.name === '' && message.routingKey.startsWith(DIRECT_REPLY_PREFIX)) {
    const target = vhost.directReplyTargets.get(message.routingKey.slice(DIRECT_REPLY_PREFIX.length));
    if (target !== undefined) {
      target.deliverReply(message);
      result.routed = true;
    }
  } else {
    // A client's publish never runs inside another, so it routes into the vhost's reused
    // array. Enqueueing can dead-letter (drop-head overflow), and that publish can overflow
    // another queue in turn: internal publishes take their queues out of the array first.
    const routed = vhost.route(exchange, message, message.routingKey, !options.fromClient);
    const queues = options.fromClient ? routed : [...routed];
    const accepts = options.accepts;
    let ticket = 0;
    for (let i = 0; i < queues.length; i++) {
      const queue = queues[i];
      if (accepts !== undefined && !accepts(queue)) continue;
      result.routed = true;
      const queueTicket = queue.enqueue(message);
      if (queueTicket === REJECTED) result.rejected = true;
      else if (queueTicket > ticket) ticket = queueTicket;
      if (result.congested === undefined && queue.congested) result.congested = queue;
    }
    result.ticket = ticket;
  }
  if (result.routed) {
    if (options.fromClient) {
      stats.routed++;
      exchange.stats.publishOut++;
    }
  } else if (options.fromClient) {
    if (options.mandatory) stats.unroutableReturned++;
    else stats.unroutableDropped++;
  }
  return result;
}
