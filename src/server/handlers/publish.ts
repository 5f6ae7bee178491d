import { AmqpError } from '../../amqp/errors.js';
import { PropertyFlag } from '../../amqp/content.js';
import { MethodId, ReplyCode, type BasicPublish } from '../../amqp/spec.generated.js';
import { preconditionFailed } from '../../broker/errors.js';
import { withSenderSelectedKeys } from '../../broker/sender-selected.js';
import type { Exchange } from '../../broker/exchange.js';
import { expirationProblem, type Message } from '../../broker/message.js';
import type { Channel } from '../channel.js';
import { deliverDirectReply, isDirectReplyAddress, withReplyAddress } from '../direct-reply-to.js';

/** A complete basic.publish: checks, then routing now or at tx.commit. */
export function publish(channel: Channel, method: BasicPublish, message: Message): void {
  if (method.immediate) throw new AmqpError(ReplyCode.NOT_IMPLEMENTED, 'immediate=true', 60, 40);
  channel.checkPublishAccess(method.exchange);
  const exchange = channel.vhost.exchangeForPublish(method.exchange);
  checkProperties(channel, message);
  const routed = withSenderSelectedKeys(withReplyAddress(channel, message));
  if (channel.transaction) {
    channel.transaction.publishes.push({ exchange, message: routed, mandatory: method.mandatory });
    return;
  }
  const epoch = routeMessage(channel, exchange, routed, method.mandatory);
  if (channel.confirmMode) channel.confirm(++channel.publishSeq, epoch);
  const alarms = channel.connection.context.alarms;
  if (alarms.blockingReason !== undefined) alarms.blockPublisher(channel.connection);
}

/** Routes and enqueues; returns the durability epoch the publish's confirm must wait for (0: none). */
export function routeMessage(channel: Channel, exchange: Exchange, message: Message, mandatory: boolean): number {
  const stats = channel.connection.context.stats;
  stats.received++;
  channel.stats.publish++;
  exchange.stats.publishIn++;
  if (exchange.name === '' && isDirectReplyAddress(message.routingKey)) {
    if (deliverDirectReply(channel.vhost, message)) {
      stats.routed++;
      exchange.stats.publishOut++;
      return 0;
    }
  } else {
    const queues = channel.vhost.route(exchange, message, message.routingKey);
    if (queues.length > 0) {
      stats.routed++;
      exchange.stats.publishOut++;
      let epoch = 0;
      for (let i = 0; i < queues.length; i++) {
        const queue = queues[i];
        const queueEpoch = queue.enqueue(message);
        if (queueEpoch > epoch) epoch = queueEpoch;
        if (queue.congested) channel.connection.holdFor(queue);
      }
      return epoch;
    }
  }
  if (!mandatory) {
    stats.unroutableDropped++;
  } else {
    stats.unroutableReturned++;
    channel.stats.returnUnroutable++;
    channel.send({
      id: MethodId.BasicReturn,
      replyCode: ReplyCode.NO_ROUTE,
      replyText: 'NO_ROUTE',
      exchange: message.exchange,
      routingKey: message.routingKey,
    });
    channel.sendContent(message.header, message.body);
  }
  return 0;
}

/** The few properties RabbitMQ validates on publish; decoded only when present. */
function checkProperties(channel: Channel, message: Message): void {
  if (message.hasProperty(PropertyFlag.UserId)) {
    const userId = message.properties.userId;
    const user = channel.connection.user?.name;
    if (userId !== user) {
      throw preconditionFailed(`user_id property set to '${userId}' but authenticated user was '${user}'`);
    }
  }
  if (message.hasProperty(PropertyFlag.Expiration)) {
    const expiration = message.properties.expiration ?? '';
    const problem = expirationProblem(expiration);
    if (problem !== undefined) throw preconditionFailed(`invalid expiration '${expiration}': ${problem}`);
  }
}
