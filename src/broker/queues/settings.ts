import type { FieldTable, FieldValue } from '../../amqp/field-table.js';
import { maxAgeMs } from './stream/max-age.js';

export type Overflow = 'drop-head' | 'reject-publish' | 'reject-publish-dlx';
export type DeadLetterStrategy = 'at-most-once' | 'at-least-once';

/**
 * What a queue does, as its arguments and the policies that match it decide together.
 * Recomputed whenever a policy changes: nothing here is frozen at declare time, except
 * what RabbitMQ only takes from arguments (priorities, single active consumer).
 */
export interface QueueSettings {
  readonly messageTtl?: number;
  readonly expires?: number;
  readonly deadLetterExchange?: string;
  readonly deadLetterRoutingKey?: string;
  readonly maxLength?: number;
  readonly maxLengthBytes?: number;
  readonly overflow: Overflow;
  /** Redeliveries after which a message is dead-lettered (quorum queues). */
  readonly deliveryLimit?: number;
  readonly deadLetterStrategy: DeadLetterStrategy;
  /** How long a delivery may stay unacknowledged (ms) before its channel is closed. */
  readonly consumerTimeout?: number;
  /** Priority levels 0..maxPriority (arguments only). */
  readonly maxPriority?: number;
  /** Arguments only. */
  readonly singleActiveConsumer: boolean;
  /** Streams: segments whose newest message is older than this (ms) are removed. */
  readonly maxAgeMs?: number;
  /** Streams: a segment is closed and a new one started past this size. */
  readonly streamMaxSegmentSizeBytes?: number;
  /** Streams: bytes of each chunk's filter (16..255). */
  readonly streamFilterSizeBytes?: number;
}

/** A policy's (or operator policy's) definition: policy keys to JSON values. */
export type PolicyDefinition = Readonly<Record<string, unknown>>;

/**
 * How a queue argument and its policy key combine, per RabbitMQ (rabbit_amqqueue_process'
 * args_policy table, rabbit_quorum_queue): `min` takes the smaller of both, `argument`
 * prefers the argument and falls back to the policy.
 */
type Resolution = 'min' | 'argument' | 'policy' | 'deliveryLimit';

interface SettingKey {
  argument: string;
  policy: string;
  resolution: Resolution;
}

const KEYS = {
  messageTtl: { argument: 'x-message-ttl', policy: 'message-ttl', resolution: 'min' },
  expires: { argument: 'x-expires', policy: 'expires', resolution: 'min' },
  deadLetterExchange: { argument: 'x-dead-letter-exchange', policy: 'dead-letter-exchange', resolution: 'argument' },
  deadLetterRoutingKey: { argument: 'x-dead-letter-routing-key', policy: 'dead-letter-routing-key', resolution: 'argument' },
  maxLength: { argument: 'x-max-length', policy: 'max-length', resolution: 'min' },
  maxLengthBytes: { argument: 'x-max-length-bytes', policy: 'max-length-bytes', resolution: 'min' },
  overflow: { argument: 'x-overflow', policy: 'overflow', resolution: 'argument' },
  deliveryLimit: { argument: 'x-delivery-limit', policy: 'delivery-limit', resolution: 'min' },
  deadLetterStrategy: { argument: 'x-dead-letter-strategy', policy: 'dead-letter-strategy', resolution: 'argument' },
  consumerTimeout: { argument: 'x-consumer-timeout', policy: 'consumer-timeout', resolution: 'min' },
  maxAgeMs: { argument: 'x-max-age', policy: 'max-age', resolution: 'argument' },
  streamMaxSegmentSizeBytes: { argument: 'x-stream-max-segment-size-bytes', policy: 'stream-max-segment-size-bytes', resolution: 'argument' },
  streamFilterSizeBytes: { argument: 'x-stream-filter-size-bytes', policy: 'stream-filter-size-bytes', resolution: 'argument' },
} as const satisfies Record<string, SettingKey>;

/** What the queue type decides on top of arguments and policies (its defaults and what it ignores). */
export interface SettingsRules {
  /** Settings keys the type acts on; the rest are left out (accepted and ignored, as RabbitMQ does). */
  readonly honours: ReadonlySet<keyof QueueSettings>;
  /** A value used when neither arguments nor policies set one (quorum queues' delivery limit of 20). */
  readonly defaults?: Partial<QueueSettings>;
  /** Quorum queues take reject-publish-dlx and act as drop-head, as RabbitMQ's do. */
  readonly rejectPublishDlxIsDropHead?: boolean;
  /** Settings where the policy beats the argument for this type (quorum queues' overflow). */
  readonly policyWins?: ReadonlySet<keyof QueueSettings>;
}

/**
 * The effective settings of a queue: its arguments combined with the policy (`policy`,
 * already merged with the operator policy, see mergePolicies) that applies to it.
 */
export function effectiveSettings(args: FieldTable, policy: PolicyDefinition | undefined, rules: SettingsRules): QueueSettings {
  const settings: Record<string, unknown> = { overflow: 'drop-head', deadLetterStrategy: 'at-most-once', singleActiveConsumer: false };
  for (const [field, key] of Object.entries(KEYS) as [keyof typeof KEYS, SettingKey][]) {
    if (!rules.honours.has(field)) continue;
    const resolution = rules.policyWins?.has(field) ? 'policy' : field === 'deliveryLimit' ? 'deliveryLimit' : key.resolution;
    let value = resolve(args[key.argument], policy?.[key.policy], resolution);
    // Durations are strings ("7D"); declare and policy validation refused malformed ones.
    if (field === 'maxAgeMs' && typeof value === 'string') value = maxAgeMs(value);
    if (value !== undefined) settings[field] = value;
    else if (rules.defaults?.[field] !== undefined) settings[field] = rules.defaults[field];
  }
  if (rules.honours.has('maxPriority') && args['x-max-priority'] !== undefined) settings.maxPriority = Number(args['x-max-priority']);
  if (rules.honours.has('singleActiveConsumer')) settings.singleActiveConsumer = args['x-single-active-consumer'] === true;
  if (rules.rejectPublishDlxIsDropHead && settings.overflow === 'reject-publish-dlx') settings.overflow = 'drop-head';
  // A quorum queue needs reject-publish for at-least-once dead-lettering; otherwise RabbitMQ falls back.
  if (settings.deadLetterStrategy === 'at-least-once' && settings.overflow !== 'reject-publish') settings.deadLetterStrategy = 'at-most-once';
  return settings as unknown as QueueSettings;
}

function resolve(argument: FieldValue | undefined, policy: unknown, resolution: Resolution): string | number | undefined {
  const fromArgument = plain(argument);
  const fromPolicy = plain(policy);
  if (fromArgument === undefined) return fromPolicy;
  if (fromPolicy === undefined || resolution === 'argument') return fromArgument;
  if (resolution === 'policy') return fromPolicy;
  if (typeof fromArgument !== 'number' || typeof fromPolicy !== 'number') return fromArgument;
  // RabbitMQ 4: a negative delivery limit means none, so the other one is the stricter.
  if (resolution === 'deliveryLimit' && (fromArgument < 0 || fromPolicy < 0)) return Math.max(fromArgument, fromPolicy);
  return Math.min(fromArgument, fromPolicy);
}

function plain(value: unknown): string | number | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}
