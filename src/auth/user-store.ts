import { checkPassword, hashPassword } from './password.js';

export const PASSWORD_HASHING_ALGORITHM = 'rabbit_password_hashing_sha256';

export interface User {
  readonly name: string;
  /** RabbitMQ's format: base64(salt ++ sha256(salt ++ password)); empty = no password login. */
  passwordHash: string;
  tags: string[];
  /** max-connections, max-channels (RabbitMQ's user limits); absent = none. */
  limits?: Readonly<Record<string, number>>;
}

export function newUser(name: string, password: string | undefined, tags: string[] = []): User {
  return { name, passwordHash: password === undefined ? '' : hashPassword(password), tags };
}

/** The broker's users by name. */
export class UserStore {
  private readonly users = new Map<string, User>();

  get(name: string): User | undefined {
    return this.users.get(name);
  }

  list(): User[] {
    return [...this.users.values()];
  }

  put(user: User): void {
    this.users.set(user.name, user);
  }

  delete(name: string): boolean {
    return this.users.delete(name);
  }

  /** The user if the password is right (users without a password cannot log in with one). */
  authenticate(name: string, password: string): User | undefined {
    const user = this.users.get(name);
    if (!user || user.passwordHash === '' || !checkPassword(password, user.passwordHash)) return undefined;
    return user;
  }
}
