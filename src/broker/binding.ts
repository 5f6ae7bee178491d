import type { FieldTable, FieldValue } from '../amqp/field-table.js';
import { Decimal } from '../amqp/field-table.js';
import type { Exchange } from './exchange.js';
import type { Queue } from './queues/queue.js';

export type Destination = Queue | Exchange;

/** source --routingKey/arguments--> destination. */
export interface Binding {
  readonly source: Exchange;
  readonly destination: Destination;
  readonly routingKey: string;
  readonly arguments: FieldTable;
  /** Identity of the binding within its source: destination, key and arguments. */
  readonly key: string;
}

export function bindingKey(destination: Destination, routingKey: string, args: FieldTable): string {
  const kind = destination.kind === 'queue' ? 'q' : 'e';
  return `${kind}\u0000${destination.name}\u0000${routingKey}\u0000${canonicalTable(args)}`;
}

/**
 * A string that is equal for two tables exactly when RabbitMQ would treat them as the
 * same binding arguments: keys in sorted order, values with their kind.
 */
export function canonicalTable(table: FieldTable): string {
  const keys = Object.keys(table);
  if (keys.length === 0) return '';
  keys.sort();
  return keys.map((key) => `${JSON.stringify(key)}:${canonicalValue(table[key])}`).join(',');
}

function canonicalValue(value: FieldValue): string {
  if (value === null || value === undefined) return 'v';
  if (typeof value === 'string') return `s${JSON.stringify(value)}`;
  if (typeof value === 'number') return `n${value}`;
  if (typeof value === 'bigint') return `n${value}`;
  if (typeof value === 'boolean') return `b${value}`;
  if (Buffer.isBuffer(value)) return `x${value.toString('hex')}`;
  if (value instanceof Date) return `t${value.getTime()}`;
  if (value instanceof Decimal) return `d${value.scale}:${value.value}`;
  if (Array.isArray(value)) return `[${value.map(canonicalValue).join(',')}]`;
  return `{${canonicalTable(value as FieldTable)}}`;
}
