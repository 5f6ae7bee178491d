import { encodeContentHeader, PropertyFlag } from '../amqp/content.js';
import type { FieldTable } from '../amqp/field-table.js';
import { preconditionFailed } from './errors.js';
import { Message } from './message.js';

/** Header keys as they appear in the encoded table (shortstr: length octet, then the name). */
const CC_KEY = Buffer.from('\u0002CC');
const BCC_KEY = Buffer.from('\u0003BCC');

/**
 * RabbitMQ's sender-selected distribution: arrays of extra routing keys in the `CC`
 * and `BCC` headers. BCC is removed before anyone sees the message. Only messages
 * whose raw header bytes mention either key pay for decoding their headers.
 */
export function withSenderSelectedKeys(message: Message): Message {
  if (!message.hasProperty(PropertyFlag.Headers)) return message;
  const header = message.header;
  if (header.indexOf(CC_KEY) < 0 && header.indexOf(BCC_KEY) < 0) return message;
  const headers = message.properties.headers;
  if (!headers) return message;
  const cc = routingHeader(headers, 'CC');
  const bcc = routingHeader(headers, 'BCC');
  if (cc.length === 0 && bcc.length === 0 && headers.BCC === undefined) return message;
  let routed = message;
  if (headers.BCC !== undefined) {
    const { BCC: _bcc, ...visible } = headers;
    const properties = { ...message.properties, headers: visible };
    routed = new Message(message.exchange, message.routingKey, encodeContentHeader(60, message.bodySize, properties), message.body);
  }
  routed.ccKeys = cc.length + bcc.length > 0 ? [...cc, ...bcc] : undefined;
  routed.visibleCcKeys = cc.length > 0 ? cc : undefined;
  return routed;
}

function routingHeader(headers: FieldTable, key: 'CC' | 'BCC'): string[] {
  const value = headers[key];
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw preconditionFailed(`unacceptable type in header '${key}': expected an array`);
  return value.filter((item): item is string => typeof item === 'string');
}
