import { Events } from '../events.js';
import { isLoopbackAddress } from './loopback.js';
import { CompiledPermissions, validatePermissionSet, type AccessKind, type PermissionSet } from './permissions.js';
import { newUser, UserStore, type User } from './user-store.js';

export type LoginResult = { ok: true; user: User } | { ok: false; reason: string };

/** Changes to users and permissions (storage follows them so that they survive restarts). */
export type AccessEventMap = {
  userPut: [user: User];
  userDeleted: [name: string];
  permissionsPut: [vhost: string, user: string, set: PermissionSet];
  permissionsDeleted: [vhost: string, user: string];
};

export interface UserPermissions {
  user: string;
  vhost: string;
  set: PermissionSet;
}

/**
 * Who may log in, from where, into which vhost, and do what there. Every change bumps
 * `version`, so anything caching answers (a channel's permission cache) knows to ask
 * again: changes take effect at once, without reconnecting.
 */
export class AccessControl {
  readonly users = new UserStore();
  /** vhost -> user -> permissions */
  private readonly permissions = new Map<string, Map<string, CompiledPermissions>>();
  readonly events = new Events<AccessEventMap>();
  version = 0;

  /** Like RabbitMQ's loopback_users: these may only log in from this machine. */
  constructor(readonly loopbackUsers: ReadonlySet<string> = new Set(['guest'])) {}

  /** RabbitMQ's first-boot defaults: guest/guest, administrator, everything on `/`. */
  addDefaults(): void {
    this.putUser(newUser('guest', 'guest', ['administrator']));
    this.setPermissions('guest', '/', { configure: '.*', write: '.*', read: '.*' });
  }

  login(name: string, password: string, remoteAddress: string | undefined): LoginResult {
    const user = this.users.authenticate(name, password);
    if (!user) return { ok: false, reason: `user '${name}' - invalid credentials` };
    if (this.loopbackUsers.has(name) && !isLoopbackAddress(remoteAddress)) {
      return {
        ok: false,
        reason: `user '${name}' can only connect via localhost (connection from ${remoteAddress ?? 'unknown'})`,
      };
    }
    return { ok: true, user };
  }

  canAccessVhost(user: string, vhost: string): boolean {
    return this.permissions.get(vhost)?.has(user) ?? false;
  }

  /** Whether `user` may `kind` the resource called `name` in `vhost`. */
  allows(user: string, vhost: string, kind: AccessKind, name: string): boolean {
    return this.permissions.get(vhost)?.get(user)?.allows(kind, name) ?? false;
  }

  // --- changes -------------------------------------------------------------------

  putUser(user: User): void {
    this.users.put(user);
    this.version++;
    this.events.emit('userPut', user);
  }

  /** Replaces a user's limits (validated by the caller); false if there is no such user. */
  setUserLimits(name: string, limits: Readonly<Record<string, number>>): boolean {
    const user = this.users.get(name);
    if (!user) return false;
    this.putUser({ ...user, limits });
    return true;
  }

  deleteUser(name: string): boolean {
    if (!this.users.delete(name)) return false;
    for (const [vhost, byUser] of this.permissions) if (byUser.delete(name)) this.events.emit('permissionsDeleted', vhost, name);
    this.version++;
    this.events.emit('userDeleted', name);
    return true;
  }

  setPermissions(user: string, vhost: string, set: PermissionSet): void {
    validatePermissionSet(set);
    let byUser = this.permissions.get(vhost);
    if (!byUser) this.permissions.set(vhost, (byUser = new Map()));
    byUser.set(user, new CompiledPermissions({ ...set }));
    this.version++;
    this.events.emit('permissionsPut', vhost, user, set);
  }

  clearPermissions(user: string, vhost: string): boolean {
    if (!this.permissions.get(vhost)?.delete(user)) return false;
    this.version++;
    this.events.emit('permissionsDeleted', vhost, user);
    return true;
  }

  /** A vhost was deleted: nobody keeps permissions on it. */
  vhostDeleted(vhost: string): void {
    const byUser = this.permissions.get(vhost);
    if (!byUser) return;
    for (const user of byUser.keys()) this.events.emit('permissionsDeleted', vhost, user);
    this.permissions.delete(vhost);
    this.version++;
  }

  listPermissions(filter: { vhost?: string; user?: string } = {}): UserPermissions[] {
    const list: UserPermissions[] = [];
    for (const [vhost, byUser] of this.permissions) {
      if (filter.vhost !== undefined && vhost !== filter.vhost) continue;
      for (const [user, compiled] of byUser) {
        if (filter.user !== undefined && user !== filter.user) continue;
        list.push({ user, vhost, set: compiled.set });
      }
    }
    return list;
  }
}
