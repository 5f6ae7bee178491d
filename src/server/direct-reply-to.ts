import { randomBytes } from 'node:crypto';
import { encodeContentHeader, PropertyFlag } from '../amqp/content.js';
import { MethodId, type BasicConsume } from '../amqp/spec.generated.js';
import { preconditionFailed } from '../broker/errors.js';
import { Message } from '../broker/message.js';
import { DIRECT_REPLY_PREFIX, DIRECT_REPLY_TO, type DirectReplyTarget } from '../broker/direct-reply.js';
import type { Channel } from './channel.js';

/**
 * A channel consuming the pseudo-queue `amq.rabbitmq.reply-to` (no-ack only) gets
 * replies addressed to `amq.rabbitmq.reply-to.<key>` as deliveries on that consumer.
 */
export class DirectReplyConsumer implements DirectReplyTarget {
  constructor(
    readonly channel: Channel,
    readonly tag: string,
    readonly key: string,
  ) {}

  get address(): string {
    return DIRECT_REPLY_PREFIX + this.key;
  }

  deliverReply(message: Message): void {
    const channel = this.channel;
    if (!channel.isOpen) return;
    channel.send({
      id: MethodId.BasicDeliver,
      consumerTag: this.tag,
      deliveryTag: ++channel.lastDeliveryTag,
      redelivered: false,
      exchange: message.exchange,
      routingKey: message.routingKey,
    });
    channel.sendContent(message.header, message.body);
  }

  cancel(): void {
    const targets = this.channel.vhost.directReplyTargets;
    if (targets.get(this.key) === this) targets.delete(this.key);
  }
}

export function startDirectReply(channel: Channel, method: BasicConsume, tag: string): DirectReplyConsumer {
  if (!method.noAck) throw preconditionFailed('reply consumer cannot acknowledge');
  if (channel.directReply) throw preconditionFailed('reply consumer already set');
  const consumer = new DirectReplyConsumer(channel, tag, randomBytes(18).toString('base64url'));
  channel.vhost.directReplyTargets.set(consumer.key, consumer);
  channel.directReply = consumer;
  return consumer;
}

/** A request whose reply_to is the pseudo-queue gets the channel's real reply address instead. */
export function withReplyAddress(channel: Channel, message: Message): Message {
  if (!message.hasProperty(PropertyFlag.ReplyTo)) return message;
  const properties = message.properties;
  if (properties.replyTo !== DIRECT_REPLY_TO) return message;
  if (!channel.directReply) throw preconditionFailed('fast reply consumer does not exist');
  const header = encodeContentHeader(60, message.bodySize, { ...properties, replyTo: channel.directReply.address });
  return new Message(message.exchange, message.routingKey, header, message.body);
}
