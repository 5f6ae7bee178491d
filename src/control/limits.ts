import { notFound } from '../broker/errors.js';
import { LimitsError, validateLimits, type Limits } from '../broker/limits.js';
import type { ControlContext } from './context.js';
import { badRequest, objectNotFound } from './errors.js';
import { requireVhost, sortedVhosts } from './exchanges.js';
import type { JsonObject } from './json-table.js';
import { ALL_VHOSTS, type VhostFilter } from './vhosts.js';

/**
 * Vhost limits (max-connections, max-queues) and user limits (max-connections,
 * max-channels): RabbitMQ's /api/vhost-limits and /api/user-limits, and rabbitmqctl's
 * set_vhost_limits / set_user_limits. Limits apply to what comes next; nothing that
 * exists is closed or deleted when a limit is lowered.
 */
export class LimitsControl {
  constructor(private readonly ctx: ControlContext) {}

  /** Vhosts that have limits, as [{vhost, value}]. */
  vhostLimits(filter: VhostFilter = ALL_VHOSTS): JsonObject[] {
    return sortedVhosts(this.ctx, filter)
      .filter((vhost) => Object.keys(vhost.limits).length > 0)
      .map((vhost) => ({ vhost: vhost.name, value: { ...vhost.limits } }));
  }

  vhostLimitsOf(vhostName: string): JsonObject[] {
    const vhost = requireVhost(this.ctx, vhostName);
    return Object.keys(vhost.limits).length === 0 ? [] : [{ vhost: vhost.name, value: { ...vhost.limits } }];
  }

  /** Replaces every limit of the vhost (rabbitmqctl set_vhost_limits). */
  setVhostLimits(vhostName: string, input: unknown): void {
    const vhost = this.ctx.core.vhost(vhostName);
    if (!vhost) throw notFound('vhost_not_found');
    vhost.setLimits(checked('vhost', input));
  }

  /** Sets one limit, keeping the others (PUT /api/vhost-limits/{vhost}/{name}); RabbitMQ moves it to the front. */
  setVhostLimit(vhostName: string, name: string, value: unknown): void {
    const vhost = this.ctx.core.vhost(vhostName);
    // RabbitMQ's body here is {"error":"not_found","reason":"vhost_not_found"}, not Object Not Found.
    if (!vhost) throw notFound('vhost_not_found');
    const { [name]: _replaced, ...others } = vhost.limits;
    vhost.setLimits(checked('vhost', { [name]: value, ...others }));
  }

  /** Removes one limit (`all`: every limit). Removing a limit that is not set is fine, as in RabbitMQ. */
  clearVhostLimit(vhostName: string, name: string): void {
    const vhost = requireVhost(this.ctx, vhostName);
    if (name === 'all') vhost.setLimits({});
    else if (name in vhost.limits) {
      const { [name]: _removed, ...others } = vhost.limits;
      vhost.setLimits(others);
    }
  }

  /** Users that have limits, as [{user, value}]. */
  userLimits(): JsonObject[] {
    return this.ctx.access.users
      .list()
      .filter((user) => user.limits !== undefined && Object.keys(user.limits).length > 0)
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((user) => ({ user: user.name, value: { ...user.limits } }));
  }

  userLimitsOf(userName: string): JsonObject[] {
    const user = this.ctx.access.users.get(userName);
    if (!user) throw objectNotFound();
    return user.limits === undefined || Object.keys(user.limits).length === 0 ? [] : [{ user: user.name, value: { ...user.limits } }];
  }

  /** Sets limits on a user, merged into those it has (rabbitmqctl set_user_limits merges too). */
  setUserLimits(userName: string, input: unknown): void {
    const user = this.ctx.access.users.get(userName);
    if (!user) throw badRequest(['no_such_user', userName]);
    const limits = checked('user', input);
    this.ctx.access.setUserLimits(userName, { ...user.limits, ...limits });
  }

  clearUserLimit(userName: string, name: string): void {
    const user = this.ctx.access.users.get(userName);
    if (!user) throw objectNotFound();
    if (name === 'all') this.ctx.access.setUserLimits(userName, {});
    else if (user.limits !== undefined && name in user.limits) {
      const { [name]: _removed, ...others } = user.limits;
      this.ctx.access.setUserLimits(userName, others);
    }
  }
}

function checked(kind: 'vhost' | 'user', input: unknown): Limits {
  try {
    return validateLimits(kind, input);
  } catch (error) {
    if (error instanceof LimitsError) throw badRequest(error.message);
    throw error;
  }
}
