import { AmqpError } from '../../amqp/errors.js';
import { MethodId, ReplyCode, type Method } from '../../amqp/spec.generated.js';
import type { Channel } from '../channel.js';

/** exchange.declare / delete / bind / unbind. */
export function handleExchangeMethod(channel: Channel, method: Method): void {
  const vhost = channel.vhost;
  switch (method.id) {
    case MethodId.ExchangeDeclare:
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
      vhost.deleteExchange(method.exchange, method.ifUnused);
      if (!method.nowait) channel.sendWhenDefinitionsDurable({ id: MethodId.ExchangeDeleteOk });
      return;
    case MethodId.ExchangeBind:
      vhost.bindExchange(method.destination, method.source, method.routingKey, method.arguments);
      if (!method.nowait) channel.sendWhenDefinitionsDurable({ id: MethodId.ExchangeBindOk });
      return;
    case MethodId.ExchangeUnbind:
      vhost.unbindExchange(method.destination, method.source, method.routingKey, method.arguments);
      if (!method.nowait) channel.sendWhenDefinitionsDurable({ id: MethodId.ExchangeUnbindOk });
      return;
    default:
      throw new AmqpError(ReplyCode.COMMAND_INVALID, 'unexpected exchange method', 40, method.id & 0xffff);
  }
}
