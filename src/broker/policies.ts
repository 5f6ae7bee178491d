import type { AppliedPolicies, QueueTypeName } from './queues/queue.js';
import type { PolicyDefinition } from './queues/settings.js';

/** What a policy applies to (RabbitMQ 3.12+ adds the per-queue-type values, which Warren takes too). */
export const APPLY_TO = ['all', 'queues', 'exchanges', 'classic_queues', 'quorum_queues', 'streams'] as const;
export type ApplyTo = (typeof APPLY_TO)[number];

/** User policies (set by policymakers) and operator policies (by administrators, limits only). */
export type PolicyKind = 'policy' | 'operator';

/** A policy or operator policy: a pattern over object names, and settings for what matches. */
export interface Policy {
  readonly vhost: string;
  readonly name: string;
  /** A regular expression, unanchored, over queue or exchange names. */
  readonly pattern: string;
  readonly applyTo: ApplyTo;
  readonly priority: number;
  readonly definition: PolicyDefinition;
}

/** What a policy is matched against. */
export type PolicyTarget = { kind: 'exchange'; name: string } | { kind: 'queue'; name: string; type: QueueTypeName };

/** One vhost's policies of one kind (user policies or operator policies). */
export class PolicySet {
  private readonly policies = new Map<string, { policy: Policy; regex: RegExp }>();

  get size(): number {
    return this.policies.size;
  }

  get(name: string): Policy | undefined {
    return this.policies.get(name)?.policy;
  }

  /** Adds or replaces a policy; its pattern must compile (validatePolicy checked it). */
  put(policy: Policy): void {
    this.policies.set(policy.name, { policy, regex: new RegExp(policy.pattern) });
  }

  delete(name: string): boolean {
    return this.policies.delete(name);
  }

  /** In name order, as RabbitMQ lists them. */
  list(): Policy[] {
    return [...this.policies.values()].map(({ policy }) => policy).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * The policy in effect on `target`: of those whose pattern matches its name, that apply
   * to its kind and hold no key it refuses (RabbitMQ skips a policy with a key the queue
   * type does not support), the one with the highest priority (the first by name on a tie).
   */
  match(target: PolicyTarget, refusedKeys?: ReadonlySet<string>): Policy | undefined {
    let best: Policy | undefined;
    for (const { policy, regex } of this.policies.values()) {
      if (!appliesTo(policy.applyTo, target) || !regex.test(target.name)) continue;
      if (refusedKeys !== undefined && Object.keys(policy.definition).some((key) => refusedKeys.has(key))) continue;
      if (best === undefined || policy.priority > best.priority || (policy.priority === best.priority && policy.name < best.name)) {
        best = policy;
      }
    }
    return best;
  }
}

function appliesTo(applyTo: ApplyTo, target: PolicyTarget): boolean {
  switch (applyTo) {
    case 'all':
      return true;
    case 'exchanges':
      return target.kind === 'exchange';
    case 'queues':
      return target.kind === 'queue';
    case 'classic_queues':
      return target.kind === 'queue' && target.type === 'classic';
    case 'quorum_queues':
      return target.kind === 'queue' && target.type === 'quorum';
    case 'streams':
      return target.kind === 'queue' && target.type === 'stream';
  }
}

/** Policy keys whose operator-policy value wins when it is lower (RabbitMQ's stricter-wins merge). */
const STRICTER_IS_LOWER = new Set(['expires', 'message-ttl', 'max-length', 'max-length-bytes', 'max-in-memory-length', 'max-in-memory-bytes', 'delivery-limit']);

/**
 * The definition in effect when a policy and an operator policy both match: every key of
 * either, and for a key in both the stricter (lower) value, as rabbit_policy merges them.
 */
export function appliedPolicies(policy: Policy | undefined, operatorPolicy: Policy | undefined): AppliedPolicies {
  const definition: Record<string, unknown> = { ...policy?.definition };
  for (const [key, value] of Object.entries(operatorPolicy?.definition ?? {})) {
    const current = definition[key];
    definition[key] = current !== undefined && STRICTER_IS_LOWER.has(key) ? stricter(key, current, value) : value;
  }
  const sorted = Object.fromEntries(Object.entries(definition).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { policy: policy?.name, operatorPolicy: operatorPolicy?.name, definition: sorted };
}

/** The lower limit; for delivery-limit a negative value means none, so the other one is stricter. */
function stricter(key: string, a: unknown, b: unknown): unknown {
  if (typeof a !== 'number' || typeof b !== 'number') return b;
  if (key === 'delivery-limit' && (a < 0 || b < 0)) return Math.max(a, b);
  return Math.min(a, b);
}

export const NO_POLICIES: AppliedPolicies = { policy: undefined, operatorPolicy: undefined, definition: {} };
