import { APPLY_TO, type ApplyTo, type Policy } from './policies.js';

/**
 * Why a policy was refused, in RabbitMQ's words (rabbit_policy / rabbit_policies
 * validators): `reason` is the whole text its management API answers with,
 * "Validation failed\n\n<what>\n". Erlang terms are shown as RabbitMQ shows them
 * (<<"x">> for a string), but not HTML-escaped as RabbitMQ 3.10's policy endpoint does.
 */
export class PolicyError extends Error {
  constructor(readonly detail: string) {
    super(`Validation failed\n\n${detail}\n`);
    this.name = 'PolicyError';
  }
}

/** A policy as it arrives (HTTP body, definitions file, warrenctl). */
export interface PolicyInput {
  pattern?: unknown;
  definition?: unknown;
  priority?: unknown;
  'apply-to'?: unknown;
}

type Validator = (value: unknown) => string | undefined;

const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);
const isString = (value: unknown): value is string => typeof value === 'string';

const integerAtLeast =
  (min: number, what: string): Validator =>
  (value) =>
    isInteger(value) && value >= min ? undefined : `${erlangTerm(value)} is not a valid ${what}`;

const stringValue =
  (what: string): Validator =>
  (value) =>
    isString(value) ? undefined : `${erlangTerm(value)} is not a valid ${what}`;

const oneOf =
  (message: (term: string) => string, ...allowed: string[]): Validator =>
  (value) =>
    isString(value) && allowed.includes(value) ? undefined : message(erlangTerm(value));

/** RabbitMQ's unit-suffixed ages for streams: 7D, 12h, 30m, 45s, 1Y, 2M. */
const MAX_AGE = /^\d+[YMDhms]$/;

/** Every policy key RabbitMQ 3.10 knows (plus consumer-timeout from 3.12), with its value check. */
const POLICY_KEYS: Record<string, Validator> = {
  'alternate-exchange': stringValue('alternate exchange name'),
  'consumer-timeout': integerAtLeast(0, 'consumer timeout'),
  'dead-letter-exchange': stringValue('dead letter exchange name'),
  'dead-letter-routing-key': stringValue('dead letter routing key'),
  'dead-letter-strategy': oneOf((term) => `${term} is not a valid dead letter strategy`, 'at-most-once', 'at-least-once'),
  // RabbitMQ 4: any integer; a negative one means no limit.
  'delivery-limit': (value) => (isInteger(value) ? undefined : `${erlangTerm(value)} is not a valid delivery limit`),
  expires: integerAtLeast(1, 'queue expiry'),
  'initial-cluster-size': integerAtLeast(1, 'cluster size'),
  'max-age': (value) => (isString(value) && MAX_AGE.test(value) ? undefined : `${erlangTerm(value)} is not a valid max age`),
  'max-in-memory-bytes': integerAtLeast(0, 'maximum memory in bytes'),
  'max-in-memory-length': integerAtLeast(0, 'maximum memory in bytes'),
  'max-length': integerAtLeast(0, 'maximum length'),
  'max-length-bytes': integerAtLeast(0, 'maximum length in bytes'),
  'message-ttl': integerAtLeast(0, 'message TTL'),
  overflow: oneOf((term) => `${term} is not a valid overflow value`, 'drop-head', 'reject-publish', 'reject-publish-dlx'),
  'queue-leader-locator': oneOf((term) => `${term} is not a valid queue leader locator value`, 'client-local', 'balanced', 'random', 'least-leaders'),
  'queue-master-locator': oneOf((term) => `${term} invalid queue-master-locator value`, 'min-masters', 'client-local', 'random'),
  'queue-mode': oneOf((term) => `${term} is not a valid queue-mode value`, 'default', 'lazy'),
  'queue-version': (value) => (value === 1 || value === 2 ? undefined : `${erlangTerm(value)} is not a valid queue-version value`),
  // RabbitMQ 3.13+: bytes of each stream chunk's filter.
  'stream-filter-size-bytes': (value) =>
    isInteger(value) && value >= 16 && value <= 255 ? undefined : `${erlangTerm(value)} is not a valid filter size. Valid range is 16-255`,
  'stream-max-segment-size-bytes': (value) =>
    isInteger(value) && value >= 0 && value <= 3_000_000_000 ? undefined : `${erlangTerm(value)} is not a valid segment size`,
  ...haValidators(),
};

/** What an operator policy may set (RabbitMQ 3.10's operator_policy_validator keys): limits only. */
const OPERATOR_POLICY_KEYS = new Set(['expires', 'message-ttl', 'max-length', 'max-length-bytes', 'max-in-memory-length', 'max-in-memory-bytes', 'delivery-limit']);

/** Classic mirroring keys: accepted and validated as RabbitMQ 3.10 does; a single node has nothing to mirror to. */
export const MIRRORING_KEYS = new Set(['ha-mode', 'ha-params', 'ha-sync-mode', 'ha-sync-batch-size', 'ha-promote-on-shutdown', 'ha-promote-on-failure']);

function haValidators(): Record<string, Validator> {
  // ha-params and ha-sync-* are checked together with ha-mode (see validateMirroring).
  const none: Validator = () => undefined;
  return Object.fromEntries([...['ha-mode', 'ha-params', 'ha-sync-mode', 'ha-sync-batch-size', 'ha-promote-on-shutdown', 'ha-promote-on-failure']].map((key) => [key, none]));
}

