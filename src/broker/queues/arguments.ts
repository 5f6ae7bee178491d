import { fieldTypeName, type FieldTable, type FieldValue } from '../../amqp/field-table.js';
import { preconditionFailed } from '../errors.js';
import { fieldValuesEqual } from '../field-values.js';
import type { QueueTypeName } from './queue.js';
import { maxAgeMs } from './stream/max-age.js';

/**
 * Queue arguments as RabbitMQ checks them at declare time (rabbit_amqqueue's
 * declare_args/0 and each queue type's capabilities()): which type takes which
 * argument, how each value is validated, and how a redeclare is compared. Error texts
 * are RabbitMQ's, down to the Erlang terms clients see.
 */

/** RabbitMQ's largest timer value (ms); bigger TTLs and expiries are refused. */
const MAX_EXPIRY_MS = 2 ** 32 - 1;
/** RabbitMQ's ?MAX_SUPPORTED_PRIORITY. */
const MAX_PRIORITY = 255;

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

const positiveInteger: Check = (value, args, key) =>
  nonNegativeInteger(value, args, key) ?? (Number(value) === 0 ? '{value_zero,0}' : undefined);

const longstr: Check = (value, args, key) =>
  typeof value === 'string' ? undefined : `{unacceptable_type,${kindOf(value, args, key)}}`;

/** A longstr from a fixed set; anything else is RabbitMQ's named error atom. */
const oneOf =
  (error: string, ...allowed: string[]): Check =>
  (value, args, key) => {
    if (typeof value !== 'string') return `{unacceptable_type,${kindOf(value, args, key)}}`;
    return allowed.includes(value) ? undefined : error;
  };

const bool: Check = (value, args, key) => (typeof value === 'boolean' ? undefined : `{unacceptable_type,${kindOf(value, args, key)}}`);

/**
 * Every queue argument RabbitMQ validates, in the order it validates them
 * (declare_args/0); only the keys of the queue's own type are run.
 */
const VALIDATORS: ReadonlyArray<readonly [string, Check]> = [
  ['x-expires', (value, args, key) => expiry(value, args, key) ?? (Number(value) === 0 ? '{value_zero,0}' : undefined)],
  ['x-message-ttl', expiry],
  ['x-dead-letter-exchange', longstr],
  [
    'x-dead-letter-routing-key',
    (value, args, key) =>
      longstr(value, args, key) ?? (args['x-dead-letter-exchange'] === undefined ? 'routing_key_but_no_dlx_defined' : undefined),
  ],
  ['x-dead-letter-strategy', oneOf('invalid_dlx_strategy', 'at-most-once', 'at-least-once')],
  ['x-max-length', nonNegativeInteger],
  ['x-max-length-bytes', nonNegativeInteger],
  ['x-max-in-memory-length', nonNegativeInteger],
  ['x-max-in-memory-bytes', nonNegativeInteger],
  [
    'x-max-priority',
    (value, args, key) => nonNegativeInteger(value, args, key) ?? (Number(value) > MAX_PRIORITY ? `{max_value_exceeded,${Number(value)}}` : undefined),
  ],
  ['x-overflow', oneOf('invalid_overflow', 'drop-head', 'reject-publish', 'reject-publish-dlx')],
  ['x-queue-mode', oneOf('invalid_queue_mode', 'default', 'lazy')],
  [
    'x-queue-version',
    (value, args, key) =>
      nonNegativeInteger(value, args, key) ?? (Number(value) === 1 || Number(value) === 2 ? undefined : `"unsupported queue version '${Number(value)}'"`),
  ],
  ['x-single-active-consumer', bool],
  ['x-quorum-initial-group-size', positiveInteger],
  // Warren checks what RabbitMQ 4 leaves unchecked (a string delivery limit silently means 20 there).
  ['x-delivery-limit', integer],
  ['x-consumer-timeout', nonNegativeInteger],
  ['x-max-age', (value, args, key) => longstr(value, args, key) ?? (maxAgeMs(value as string) === undefined ? 'invalid_max_age' : undefined)],
  ['x-stream-max-segment-size-bytes', nonNegativeInteger],
  ['x-stream-filter-size-bytes', nonNegativeInteger],
  ['x-initial-cluster-size', positiveInteger],
  ['x-queue-leader-locator', oneOf('invalid_queue_locator_arg', 'client-local', 'balanced')],
];

