import { Decimal, type FieldTable, type FieldValue } from '../amqp/field-table.js';

/** JSON as the management API reads and writes it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * A field table as RabbitMQ's management API shows it: numbers as numbers, byte arrays
 * and strings as strings, timestamps as seconds, nested tables and arrays as JSON.
 */
export function tableToJson(table: FieldTable): JsonObject {
  const json: JsonObject = {};
  for (const key of Object.keys(table)) json[key] = valueToJson(table[key]);
  return json;
}

export function valueToJson(value: FieldValue | undefined): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof Date) return Math.floor(value.getTime() / 1000);
  if (value instanceof Decimal) return value.value / 10 ** value.scale;
  if (Array.isArray(value)) return value.map(valueToJson);
  return tableToJson(value as FieldTable);
}

/**
 * JSON arguments (queue/exchange/binding arguments, message headers) as a field table:
 * integers become signed ints or longs, other numbers doubles, objects tables. The table
 * has no prototype, like tables decoded from the wire.
 */
export function jsonToTable(json: unknown): FieldTable {
  const table: FieldTable = Object.create(null) as FieldTable;
  if (json === null || json === undefined) return table;
  if (typeof json !== 'object' || Array.isArray(json)) throw new TypeError('arguments must be a JSON object');
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) table[key] = jsonToValue(value);
  return table;
}

function jsonToValue(value: unknown): FieldValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') return value;
  if (Array.isArray(value)) return value.map(jsonToValue);
  if (typeof value === 'object') return jsonToTable(value);
  throw new TypeError(`unsupported argument value ${String(value)}`);
}