function validateMirroring(definition: Record<string, unknown>): string | undefined {
  const mode = definition['ha-mode'];
  const params = definition['ha-params'];
  const dependents = ['ha-params', 'ha-sync-mode', 'ha-promote-on-shutdown', 'ha-promote-on-failure', 'ha-sync-batch-size'];
  if (mode === undefined) {
    return dependents.some((key) => definition[key] !== undefined)
      ? 'ha-mode must be specified to specify ha-params, ha-sync-mode or ha-promote-on-shutdown'
      : undefined;
  }
  if (mode === 'all') {
    if (params !== undefined) return 'ha-mode="all" does not take parameters';
  } else if (mode === 'exactly') {
    if (params === undefined) return 'ha-mode="exactly" takes an integer, none given';
    if (!isInteger(params) || params < 1) return `ha-mode="exactly" takes an integer, ${erlangTerm(params)} given`;
  } else if (mode === 'nodes') {
    if (params === undefined) return 'ha-mode="nodes" takes a list, none given';
    if (!Array.isArray(params)) return `ha-mode="nodes" takes a list, ${erlangTerm(params)} given`;
    if (params.length === 0) return 'ha-mode="nodes" list must be non-empty';
  } else {
    return `${erlangTerm(mode)} is not a valid ha-mode value`;
  }
  const sync = definition['ha-sync-mode'];
  if (sync !== undefined && sync !== 'manual' && sync !== 'automatic') return `ha-sync-mode must be "manual" or "automatic", got ${erlangTerm(sync)}`;
  const batch = definition['ha-sync-batch-size'];
  if (batch !== undefined && !(isInteger(batch) && batch > 0)) return `ha-sync-batch-size takes an integer greater than 0, ${erlangTerm(batch)} given`;
  for (const key of ['ha-promote-on-shutdown', 'ha-promote-on-failure']) {
    const value = definition[key];
    if (value !== undefined && value !== 'always' && value !== 'when-synced') return `${key} must be "always" or "when-synced", got ${erlangTerm(value)}`;
  }
  return undefined;
}

/**
 * Checks a policy (or, with `operator`, an operator policy) as RabbitMQ does and returns
 * it with defaults filled in (priority 0, apply-to all); throws PolicyError otherwise.
 * Known keys are checked in sorted order; unknown keys are reported only when every
 * known one is valid, all of them at once.
 */
export function validatePolicy(vhost: string, name: string, input: PolicyInput, operator: boolean): Policy {
  const { pattern, definition } = input;
  if (typeof pattern !== 'string') throw new PolicyError(`pattern should be a binary but was ${pattern === undefined ? 'undefined' : erlangTerm(pattern)}`);
  try {
    new RegExp(pattern);
  } catch (error) {
    throw new PolicyError(`pattern should be regular expression but is invalid: ${(error as Error).message}`);
  }
  // Left out means the default; a JSON null is a value, and a wrong one (as in RabbitMQ).
  const applyTo = input['apply-to'] === undefined ? 'all' : input['apply-to'];
  if (typeof applyTo !== 'string' || !(APPLY_TO as readonly string[]).includes(applyTo)) {
    throw new PolicyError(
      `apply-to '${typeof applyTo === 'string' ? applyTo : String(applyTo)}' unrecognised; should be one of: 'queues', 'classic_queues', 'quorum_queues', 'streams', 'exchanges', or 'all'`,
    );
  }
  const priority = input.priority === undefined ? 0 : input.priority;
  if (typeof priority !== 'number') throw new PolicyError(`priority should be a number, actually was ${erlangTerm(priority)}`);
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
    throw new PolicyError(`definition should be a JSON object, actually was ${erlangTerm(definition ?? null)}`);
  }
  const entries = Object.entries(definition as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) throw new PolicyError('no policy provided');
  const allowed = operator ? OPERATOR_POLICY_KEYS : undefined;
  const unknown: [string, unknown][] = [];
  for (const [key, value] of entries) {
    const validator = POLICY_KEYS[key];
    if (validator === undefined || (allowed !== undefined && !allowed.has(key))) {
      unknown.push([key, value]);
      continue;
    }
    const problem = validator(value);
    if (problem !== undefined) throw new PolicyError(problem);
  }
  const mirroring = validateMirroring(definition as Record<string, unknown>);
  if (mirroring !== undefined) throw new PolicyError(mirroring);
  if (unknown.length > 0) {
    throw new PolicyError(`[${unknown.map(([key, value]) => `{${erlangTerm(key)},${erlangTerm(value)}}`).join(',')}] are not recognised policy settings`);
  }
  return { vhost, name, pattern, applyTo: applyTo as ApplyTo, priority, definition: Object.fromEntries(entries) };
}

/** A JSON value as RabbitMQ prints the Erlang term it decodes to (~p). */
export function erlangTerm(value: unknown, bare = false): string {
  if (typeof value === 'string') return bare ? value : `<<"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}">>`;
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((item) => erlangTerm(item)).join(',')}]`;
  if (typeof value === 'object') {
    return `[${Object.entries(value as Record<string, unknown>)
      .map(([key, item]) => `{${erlangTerm(key)},${erlangTerm(item)}}`)
      .join(',')}]`;
  }
  return String(value);
}
