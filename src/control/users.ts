import { hashPassword } from '../auth/password.js';
import type { PermissionSet } from '../auth/permissions.js';
import { PASSWORD_HASHING_ALGORITHM, type User } from '../auth/user-store.js';
import type { ControlContext } from './context.js';
import { badRequest, objectNotFound } from './errors.js';
import type { JsonObject } from './json-table.js';
import type { VhostFilter } from './vhosts.js';

/** PUT /api/users/{name}: a password or a RabbitMQ password hash, and tags. */
export interface UserChange {
  password?: string;
  password_hash?: string;
  hashing_algorithm?: string;
  /** RabbitMQ takes "a,b" or ["a", "b"]. */
  tags?: string | string[];
}

/** The tags that let a user into the management API, as RabbitMQ names them. */
export const MANAGEMENT_TAGS = ['management', 'policymaker', 'monitoring', 'administrator'] as const;

/** Users and their permissions: read models and commands. */
export class UsersControl {
  constructor(private readonly ctx: ControlContext) {}

  list(): JsonObject[] {
    return this.ctx.access.users
      .list()
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map(userView);
  }

  get(name: string): JsonObject {
    return userView(this.require(name));
  }

  require(name: string): User {
    const user = this.ctx.access.users.get(name);
    if (!user) throw objectNotFound();
    return user;
  }

  /** Creates (true) or updates (false) a user. Without a password or hash, an existing user keeps theirs. */
  put(name: string, change: UserChange): boolean {
    if (change.tags === undefined) throw badRequest('tags_not_present');
    const tags = parseTags(change.tags);
    const existing = this.ctx.access.users.get(name);
    let passwordHash = existing?.passwordHash ?? '';
    if (change.password !== undefined) passwordHash = hashPassword(change.password);
    else if (change.password_hash !== undefined) passwordHash = checkedHash(change.password_hash, change.hashing_algorithm);
    this.ctx.access.putUser({ name, passwordHash, tags, limits: existing?.limits });
    return existing === undefined;
  }

  delete(name: string): void {
    if (!this.ctx.access.deleteUser(name)) throw objectNotFound();
  }

  /** POST /api/users/bulk-delete: deletes in order and stops at the first unknown name (400), as RabbitMQ. */
  deleteAll(names: readonly string[]): void {
    for (const name of names) {
      if (!this.ctx.access.deleteUser(name)) throw badRequest(['no_such_user', name]);
    }
  }

  /** Users with no permissions in any vhost. */
  withoutPermissions(): JsonObject[] {
    const withSome = new Set(this.ctx.access.listPermissions().map((p) => p.user));
    return this.list().filter((user) => !withSome.has(user.name as string));
  }

  whoami(user: User): JsonObject {
    return { name: user.name, tags: user.tags };
  }

  // --- permissions -----------------------------------------------------------------

  permissions(filter: { vhost?: string; user?: string; vhosts?: VhostFilter } = {}): JsonObject[] {
    return this.ctx.access
      .listPermissions({ vhost: filter.vhost, user: filter.user })
      .filter((p) => filter.vhosts === undefined || filter.vhosts(p.vhost))
      .map((p) => ({ user: p.user, vhost: p.vhost, configure: p.set.configure, write: p.set.write, read: p.set.read }));
  }

  permission(vhost: string, user: string): JsonObject {
    const found = this.permissions({ vhost, user })[0];
    if (!found) throw objectNotFound();
    return found;
  }

  /** Sets a user's permissions in a vhost; true if they had none there before. */
  setPermissions(vhost: string, user: string, set: PermissionSet): boolean {
    const { access, core } = this.ctx;
    if (!core.vhost(vhost) || !access.users.get(user)) throw badRequest('vhost_or_user_not_found');
    const isNew = !access.canAccessVhost(user, vhost);
    try {
      access.setPermissions(user, vhost, set);
    } catch (error) {
      throw badRequest(`invalid_regexp: ${(error as Error).message}`);
    }
    return isNew;
  }

  clearPermissions(vhost: string, user: string): void {
    if (!this.ctx.access.clearPermissions(user, vhost)) throw objectNotFound();
  }
}

export function userView(user: User): JsonObject {
  return {
    name: user.name,
    password_hash: user.passwordHash,
    hashing_algorithm: PASSWORD_HASHING_ALGORITHM,
    tags: user.tags,
    limits: { ...user.limits },
  };
}

export function parseTags(tags: string | string[]): string[] {
  const list = Array.isArray(tags) ? tags : tags.split(',');
  return list.map((tag) => tag.trim()).filter((tag) => tag !== '');
}

/** A RabbitMQ password hash Warren can check: base64 of salt + SHA-256, or empty (no password login). */
export function checkedHash(hash: string, algorithm: string | undefined): string {
  if (algorithm !== undefined && algorithm !== PASSWORD_HASHING_ALGORITHM) {
    throw badRequest(`unsupported hashing_algorithm '${algorithm}': Warren checks ${PASSWORD_HASHING_ALGORITHM} hashes only; set a password instead`);
  }
  if (hash === '') return '';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(hash) || hash.length % 4 !== 0) throw badRequest(['not_base64', hash]);
  if (Buffer.from(hash, 'base64').length !== 36) {
    throw badRequest(`password_hash must be ${PASSWORD_HASHING_ALGORITHM} (base64 of a 4-byte salt and a 32-byte digest)`);
  }
  return hash;
}
