import { Deque } from '../../deque.js';
import type { StreamStore } from './stream-store.js';

/**
 * Server-side offset tracking for an AMQP 0-9-1 consumer (LavinMQ's
 * x-stream-automatic-offset-tracking): the consumer's tag names its stored offset, which
 * moves to the highest offset below which every delivery was acked (or rejected). A
 * delivery given back unsettled (channel closed, requeue) holds it, so a consumer that
 * comes back resumes at the first message it did not finish: at least once, never a gap.
 */
export class OffsetTracker {
  private readonly outstanding = new Deque<number>();
  /** Settled out of order, waiting for the ones before them. */
  private readonly settledAhead = new Set<number>();

  constructor(
    private readonly store: StreamStore,
    readonly reference: string,
  ) {}

  /** Where the consumer resumes: after its stored offset, or undefined when none is stored. */
  resumeOffset(): number | undefined {
    const stored = this.store.offsetOf(this.reference);
    return stored === undefined ? undefined : stored + 1;
  }

  delivered(offset: number): void {
    this.outstanding.push(offset);
  }

  settled(offset: number): void {
    if (this.outstanding.peek() !== offset) {
      this.settledAhead.add(offset);
      return;
    }
    let done = this.outstanding.shift()!;
    while (this.outstanding.length > 0 && this.settledAhead.delete(this.outstanding.peek()!)) done = this.outstanding.shift()!;
    this.store.storeOffset(this.reference, done);
  }

  /** A delivery came back unsettled: it stays the first one not finished. */
  returned(): void {}
}
