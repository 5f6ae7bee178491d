import { statfs } from 'node:fs/promises';
import type { Logger } from '../log.js';
import type { Durability } from '../storage/durability.js';

/** A connection of any protocol that publishes: it stops reading while blocked. */
export interface BlockablePublisher {
  block(reason: string): void;
  unblock(): void;
}

/** RabbitMQ's default disk_free_limit. */
export const DEFAULT_DISK_FREE_LIMIT = 50 * 1024 * 1024;
const DISK_CHECK_INTERVAL_MS = 5000;

/**
 * Resource alarms, as in RabbitMQ: while one is raised, a connection that publishes is
 * blocked (its socket stops being read, and clients that asked get connection.blocked);
 * consumers go on draining. Raised by failed disk writes and by low free disk space.
 */
export class ResourceAlarms {
  private readonly raised = new Map<string, string>();
  private readonly blocked = new Set<BlockablePublisher>();
  private diskTimer: NodeJS.Timeout | undefined;

  constructor(private readonly log: Logger) {}

  /** The reason publishers are blocked, or undefined when they are not. */
  get blockingReason(): string | undefined {
    for (const reason of this.raised.values()) return reason;
    return undefined;
  }

  /** Names of the alarms in effect (e.g. disk), for health checks. */
  get raisedAlarms(): string[] {
    return [...this.raised.keys()];
  }

  raise(name: string, reason: string): void {
    if (this.raised.has(name)) return;
    this.raised.set(name, reason);
    this.log.error({ alarm: name }, 'resource alarm raised, publishers are blocked: %s', reason);
  }

  clear(name: string): void {
    if (!this.raised.delete(name)) return;
    this.log.warn({ alarm: name }, 'resource alarm cleared');
    if (this.raised.size > 0) return;
    for (const connection of this.blocked) connection.unblock();
    this.blocked.clear();
  }

  /** A connection just published while an alarm is raised: hold it. */
  blockPublisher(connection: BlockablePublisher): void {
    const reason = this.blockingReason;
    if (reason === undefined || this.blocked.has(connection)) return;
    this.blocked.add(connection);
    connection.block(reason);
  }

  forget(connection: BlockablePublisher): void {
    this.blocked.delete(connection);
  }

  /** Failed group commits raise the disk alarm; the next successful one clears it. */
  watchWrites(durability: Durability): void {
    durability.onSynced((outcome) => {
      if (outcome.ok) this.clear('disk-write');
      else this.raise('disk-write', `disk write failed: ${outcome.error?.message ?? 'unknown error'}`);
    });
  }

  /** Checks free space in `dir` now and then; below `limitBytes` publishers are blocked. */
  watchDiskSpace(dir: string, limitBytes: number): void {
    const check = async () => {
      try {
        const stats = await statfs(dir);
        const free = stats.bavail * stats.bsize;
        if (free < limitBytes) {
          this.raise('disk-free', `free disk space ${free} bytes is below the limit of ${limitBytes} bytes`);
        } else this.clear('disk-free');
      } catch (error) {
        this.log.warn({ err: error, dir }, 'cannot check free disk space');
      }
    };
    void check();
    this.diskTimer = setInterval(() => void check(), DISK_CHECK_INTERVAL_MS);
    this.diskTimer.unref();
  }

  close(): void {
    clearInterval(this.diskTimer);
  }
}
