import { AmqpError } from '../../amqp/errors.js';
import { MethodId, ReplyCode, type Method, type QueueDeclare } from '../../amqp/spec.generated.js';
import { notFound } from '../../broker/errors.js';
import type { Channel } from '../channel.js';
import { DIRECT_REPLY_TO, isDirectReplyAddress } from '../direct-reply-to.js';

/** queue.declare / bind / unbind / purge / delete. */
export function handleQueueMethod(channel: Channel, method: Method): void {
  const vhost = channel.vhost;
  const owner = channel.connection;
  switch (method.id) {
    case MethodId.QueueDeclare:
      return declare(channel, method);
    case MethodId.QueueBind:
      vhost.bindQueue(channel.queueName(method.queue), method.exchange, method.routingKey, method.arguments, owner);
      if (!method.nowait) channel.sendWhenDefinitionsDurable({ id: MethodId.QueueBindOk });
      return;
    case MethodId.QueueUnbind:
      vhost.unbindQueue(channel.queueName(method.queue), method.exchange, method.routingKey, method.arguments, owner);
      channel.sendWhenDefinitionsDurable({ id: MethodId.QueueUnbindOk });
      return;
    case MethodId.QueuePurge: {
      const messageCount = vhost.purgeQueue(channel.queueName(method.queue), owner);
      if (!method.nowait) channel.send({ id: MethodId.QueuePurgeOk, messageCount });
      return;
    }
    case MethodId.QueueDelete: {
      const name = channel.queueName(method.queue);
      const messageCount = vhost.deleteQueue(name, method.ifUnused, method.ifEmpty, owner);
      if (!method.nowait) channel.sendWhenDefinitionsDurable({ id: MethodId.QueueDeleteOk, messageCount });
      return;
    }
    default:
      throw new AmqpError(ReplyCode.COMMAND_INVALID, 'unexpected queue method', 50, method.id & 0xffff);
  }
}

function declare(channel: Channel, method: QueueDeclare): void {
  if (method.queue === DIRECT_REPLY_TO || (method.passive && isDirectReplyAddress(method.queue))) {
    return declareDirectReply(channel, method);
  }
  const queue = channel.vhost.declareQueue(
    {
      name: method.passive ? channel.queueName(method.queue) : method.queue,
      passive: method.passive,
      durable: method.durable,
      exclusive: method.exclusive,
      autoDelete: method.autoDelete,
      arguments: method.arguments,
    },
    channel.connection,
  );
  channel.lastDeclaredQueue = queue.name;
  if (!method.nowait) {
    channel.sendWhenDefinitionsDurable({
      id: MethodId.QueueDeclareOk,
      queue: queue.name,
      messageCount: queue.messageCount,
      consumerCount: queue.consumerCount,
    });
  }
}

/**
 * The pseudo-queue always "exists" (RabbitMQ answers 0 messages, 1 consumer, passive or
 * not); a reply address exists while its consumer does.
 */
function declareDirectReply(channel: Channel, method: QueueDeclare): void {
  if (method.queue !== DIRECT_REPLY_TO) {
    const key = method.queue.slice(DIRECT_REPLY_TO.length + 1);
    if (!channel.vhost.directReplyTargets.has(key)) {
      throw notFound(`no queue '${method.queue}' in vhost '${channel.vhost.name}'`);
    }
  }
  if (!method.nowait) {
    channel.send({ id: MethodId.QueueDeclareOk, queue: method.queue, messageCount: 0, consumerCount: 1 });
  }
}
