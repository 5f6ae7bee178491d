/**
 * The two clocks of a queue: per-message TTL (the head message's deadline) and the
 * queue's own idle expiry (x-expires). Each is one timer at most, re-armed as needed,
 * unref'ed so that a queue never keeps the process alive.
 */

/** Wakes the queue when its head message's TTL runs out (messages behind it wait their turn, as in RabbitMQ). */
export class HeadExpiryTimer {
  private timer: NodeJS.Timeout | undefined;
  private dueAt = 0;

  constructor(private readonly onDue: () => void) {}

  /** Makes sure the timer fires by `expiresAt` (epoch ms; 0 = the head never expires). */
  arm(expiresAt: number): void {
    if (expiresAt === 0) return;
    if (this.timer && this.dueAt <= expiresAt) return;
    this.clear();
    this.dueAt = expiresAt;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.dueAt = 0;
        this.onDue();
      },
      Math.max(0, expiresAt - Date.now()),
    );
    this.timer.unref();
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dueAt = 0;
  }
}

/** x-expires: the queue deletes itself after this long unused (no consumers, no declare, no get). */
export class IdleExpiry {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly onExpired: () => void) {}

  /** Starts the countdown again from now (`ms` undefined: the queue does not expire). */
  restart(ms: number | undefined): void {
    this.clear();
    if (ms === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.onExpired();
    }, ms);
    this.timer.unref();
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
