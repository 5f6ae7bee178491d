import { AmqpError } from '../../amqp/errors.js';
import { MethodId, ReplyCode, type Method } from '../../amqp/spec.generated.js';
import type { Channel } from '../channel.js';

/** exchange.declare / delete / bind / unbind. */
export function handleExchangeMethod(channel: Channel, method: Method): void {
  const vhost = channel.vhost;
  switch (method.id) {
    case MethodId.ExchangeDeclare:
      if (!method.passive && method.exchange !== '') channel.checkAccess('configure', 'exchange', method.exchange);
      vhost.declareExchange({
        name: method.exchange,
        type: method.type,
        passive: method.passive,
        durable: method.durable,
        autoDelete: method.autoDelete,
        internal: method.internal,
        arguments: method.arguments,
      });
      if (!method.nowait) channel.sendWhenDefinitionsDurable({ id: MethodId.ExchangeDeclareOk });
      return;
    case MethodId.ExchangeDelete:
      if (method.exchange !== '') channel.checkAccess('configure', 'exchange', method.exchange);
      vhost.deleteExchange(method.exchange, method.ifUnused);
      if (!method.nowait) channel.sendWhenDefinitionsDurable({ id: MethodId.ExchangeDeleteOk });
      return;
    case MethodId.ExchangeBind:
      checkBindAccess(channel, method.destination, method.source);
      vhost.bindExchange(method.destination, method.source, method.routingKey, method.arguments);
      if (!method.nowait) channel.sendWhenDefinitionsDurable({ id: MethodId.ExchangeBindOk });
      return;
    case MethodId.ExchangeUnbind:
      checkBindAccess(channel, method.destination, method.source);
      vhost.unbindExchange(method.destination, method.source, method.routingKey, method.arguments);
      if (!method.nowait) channel.sendWhenDefinitionsDurable({ id: MethodId.ExchangeUnbindOk });
      return;
    default:
      throw new AmqpError(ReplyCode.COMMAND_INVALID, 'unexpected exchange method', 40, method.id & 0xffff);
  }
}

/** Binding exchange to exchange needs write on the destination and read on the source (RabbitMQ's rule). */
function checkBindAccess(channel: Channel, destination: string, source: string): void {
  if (destination !== '') channel.checkAccess('write', 'exchange', destination);
  if (source !== '') channel.checkAccess('read', 'exchange', source);
}
