import { encodeContentHeader } from '../../amqp/content.js';
import { copyTable } from '../../amqp/field-table.js';
import { Message } from '../message.js';

/**
 * The message as a quorum queue redelivers it: with `x-delivery-count`, the number of
 * times it came back before (RabbitMQ sets it on redeliveries only). Re-encoding the
 * header is the price of a return, never of a first delivery.
 */
export function withDeliveryCount(message: Message, count: number): Message {
  const properties = message.properties;
  const headers = properties.headers ? copyTable(properties.headers) : {};
  // A long, as RabbitMQ sends it.
  headers['x-delivery-count'] = BigInt(count);
  const header = encodeContentHeader(60, message.bodySize, { ...properties, headers });
  const copy = new Message(message.exchange, message.routingKey, header, message.body);
  copy.ccKeys = message.ccKeys;
  copy.visibleCcKeys = message.visibleCcKeys;
  return copy;
}
