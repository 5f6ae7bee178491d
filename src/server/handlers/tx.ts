import { AmqpError } from '../../amqp/errors.js';
import { MethodId, ReplyCode, type Method } from '../../amqp/spec.generated.js';
import { preconditionFailed } from '../../broker/errors.js';
import type { Exchange } from '../../broker/exchange.js';
import type { Message } from '../../broker/message.js';
import type { Channel } from '../channel.js';
import type { Delivery } from '../unacked.js';
import { applySettlement, type Settlement } from './basic.js';
import { routeMessage } from './publish.js';

/** What a transactional channel holds back until tx.commit. */
export interface Transaction {
  publishes: { exchange: Exchange; message: Message; mandatory: boolean }[];
  settlements: { deliveries: Delivery[]; outcome: Settlement }[];
}

/** tx.select / commit / rollback. */
export function handleTxMethod(channel: Channel, method: Method): void {
  switch (method.id) {
    case MethodId.TxSelect:
      if (channel.confirmMode) throw preconditionFailed('cannot switch from confirm to tx mode');
      channel.transaction ??= { publishes: [], settlements: [] };
      channel.send({ id: MethodId.TxSelectOk });
      return;
    case MethodId.TxCommit: {
      const transaction = requireTransaction(channel);
      const { publishes, settlements } = transaction;
      transaction.publishes = [];
      transaction.settlements = [];
      let epoch = 0;
      for (const { exchange, message, mandatory } of publishes) {
        epoch = Math.max(epoch, routeMessage(channel, exchange, message, mandatory).ticket);
      }
      for (const { deliveries, outcome } of settlements) applySettlement(channel, deliveries, outcome);
      // Like RabbitMQ, commit-ok means the transaction's persistent messages are on disk.
      channel.sendWhenDurable({ id: MethodId.TxCommitOk }, epoch);
      return;
    }
    case MethodId.TxRollback: {
      const transaction = requireTransaction(channel);
      for (const { deliveries } of transaction.settlements) channel.unacked.restore(deliveries);
      transaction.publishes = [];
      transaction.settlements = [];
      channel.send({ id: MethodId.TxRollbackOk });
      return;
    }
    default:
      throw new AmqpError(ReplyCode.COMMAND_INVALID, 'unexpected tx method', 90, method.id & 0xffff);
  }
}

function requireTransaction(channel: Channel) {
  if (!channel.transaction) throw preconditionFailed('channel is not transactional');
  return channel.transaction;
}
