import type { FieldTable, FieldValue } from '../amqp/field-table.js';
import { Decimal } from '../amqp/field-table.js';

/**
 * Equality of decoded field values the way RabbitMQ compares them (Erlang `==`):
 * numbers by value whatever their width, strings and byte arrays by bytes, and
 * never a number equal to a string.
 */
export function fieldValuesEqual(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a === 'bigint' && typeof b === 'bigint') return false; // a === b was checked above
  if (isNumeric(a) && isNumeric(b)) return Number(a) === Number(b);
  if (isBytes(a) && isBytes(b)) return bytesOf(a).equals(bytesOf(b));
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Decimal && b instanceof Decimal) return a.scale === b.scale && a.value === b.value;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => fieldValuesEqual(item, b[i]));
  }
  if (isTable(a) && isTable(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && fieldValuesEqual(a[key], b[key]));
  }
  return false;
}

function isNumeric(value: FieldValue): value is number | bigint {
  return typeof value === 'number' || typeof value === 'bigint';
}

function isBytes(value: FieldValue): value is string | Buffer {
  return typeof value === 'string' || Buffer.isBuffer(value);
}

function bytesOf(value: string | Buffer): Buffer {
  return typeof value === 'string' ? Buffer.from(value) : value;
}

function isTable(value: FieldValue): value is FieldTable {
  return (
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !Buffer.isBuffer(value) &&
    !(value instanceof Date) &&
    !(value instanceof Decimal)
  );
}
