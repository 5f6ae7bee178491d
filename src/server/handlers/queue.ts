import { AmqpError } from '../../amqp/errors.js';
import { MethodId, ReplyCode, type Method, type QueueDeclare } from '../../amqp/spec.generated.js';
import { notFound } from '../../broker/errors.js';
import type { Channel } from '../channel.js';
import { DIRECT_REPLY_TO, isDirectReplyAddress } from '../../broker/direct-reply.js';

/** queue.declare / bind / unbind / purge / delete. */
export function handleQueueMethod(channel: Channel, method: Method): void {
  const vhost = channel.vhost;
  const owner = channel.connection;
  switch (method.id) {
    case MethodId.QueueDeclare:
      return declare(channel, method);
    case MethodId.QueueBind: {
      const queue = channel.queueName(method.queue);
      checkBindAccess(channel, queue, method.exchange);
      vhost.bindQueue(queue, method.exchange, method.routingKey, method.arguments, owner);
      if (!method.nowait) channel.sendWhenDefinitionsDurable({ id: MethodId.QueueBindOk });
      return;
    }
    case MethodId.QueueUnbind: {
      const queue = channel.queueName(method.queue);
      checkBindAccess(channel, queue, method.exchange);
      vhost.unbindQueue(queue, method.exchange, method.routingKey, method.arguments, owner);
      channel.sendWhenDefinitionsDurable({ id: MethodId.QueueUnbindOk });
      return;
    }
    case MethodId.QueuePurge: {
      const queue = channel.queueName(method.queue);
      channel.checkAccess('read', 'queue', queue);
      const messageCount = vhost.purgeQueue(queue, owner);
      if (!method.nowait) channel.send({ id: MethodId.QueuePurgeOk, messageCount });
      return;
    }
    case MethodId.QueueDelete: {
      const name = channel.queueName(method.queue);
      channel.checkAccess('configure', 'queue', name);
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
    (name, isNew) => {
      channel.checkAccess('configure', 'queue', name);
      // A new queue that dead-letters somewhere reads itself and writes there (RabbitMQ's rule).
      const deadLetterExchange = method.arguments['x-dead-letter-exchange'];
      if (isNew && typeof deadLetterExchange === 'string') {
        channel.checkAccess('read', 'queue', name);
        channel.checkAccess('write', 'exchange', deadLetterExchange);
      }
    },
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

/** Binding a queue needs write on the queue and read on the exchange (RabbitMQ's rule). */
function checkBindAccess(channel: Channel, queue: string, exchange: string): void {
  channel.checkAccess('write', 'queue', queue);
  if (exchange !== '') channel.checkAccess('read', 'exchange', exchange);
}
