import { notFound } from '../broker/errors.js';
import type { Policy, PolicyKind } from '../broker/policies.js';
import { MIRRORING_KEYS, PolicyError, validatePolicy, type PolicyInput } from '../broker/policy-validation.js';
import type { ControlContext } from './context.js';
import { badRequest, objectNotFound } from './errors.js';
import { requireVhost, sortedVhosts } from './exchanges.js';
import type { JsonObject } from './json-table.js';
import { ALL_VHOSTS, type VhostFilter } from './vhosts.js';

/**
 * Policies and operator policies: RabbitMQ's /api/policies and /api/operator-policies,
 * and rabbitmqctl's set_policy family. A change applies at once to every queue and
 * exchange it matches, and is durable before the answer goes out.
 */
export class PoliciesControl {
  constructor(
    private readonly ctx: ControlContext,
    readonly kind: PolicyKind,
  ) {}

  /**
   * Every vhost's policies in one list ordered by priority, then vhost, then name: RabbitMQ
   * sorts [{Priority, Item}] pairs, so equal priorities compare the items (vhost first).
   */
  list(filter: VhostFilter = ALL_VHOSTS): JsonObject[] {
    return this.views(sortedVhosts(this.ctx, filter).flatMap((vhost) => vhost.policySet(this.kind).list()));
  }

  listIn(vhostName: string): JsonObject[] {
    return this.views(requireVhost(this.ctx, vhostName).policySet(this.kind).list());
  }

  get(vhostName: string, name: string): JsonObject {
    const policy = requireVhost(this.ctx, vhostName).policySet(this.kind).get(name);
    if (!policy) throw objectNotFound();
    return policyView(policy);
  }

  /**
   * Creates or replaces a policy; true if it is new. A vhost that does not exist is RabbitMQ's
   * 404 vhost_not_found; an invalid policy is 400 with RabbitMQ's validation text.
   */
  put(vhostName: string, name: string, input: PolicyInput): boolean {
    const vhost = this.ctx.core.vhost(vhostName);
    // RabbitMQ's body here is {"error":"not_found","reason":"vhost_not_found"}, not Object Not Found.
    if (!vhost) throw notFound('vhost_not_found');
    let policy: Policy;
    try {
      policy = validatePolicy(vhostName, name, input, this.kind === 'operator');
    } catch (error) {
      if (error instanceof PolicyError) throw badRequest(error.message);
      throw error;
    }
    const mirroring = Object.keys(policy.definition).filter((key) => MIRRORING_KEYS.has(key));
    if (mirroring.length > 0) {
      this.ctx.log?.warn({ vhost: vhostName, policy: name, keys: mirroring }, 'policy keys for classic queue mirroring have no effect on a single Warren node');
    }
    const isNew = vhost.policySet(this.kind).get(name) === undefined;
    vhost.putPolicy(this.kind, policy);
    return isNew;
  }

  delete(vhostName: string, name: string): void {
    const vhost = this.ctx.core.vhost(vhostName);
    if (!vhost || !vhost.deletePolicy(this.kind, name)) throw objectNotFound();
  }

  private views(policies: Policy[]): JsonObject[] {
    return [...policies].sort((a, b) => a.priority - b.priority || byteOrder(a.vhost, b.vhost) || byteOrder(a.name, b.name)).map(policyView);
  }
}

/** Names compared as Erlang compares binaries: byte by byte, in UTF-8. */
function byteOrder(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** A policy in RabbitMQ's JSON, keys in its order. */
export function policyView(policy: Policy): JsonObject {
  return {
    vhost: policy.vhost,
    name: policy.name,
    pattern: policy.pattern,
    'apply-to': policy.applyTo,
    definition: policy.definition as JsonObject,
    priority: policy.priority,
  };
}
