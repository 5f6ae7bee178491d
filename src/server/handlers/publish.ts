import { AmqpError } from '../../amqp/errors.js';
import { PropertyFlag } from '../../amqp/content.js';
import { MethodId, ReplyCode, type BasicPublish } from '../../amqp/spec.generated.js';
import { preconditionFailed } from '../../broker/errors.js';
import { withSenderSelectedKeys } from '../../broker/sender-selected.js';
import type { Exchange } from '../../broker/exchange.js';
import { CLIENT_PUBLISH, MANDATORY_CLIENT_PUBLISH, publish as domainPublish, type PublishResult } from '../../broker/publish.js';
import { expirationProblem, type Message } from '../../broker/message.js';
import type { Channel } from '../channel.js';
import { withReplyAddress } from '../direct-reply-to.js';

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
  const result = routeMessage(channel, exchange, routed, method.mandatory);
  if (channel.confirmMode) channel.confirm(++channel.publishSeq, result.ticket, !result.rejected);
  const alarms = channel.connection.context.alarms;
  if (alarms.blockingReason !== undefined) alarms.blockPublisher(channel.connection);
}

/**
 * Publishes through the domain's one publish path and does the AMQP side of the
 * outcome: basic.return for a mandatory message nothing took, flow control for a
 * congested queue. The result is the channel's own, reused by its next publish.
 */
export function routeMessage(channel: Channel, exchange: Exchange, message: Message, mandatory: boolean): PublishResult {
  channel.stats.publish++;
  const result = domainPublish(channel.vhost, exchange, message, mandatory ? MANDATORY_CLIENT_PUBLISH : CLIENT_PUBLISH, channel.publishResult);
  if (result.congested !== undefined) channel.connection.holdFor(result.congested);
  if (!result.routed && mandatory) {
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
  return result;
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
