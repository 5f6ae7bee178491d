export type AccessKind = 'configure' | 'write' | 'read';

/** One user's permissions in one vhost: three regular expressions, as RabbitMQ keeps them. */
export interface PermissionSet {
  configure: string;
  write: string;
  read: string;
}

/**
 * Compiled once when permissions are set, tested per operation. Like RabbitMQ, a
 * pattern matches anywhere in the name unless anchored, and the empty string grants
 * nothing (it would otherwise match every name).
 */
export class CompiledPermissions {
  private readonly patterns: Record<AccessKind, RegExp | null>;

  constructor(readonly set: PermissionSet) {
    this.patterns = { configure: compile(set.configure), write: compile(set.write), read: compile(set.read) };
  }

  allows(kind: AccessKind, name: string): boolean {
    const pattern = this.patterns[kind];
    return pattern !== null && pattern.test(name);
  }
}

function compile(pattern: string): RegExp | null {
  return pattern === '' ? null : new RegExp(pattern);
}

/** Throws a clear error if a pattern is not a valid regular expression. */
export function validatePermissionSet(set: PermissionSet): void {
  for (const kind of ['configure', 'write', 'read'] as const) {
    try {
      compile(set[kind]);
    } catch (error) {
      throw new Error(`invalid ${kind} permission pattern ${JSON.stringify(set[kind])}: ${(error as Error).message}`);
    }
  }
}
