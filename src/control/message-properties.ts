import type { BasicProperties } from '../amqp/spec.generated.js';
import { badRequest } from './errors.js';
import { jsonToTable, tableToJson, type JsonObject, type JsonValue } from './json-table.js';

/** BasicProperties field <-> RabbitMQ's JSON name, in the order RabbitMQ prints them. */
const FIELDS: ReadonlyArray<readonly [keyof BasicProperties, string, 'string' | 'number' | 'table']> = [
  ['contentType', 'content_type', 'string'],
  ['contentEncoding', 'content_encoding', 'string'],
  ['headers', 'headers', 'table'],
  ['deliveryMode', 'delivery_mode', 'number'],
  ['priority', 'priority', 'number'],
  ['correlationId', 'correlation_id', 'string'],
  ['replyTo', 'reply_to', 'string'],
  ['expiration', 'expiration', 'string'],
  ['messageId', 'message_id', 'string'],
  ['timestamp', 'timestamp', 'number'],
  ['type', 'type', 'string'],
  ['userId', 'user_id', 'string'],
  ['appId', 'app_id', 'string'],
  ['clusterId', 'cluster_id', 'string'],
];

/**
 * Message properties as RabbitMQ's API shows them. With no property set RabbitMQ prints
 * an empty JSON array (an empty Erlang list), and so does Warren, for clients that
 * compare.
 */
export function propertiesToJson(properties: BasicProperties): JsonObject | JsonValue[] {
  const json: JsonObject = {};
  let any = false;
  for (const [field, name] of FIELDS) {
    const value = properties[field];
    if (value === undefined) continue;
    any = true;
    json[name] = field === 'headers' ? tableToJson(value as NonNullable<BasicProperties['headers']>) : (value as string | number);
  }
  return any ? json : [];
}

/** The `properties` of a publish request (unknown keys are refused, as RabbitMQ does). */
export function propertiesFromJson(json: Record<string, unknown>): BasicProperties {
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    const field = FIELDS.find(([, name]) => name === key);
    if (!field) throw badRequest(`unknown message property '${key}'`);
    const [property, , kind] = field;
    if (kind === 'table') properties[property] = jsonToTable(value);
    else if (typeof value !== kind) throw badRequest(`message property '${key}' must be a ${kind}`);
    else properties[property] = value;
  }
  return properties as BasicProperties;
}