/** The arguments each queue type takes (RabbitMQ's capabilities() queue_arguments), in comparison order. */
const TYPE_ARGUMENTS: Record<QueueTypeName, readonly string[]> = {
  classic: [
    'x-expires',
    'x-message-ttl',
    'x-dead-letter-exchange',
    'x-dead-letter-routing-key',
    'x-max-length',
    'x-max-length-bytes',
    'x-max-priority',
    'x-overflow',
    'x-queue-mode',
    'x-queue-version',
    'x-single-active-consumer',
    'x-queue-type',
    'x-queue-master-locator',
    'x-consumer-timeout',
  ],
  quorum: [
    'x-dead-letter-exchange',
    'x-dead-letter-routing-key',
    'x-dead-letter-strategy',
    'x-expires',
    'x-max-length',
    'x-max-length-bytes',
    'x-max-in-memory-length',
    'x-max-in-memory-bytes',
    'x-overflow',
    'x-single-active-consumer',
    'x-queue-type',
    'x-quorum-initial-group-size',
    'x-delivery-limit',
    'x-message-ttl',
    'x-queue-leader-locator',
    'x-consumer-timeout',
  ],
  stream: [
    'x-max-length-bytes',
    'x-queue-type',
    'x-max-age',
    'x-stream-max-segment-size-bytes',
    'x-stream-filter-size-bytes',
    'x-initial-cluster-size',
    'x-queue-leader-locator',
  ],
};

/** RabbitMQ's module names, as its "of queue type ..." refusals say them. */
const TYPE_MODULES: Record<QueueTypeName, string> = {
  classic: 'rabbit_classic_queue',
  quorum: 'rabbit_quorum_queue',
  stream: 'rabbit_stream_queue',
};

/** Arguments some type takes: on a queue of another type, RabbitMQ refuses them by name. */
const KNOWN_ARGUMENTS = new Set(Object.values(TYPE_ARGUMENTS).flat());

export function typeModuleName(type: QueueTypeName): string {
  return TYPE_MODULES[type];
}

/**
 * Validates a new queue's arguments for its type: the values of the type's own arguments
 * (in RabbitMQ's fixed order), then arguments that belong to another type only (in the
 * client's table order). Unknown arguments are kept and ignored, as RabbitMQ does.
 */
export function validateQueueArguments(args: FieldTable, type: QueueTypeName, resource: string): void {
  const own = new Set(TYPE_ARGUMENTS[type]);
  // RabbitMQ checks the dead-letter exchange's type first, with its own wording.
  const dlx = args['x-dead-letter-exchange'];
  if (own.has('x-dead-letter-exchange') && dlx !== undefined && typeof dlx !== 'string') {
    throw preconditionFailed(`invalid type '${kindOf(dlx, args, 'x-dead-letter-exchange')}' for arg 'x-dead-letter-exchange' in ${resource}`);
  }
  for (const [key, check] of VALIDATORS) {
    if (!own.has(key) || !Object.hasOwn(args, key)) continue;
    const problem = check(args[key], args, key);
    if (problem) throw preconditionFailed(`invalid arg '${key}' for ${resource}: ${problem}`);
  }
  for (const key of Object.keys(args)) {
    if (KNOWN_ARGUMENTS.has(key) && !own.has(key)) throw preconditionFailed(`invalid arg '${key}' for ${resource} of queue type ${TYPE_MODULES[type]}`);
  }
}

/**
 * The x-queue-type argument itself, checked before any other: a string naming a type
 * RabbitMQ has (whether Warren has it is the registry's question).
 */
export function queueTypeProblem(value: FieldValue | undefined, args: FieldTable): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return `{unacceptable_type,${kindOf(value, args, 'x-queue-type')}}`;
  return value in TYPE_MODULES ? undefined : `"unsupported queue type '${value}'"`;
}

/**
 * basic.consume's arguments RabbitMQ checks (rabbit_amqqueue:consume_args/0 and, from 4.3,
 * x-consumer-timeout): integers, whatever the queue type. Other consumer arguments are
 * kept and ignored, as RabbitMQ does.
 */
export function checkConsumerArguments(args: FieldTable, resource: string): void {
  for (const [key, check] of [['x-priority', integer], ['x-consumer-timeout', nonNegativeInteger]] as const) {
    if (!Object.hasOwn(args, key)) continue;
    const problem = check(args[key], args, key);
    if (problem) throw preconditionFailed(`invalid arg '${key}' for ${resource}: ${problem}`);
  }
}

/**
 * Redeclaring must not change an argument RabbitMQ compares (406 otherwise): the keys
 * of the existing queue's type, in that type's order; values are not validated again.
 * An absent x-queue-type and `classic` are the same thing.
 */
export function assertEquivalentArguments(current: FieldTable, requested: FieldTable, type: QueueTypeName, resource: string): void {
  for (const key of TYPE_ARGUMENTS[type]) {
    const was = current[key];
    const now = requested[key];
    if (was === undefined && now === undefined) continue;
    if (was !== undefined && now !== undefined && fieldValuesEqual(was, now)) continue;
    if (key === 'x-queue-type' && (was ?? 'classic') === 'classic' && (now ?? 'classic') === 'classic') continue;
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
  if (Buffer.isBuffer(value)) return 'binary';
  if (value instanceof Date) return 'timestamp';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object' && 'scale' in value) return 'decimal';
  return 'table';
}
