/** Something with output buffered during this turn of the event loop. */
export interface Flushable {
  flush(): void;
}

/**
 * Collects connections that wrote during this turn of the event loop and flushes each
 * once, after all pending I/O callbacks ran: frames produced by many incoming chunks
 * (say, a burst of publishes fanning out to one consumer) leave in one socket write.
 */
export class FlushScheduler {
  private dirty: Flushable[] = [];
  private spare: Flushable[] = [];
  private scheduled = false;
  private readonly run = () => this.flushAll();

  /** `beforeFlush` runs first on every flush: storage writes its delivered marks before sockets see deliveries. */
  constructor(private readonly beforeFlush: () => void = () => {}) {}

  mark(target: Flushable): void {
    this.dirty.push(target);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  private flushAll(): void {
    this.scheduled = false;
    this.beforeFlush();
    const batch = this.dirty;
    this.dirty = this.spare;
    for (let i = 0; i < batch.length; i++) batch[i].flush();
    batch.length = 0;
    this.spare = batch;
  }
}
