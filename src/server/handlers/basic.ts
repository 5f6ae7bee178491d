import { randomBytes } from 'node:crypto';
import { AmqpError } from '../../amqp/errors.js';
import { MethodId, ReplyCode, type BasicConsume, type BasicGet, type Method } from '../../amqp/spec.generated.js';
import type { Channel } from '../channel.js';
import { ChannelConsumer } from '../channel-consumer.js';
import { DIRECT_REPLY_TO } from '../../broker/direct-reply.js';
import { startDirectReply } from '../direct-reply-to.js';
import type { Delivery } from '../unacked.js';

export type Settlement = 'ack' | 'requeue' | 'discard';

/** basic.* except publish (see publish.ts). */
export function handleBasicMethod(channel: Channel, method: Method): void {
  switch (method.id) {
    case MethodId.BasicQos:
      if (method.prefetchSize !== 0) {
        throw new AmqpError(ReplyCode.NOT_IMPLEMENTED, `prefetch_size!=0 (${method.prefetchSize})`, 60, 10);
      }
      if (method.global) channel.channelPrefetch = method.prefetchCount;
      else channel.consumerPrefetch = method.prefetchCount;
      channel.send({ id: MethodId.BasicQosOk });
      channel.resumeConsumers();
      return;
    case MethodId.BasicConsume:
      return consume(channel, method);
    case MethodId.BasicCancel:
      cancel(channel, method.consumerTag);
      if (!method.nowait) channel.send({ id: MethodId.BasicCancelOk, consumerTag: method.consumerTag });
      return;
    case MethodId.BasicGet:
      return get(channel, method);
    case MethodId.BasicAck:
      return settle(channel, channel.unacked.take(method.deliveryTag, method.multiple), 'ack');
    case MethodId.BasicReject:
      return settle(channel, channel.unacked.take(method.deliveryTag, false), method.requeue ? 'requeue' : 'discard');
    case MethodId.BasicNack:
      return settle(
        channel,
        channel.unacked.take(method.deliveryTag, method.multiple),
        method.requeue ? 'requeue' : 'discard',
      );
    case MethodId.BasicRecover:
    case MethodId.BasicRecoverAsync:
      if (!method.requeue) throw new AmqpError(ReplyCode.NOT_IMPLEMENTED, 'requeue=false', 60, method.id & 0xffff);
      settle(channel, channel.unacked.takeAll(), 'requeue');
      if (method.id === MethodId.BasicRecover) channel.send({ id: MethodId.BasicRecoverOk });
      return;
    default:
      throw new AmqpError(ReplyCode.COMMAND_INVALID, 'unexpected basic method', 60, method.id & 0xffff);
  }
}

function consume(channel: Channel, method: BasicConsume): void {
  const tag = method.consumerTag || `amq.ctag-${randomBytes(16).toString('base64url')}`;
  if (channel.consumers.has(tag) || channel.directReply?.tag === tag) {
    throw new AmqpError(ReplyCode.NOT_ALLOWED, `attempt to reuse consumer tag '${tag}'`, 60, 20);
  }
  if (method.queue === DIRECT_REPLY_TO) {
    startDirectReply(channel, method, tag);
    if (!method.nowait) channel.send({ id: MethodId.BasicConsumeOk, consumerTag: tag });
    return;
  }
  const queueName = channel.queueName(method.queue);
  channel.checkAccess('read', 'queue', queueName);
  const queue = channel.vhost.queueFor(queueName, channel.connection);
  queue.assertCanConsume({
    tagChosenByClient: method.consumerTag !== '',
    exclusive: method.exclusive,
    noAck: method.noAck,
    prefetch: channel.consumerPrefetch,
    globalQos: channel.channelPrefetch > 0,
    arguments: method.arguments,
  });
  const consumer = new ChannelConsumer(
    channel,
    queue,
    tag,
    method.noAck,
    method.exclusive,
    channel.consumerPrefetch,
    method.arguments,
  );
  channel.consumers.set(tag, consumer);
  // consume-ok must reach the client before the first delivery, which addConsumer may trigger.
  if (!method.nowait) channel.send({ id: MethodId.BasicConsumeOk, consumerTag: tag });
  queue.addConsumer(consumer);
}

function cancel(channel: Channel, tag: string): void {
  if (channel.directReply?.tag === tag) {
    channel.directReply.cancel();
    channel.directReply = undefined;
    return;
  }
  const consumer = channel.consumers.get(tag);
  if (!consumer) return; // RabbitMQ answers cancel-ok for unknown tags too
  channel.consumers.delete(tag);
  consumer.queue.removeConsumer(consumer);
}

function get(channel: Channel, method: BasicGet): void {
  const queueName = channel.queueName(method.queue);
  channel.checkAccess('read', 'queue', queueName);
  const queue = channel.vhost.queueFor(queueName, channel.connection);
  const entry = queue.get(method.noAck);
  if (entry === undefined) {
    channel.send({ id: MethodId.BasicGetEmpty, clusterId: '' });
    return;
  }
  const tag = ++channel.lastDeliveryTag;
  const message = entry.message;
  channel.send({
    id: MethodId.BasicGetOk,
    deliveryTag: tag,
    redelivered: entry.redelivered,
    exchange: message.exchange,
    routingKey: message.routingKey,
    messageCount: queue.messageCount,
  });
  channel.sendContent(message.header, message.body);
  channel.handedOut(tag, queue, entry, undefined, method.noAck);
}

/** Applies acks, requeues or discards now, or at tx.commit inside a transaction. */
export function settle(channel: Channel, deliveries: Delivery[], outcome: Settlement): void {
  if (channel.transaction) {
    channel.transaction.settlements.push({ deliveries, outcome });
    return;
  }
  applySettlement(channel, deliveries, outcome);
}

export function applySettlement(channel: Channel, deliveries: readonly Delivery[], outcome: Settlement): void {
  // Free prefetch room first, so a requeued message may go straight back to a consumer.
  for (const delivery of deliveries) if (delivery.consumer) delivery.consumer.unacked--;
  if (outcome === 'requeue') channel.requeue(deliveries);
  else if (outcome === 'ack') {
    for (const delivery of deliveries) delivery.queue.ack(delivery.entry);
    channel.stats.ack += deliveries.length;
    channel.connection.context.stats.acknowledged += deliveries.length;
  }
  else for (const delivery of deliveries) delivery.queue.discard(delivery.entry);
  channel.resumeConsumers();
}
