import { checkPassword, hashPassword } from './password.js';
import { isLoopbackAddress } from './loopback.js';

export interface User {
  readonly name: string;
  passwordHash: string;
  tags: string[];
  /** Like RabbitMQ's loopback_users: may log in only from this machine. */
  loopbackOnly: boolean;
}

export type LoginResult = { ok: true; user: User } | { ok: false; reason: string };

/** The broker's users. Starts with guest/guest, usable from loopback only, as RabbitMQ does. */
export class UserStore {
  private readonly users = new Map<string, User>();

  constructor() {
    this.add({ name: 'guest', passwordHash: hashPassword('guest'), tags: ['administrator'], loopbackOnly: true });
  }

  add(user: User): void {
    this.users.set(user.name, user);
  }

  get(name: string): User | undefined {
    return this.users.get(name);
  }

  login(name: string, password: string, remoteAddress: string | undefined): LoginResult {
    const user = this.users.get(name);
    if (!user || !checkPassword(password, user.passwordHash)) {
      return { ok: false, reason: `user '${name}' - invalid credentials` };
    }
    if (user.loopbackOnly && !isLoopbackAddress(remoteAddress)) {
      return {
        ok: false,
        reason: `user '${name}' can only connect via localhost (connection from ${remoteAddress ?? 'unknown'})`,
      };
    }
    return { ok: true, user };
  }
}
