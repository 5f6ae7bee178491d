/**
 * How many message bytes all queues together may keep in memory. Beyond it (and beyond
 * each queue's own window) new messages go straight to disk and are read back when
 * their turn comes, so memory stays flat however long queues grow.
 */
export class MemoryBudget {
  private used = 0;

  constructor(readonly limitBytes: number) {}

  get usedBytes(): number {
    return this.used;
  }

  fits(bytes: number): boolean {
    return this.used + bytes <= this.limitBytes;
  }

  take(bytes: number): void {
    this.used += bytes;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }
}
