/**
 * The AMQP 0-9-1 <-> 1.0 mapping for streams, as RabbitMQ 3.10 does it (README.md has the
 * table). The hot-path functions work on raw bytes, the content header payload the broker
 * keeps and the record a stream stores; the *Properties variants take and give decoded
 * BasicProperties for code that has them, at the cost of one encode or decode more.
 */
import { contentHeaderSize, decodeContentHeader, writeContentHeader } from '../amqp/content.js';
import { ClassId, type BasicProperties } from '../amqp/spec.generated.js';
import { amqp091ToAmqp10 } from './from-amqp091.js';
import { amqp10ToAmqp091, type ExtraHeader } from './to-amqp091.js';

export { amqp091ToAmqp10 } from './from-amqp091.js';
export { amqp10ToAmqp091, type Amqp091Delivery, type ExtraHeader } from './to-amqp091.js';

/**
 * The record RabbitMQ stores for a 0-9-1 publish, from decoded properties. Header values
 * are encoded with their recorded wire types when the table was decoded from the wire
 * (as Warren's field tables do), else with the types Warren would send.
 */
export function amqp091PropertiesToAmqp10(exchange: string, routingKey: string, properties: BasicProperties, body: Buffer): Buffer {
  const header = Buffer.allocUnsafe(contentHeaderSize(properties));
  writeContentHeader(header, 0, ClassId.Basic, body.length, properties);
  return amqp091ToAmqp10(exchange, routingKey, header, 0, header.length, body);
}

export interface Amqp091Message {
  exchange: string;
  routingKey: string;
  /**
   * Headers are a decoded field table: each value's wire type is recorded (fieldTypeName); of
   * repeated names (which RabbitMQ keeps, and the raw header does) the last one shows.
   */
  properties: BasicProperties;
  body: Buffer;
}

/** amqp10ToAmqp091 with the properties decoded. */
export function amqp10ToAmqp091Properties(
  record: Buffer,
  start: number,
  end: number,
  queueName: string,
  extraHeaders?: readonly ExtraHeader[],
): Amqp091Message {
  const d = amqp10ToAmqp091(record, start, end, queueName, extraHeaders);
  const { properties } = decodeContentHeader(d.header, 0, d.header.length);
  return { exchange: d.exchange, routingKey: d.routingKey, properties, body: d.body };
}
