import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessControl } from '../auth/access-control.js';
import type { User } from '../auth/user-store.js';
import { MANAGEMENT_TAGS } from '../control/users.js';
import type { VhostFilter } from '../control/vhosts.js';

/** The management access levels, from RabbitMQ's user tags. */
export type AccessLevel = 'management' | 'policymaker' | 'monitoring' | 'administrator';

/** Who is calling, once Basic auth succeeded. */
export class Caller {
  constructor(
    readonly user: User,
    private readonly access: AccessControl,
  ) {}

  get name(): string {
    return this.user.name;
  }

  has(level: AccessLevel): boolean {
    const tags = this.user.tags;
    switch (level) {
      case 'administrator':
        return tags.includes('administrator');
      case 'monitoring':
        return tags.includes('administrator') || tags.includes('monitoring');
      case 'policymaker':
        return tags.includes('administrator') || tags.includes('policymaker');
      case 'management':
        return tags.some((tag) => (MANAGEMENT_TAGS as readonly string[]).includes(tag));
    }
  }

  /**
   * For listings of queues, exchanges, bindings: administrators see every vhost's
   * objects, everyone else (monitoring users too, as in RabbitMQ) those of the vhosts
   * they have permissions in.
   */
  get vhostFilter(): VhostFilter {
    if (this.has('administrator')) return () => true;
    return (vhost) => this.access.canAccessVhost(this.name, vhost);
  }

  /** For GET /api/vhosts: monitoring users and administrators see every vhost. */
  get vhostListFilter(): VhostFilter {
    if (this.has('monitoring')) return () => true;
    return (vhost) => this.access.canAccessVhost(this.name, vhost);
  }

  /** For connections, channels and consumers: everyone's for monitoring users, otherwise their own. */
  get connectionUser(): string | undefined {
    return this.has('monitoring') ? undefined : this.name;
  }

  /** May this caller use the objects of this vhost (RabbitMQ: administrators, or users with permissions there)? */
  mayUseVhost(vhost: string): boolean {
    return this.has('administrator') || this.access.canAccessVhost(this.name, vhost);
  }
}

/** What a failed authentication answers: status, body and whether to ask for credentials. */
export interface AuthFailure {
  status: 401;
  challenge: boolean;
  body: { error: string; reason: string } | undefined;
}

export const REALM = 'Basic realm="RabbitMQ Management"';

/**
 * Basic auth against the broker's users, as RabbitMQ's management API does it: no
 * credentials is a bare 401 challenge, wrong ones "Login failed", users limited to
 * loopback (guest) are refused from elsewhere, and only management tags get in.
 */
export function authenticate(request: FastifyRequest, access: AccessControl): Caller | AuthFailure {
  const header = request.headers.authorization;
  if (header === undefined || !/^basic /i.test(header)) return { status: 401, challenge: true, body: undefined };
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return loginFailed('Login failed');
  const result = access.login(decoded.slice(0, colon), decoded.slice(colon + 1), request.socket.remoteAddress);
  if (!result.ok) {
    const loopbackOnly = result.reason.includes('can only connect via localhost');
    return loginFailed(loopbackOnly ? 'User can only log in via localhost' : 'Login failed');
  }
  const caller = new Caller(result.user, access);
  if (!caller.has('management')) {
    return { status: 401, challenge: false, body: { error: 'not_authorised', reason: 'Not management user' } };
  }
  return caller;
}

function loginFailed(reason: string): AuthFailure {
  return { status: 401, challenge: true, body: { error: 'not_authorized', reason } };
}

export function sendAuthFailure(reply: FastifyReply, failure: AuthFailure): FastifyReply {
  if (failure.challenge) reply.header('www-authenticate', REALM);
  reply.code(failure.status);
  return failure.body === undefined ? reply.send() : reply.send(failure.body);
}
