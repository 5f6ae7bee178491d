import { fieldTypeName, type FieldTable, type FieldValue } from '../../amqp/field-table.js';
import { preconditionFailed } from '../errors.js';
import { fieldValuesEqual } from '../field-values.js';

/** RabbitMQ's largest timer value (ms); bigger TTLs and expiries are refused. */
const MAX_EXPIRY_MS = 2 ** 32 - 1;

type Check = (value: FieldValue, args: FieldTable, key: string) => string | undefined;

const INTEGER_TYPES = new Set(['byte', 'short', 'signedint', 'long', 'unsignedbyte', 'unsignedshort', 'unsignedint']);

/** RabbitMQ accepts only integer field types here; a double holding 5.0 is refused as RabbitMQ does. */
const integer: Check = (value, args, key) => {
  const kind = kindOf(value, args, key);
  return INTEGER_TYPES.has(kind) ? undefined : `"expected integer, got ${kind}"`;
};

const expiry: Check = (value, args, key) => {
  const problem = integer(value, args, key);
  if (problem) return problem;
  const ms = Number(value);
  if (ms > MAX_EXPIRY_MS) return `{value_too_large,${ms}}`;
  if (ms < 0) return `{value_negative,${ms}}`;
  return undefined;
};

const nonNegativeInteger: Check = (value, args, key) =>
  integer(value, args, key) ?? (Number(value) < 0 ? `{value_negative,${Number(value)}}` : undefined);

const longstr: Check = (value, args, key) =>
  typeof value === 'string' ? undefined : `{unacceptable_type,${kindOf(value, args, key)}}`;

const oneOf =
  (...allowed: string[]): Check =>
  (value, args, key) => {
    if (typeof value !== 'string') return `{unacceptable_type,${kindOf(value, args, key)}}`;
    return allowed.includes(value) ? undefined : `{invalid_value,<<"${value}">>}`;
  };

/**
 * Every queue argument RabbitMQ 3.10 validates and compares on redeclare
 * (rabbit_amqqueue:declare_args/0). Unknown `x-` arguments are kept but not checked.
 */
const declareArgs: Record<string, Check> = {
  'x-expires': (value, args, key) => expiry(value, args, key) ?? (Number(value) === 0 ? '{value_zero,0}' : undefined),
  'x-message-ttl': expiry,
  'x-dead-letter-exchange': longstr,
  'x-dead-letter-routing-key': (value, args, key) =>
    longstr(value, args, key) ??
    (args['x-dead-letter-exchange'] === undefined ? 'routing_key_but_no_dlx_defined' : undefined),
  'x-max-length': nonNegativeInteger,
  'x-max-length-bytes': nonNegativeInteger,
  'x-max-in-memory-length': nonNegativeInteger,
  'x-max-in-memory-bytes': nonNegativeInteger,
  'x-max-priority': (value, args, key) =>
    nonNegativeInteger(value, args, key) ?? (Number(value) > 255 ? `{value_too_large,${Number(value)}}` : undefined),
  'x-overflow': oneOf('drop-head', 'reject-publish', 'reject-publish-dlx'),
  'x-queue-mode': oneOf('default', 'lazy'),
  'x-queue-type': oneOf('classic', 'quorum', 'stream'),
  'x-single-active-consumer': (value, args, key) =>
    typeof value === 'boolean' ? undefined : `{unacceptable_type,${kindOf(value, args, key)}}`,
  'x-queue-master-locator': oneOf('min-masters', 'client-local', 'random'),
  'x-queue-leader-locator': oneOf('client-local', 'balanced'),
  'x-max-age': longstr,
  'x-initial-cluster-size': nonNegativeInteger,
  'x-quorum-initial-group-size': nonNegativeInteger,
  'x-stream-max-segment-size-bytes': nonNegativeInteger,
  'x-delivery-limit': nonNegativeInteger,
};

export function validateQueueArguments(args: FieldTable, resource: string): void {
  // RabbitMQ checks the dead-letter exchange's type first, with its own wording.
  const dlx = args['x-dead-letter-exchange'];
  if (dlx !== undefined && typeof dlx !== 'string') {
    throw preconditionFailed(
      `invalid type '${kindOf(dlx, args, 'x-dead-letter-exchange')}' for arg 'x-dead-letter-exchange' in ${resource}`,
    );
  }
  for (const [key, check] of Object.entries(declareArgs)) {
    if (!Object.hasOwn(args, key)) continue;
    const problem = check(args[key], args, key);
    if (problem) throw preconditionFailed(`invalid arg '${key}' for ${resource}: ${problem}`);
  }
}

/**
 * basic.consume's arguments RabbitMQ checks (rabbit_amqqueue:consume_args/0): x-priority
 * must be an integer, whatever the queue type.
 */
export function checkConsumerPriority(args: FieldTable, resource: string): void {
  const priority = args['x-priority'];
  if (priority === undefined) return;
  const kind = kindOf(priority, args, 'x-priority');
  if (!INTEGER_TYPES.has(kind)) throw preconditionFailed(`invalid arg 'x-priority' for ${resource}: {unacceptable_type,${kind}}`);
}

/** Redeclaring must not change an argument RabbitMQ compares (406 otherwise). */
export function assertEquivalentArguments(current: FieldTable, requested: FieldTable, resource: string): void {
  for (const key of Object.keys(declareArgs)) {
    const was = current[key];
    const now = requested[key];
    if (was === undefined && now === undefined) continue;
    if (was !== undefined && now !== undefined && fieldValuesEqual(was, now)) continue;
    // RabbitMQ's wording: bare values when both are set, value and type when one is missing.
    const both = was !== undefined && now !== undefined;
    const describe = (value: FieldValue | undefined, table: FieldTable) =>
      value === undefined ? 'none' : both ? `'${String(value)}'` : `the value '${String(value)}' of type '${kindOf(value, table, key)}'`;
    throw preconditionFailed(
      `inequivalent arg '${key}' for ${resource}: received ${describe(now, requested)} but current is ${describe(was, current)}`,
    );
  }
}

/** RabbitMQ's name for a value's field type: the wire type when known, else a guess from the value. */
export function kindOf(value: FieldValue | undefined, table?: FieldTable, key?: string): string {
  const wireType = table && key !== undefined ? fieldTypeName(table, key) : undefined;
  if (wireType !== undefined) return wireType;
  if (value === undefined || value === null) return 'void';
  if (typeof value === 'string') return 'longstr';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return 'long';
  if (typeof value === 'number') return Number.isInteger(value) ? 'long' : 'double';
  if (Buffer.isBuffer(value)) return 'bytes';
  if (value instanceof Date) return 'timestamp';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object' && 'scale' in value) return 'decimal';
  return 'table';
}
