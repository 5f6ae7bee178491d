import { erlangTerm } from './policy-validation.js';

/**
 * Resource limits as RabbitMQ sets them on vhosts (max-connections, max-queues) and
 * users (max-connections, max-channels): a number each, negative meaning unlimited
 * and 0 allowing nothing.
 */
export type Limits = Readonly<Record<string, number>>;

export const VHOST_LIMIT_KEYS = ['max-connections', 'max-queues'] as const;
export const USER_LIMIT_KEYS = ['max-connections', 'max-channels'] as const;

/** Why a limits change was refused, in RabbitMQ's words. */
export class LimitsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LimitsError';
  }
}

/** The limit `key` puts on one more of something, when `current` of them exist; undefined while under it. */
export function reachedLimit(limits: Limits | undefined, key: string, current: number): number | undefined {
  const limit = limits?.[key];
  if (limit === undefined || limit < 0) return undefined;
  return current + 1 > limit ? limit : undefined;
}

/**
 * Checks limits as RabbitMQ does (rabbit_vhost_limit / rabbit_auth_backend_internal):
 * known keys only, numbers only. The texts differ by kind, as RabbitMQ's do.
 */
export function validateLimits(kind: 'vhost' | 'user', input: unknown): Limits {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new LimitsError(kind === 'vhost' ? 'Validation failed\n\nlimits must be a JSON object\n' : 'limits must be a JSON object');
  }
  const known: readonly string[] = kind === 'vhost' ? VHOST_LIMIT_KEYS : USER_LIMIT_KEYS;
  const entries = Object.entries(input as Record<string, unknown>);
  const unknown = entries.filter(([key]) => !known.includes(key));
  if (unknown.length > 0) {
    const terms = `[${unknown.map(([key, value]) => `{${erlangTerm(key)},${erlangTerm(value)}}`).join(',')}]`;
    throw new LimitsError(kind === 'vhost' ? `Validation failed\n\nUnrecognised terms ${terms} in limits\n` : `Unrecognised terms ${terms} in user-limits`);
  }
  for (const [key, value] of entries) {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      const text = `${key} should be a number, actually was ${erlangTerm(value)}`;
      throw new LimitsError(kind === 'vhost' ? `Validation failed\n\n${text}\n` : text);
    }
  }
  return Object.fromEntries(entries) as Limits;
}
