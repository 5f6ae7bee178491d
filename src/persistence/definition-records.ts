import { ByteReader } from '../amqp/byte-reader.js';
import { encodeTable, type FieldTable } from '../amqp/field-table.js';
import type { Binding } from '../broker/binding.js';
import type { Exchange } from '../broker/exchange.js';
import type { Policy } from '../broker/policies.js';
import type { Queue } from '../broker/queues/queue.js';

/**
 * How durable definitions are kept in the definitions store: one JSON document per
 * exchange, queue and binding. Arguments are stored as their AMQP table bytes (base64)
 * so every value keeps its exact wire type across a restart.
 */
export const Kind = {
  Vhost: 'vhost',
  User: 'user',
  Permission: 'permission',
  Exchange: 'exchange',
  Queue: 'queue',
  Binding: 'binding',
  Policy: 'policy',
  OperatorPolicy: 'operator-policy',
  /** Facts about the store itself, e.g. that first-boot defaults were created. */
  Meta: 'meta',
} as const;

export interface VhostRecord {
  name: string;
  description?: string;
  tags?: string[];
  defaultQueueType?: string;
  limits?: Record<string, number>;
}

export interface UserRecord {
  name: string;
  passwordHash: string;
  tags: string[];
  limits?: Record<string, number>;
}

/** A policy or operator policy (which one is the record's kind). */
export interface PolicyRecord {
  vhost: string;
  name: string;
  pattern: string;
  applyTo: string;
  priority: number;
  definition: Record<string, unknown>;
}

export const policyKey = (vhost: string, name: string) => `${vhost}\u0000${name}`;

export interface PermissionRecord {
  vhost: string;
  user: string;
  configure: string;
  write: string;
  read: string;
}

export const permissionKey = (vhost: string, user: string) => `${vhost}\u0000${user}`;

export interface ExchangeRecord {
  vhost: string;
  name: string;
  type: string;
  autoDelete: boolean;
  internal: boolean;
  arguments: string;
}

export interface QueueRecord {
  vhost: string;
  name: string;
  autoDelete: boolean;
  arguments: string;
}

export interface BindingRecord {
  vhost: string;
  source: string;
  destinationKind: 'queue' | 'exchange';
  destination: string;
  routingKey: string;
  arguments: string;
}

export const exchangeKey = (vhost: string, name: string) => `${vhost}\u0000${name}`;
export const queueKey = exchangeKey;
export const bindingRecordKey = (vhost: string, binding: Binding) => `${vhost}\u0000${binding.source.name}\u0000${binding.key}`;

export function exchangeRecord(exchange: Exchange): ExchangeRecord {
  return {
    vhost: exchange.vhostName,
    name: exchange.name,
    type: exchange.type,
    autoDelete: exchange.autoDelete,
    internal: exchange.internal,
    arguments: tableToBase64(exchange.arguments),
  };
}

export function queueRecord(queue: Queue): QueueRecord {
  return { vhost: queue.vhostName, name: queue.name, autoDelete: queue.autoDelete, arguments: tableToBase64(queue.arguments) };
}

export function policyRecord(policy: Policy): PolicyRecord {
  return { vhost: policy.vhost, name: policy.name, pattern: policy.pattern, applyTo: policy.applyTo, priority: policy.priority, definition: { ...policy.definition } };
}

export function bindingRecord(vhost: string, binding: Binding): BindingRecord {
  return {
    vhost,
    source: binding.source.name,
    destinationKind: binding.destination.kind,
    destination: binding.destination.name,
    routingKey: binding.routingKey,
    arguments: tableToBase64(binding.arguments),
  };
}

/** A binding survives a restart only if both ends do (RabbitMQ's rule). */
export function isDurableBinding(binding: Binding): boolean {
  const destination = binding.destination;
  const destinationDurable =
    destination.kind === 'queue' ? destination.durable && destination.exclusiveOwner === null : destination.durable;
  return binding.source.durable && binding.source.name !== '' && destinationDurable;
}

export function tableToBase64(table: FieldTable): string {
  return Object.keys(table).length === 0 ? '' : encodeTable(table).toString('base64');
}

export function tableFromBase64(encoded: string): FieldTable {
  if (encoded === '') return Object.create(null) as FieldTable;
  const bytes = Buffer.from(encoded, 'base64');
  return new ByteReader(bytes, 0, bytes.length).table();
}
