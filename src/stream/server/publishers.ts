import type { Queue, StreamAccess } from '../../broker/queues/queue.js';
import type { FrameWriter, Long } from '../protocol/index.js';

/**
 * A declared publisher: the stream it writes to, its reference (deduplication: a
 * publishing id at or below the last one written under the reference is confirmed and not
 * written again) and the publishing ids waiting for their confirm, each with the
 * durability ticket of its record (0: nothing to wait for, a deduplicated one).
 */
export class Publisher {
  private readonly ids: Long[] = [];
  private readonly tickets: number[] = [];
  private head = 0;
  private readonly ready: Long[] = [];
  /** Messages this publisher had written (for listings). */
  published = 0;

  constructor(
    readonly id: number,
    /** '' for none. */
    readonly reference: string,
    readonly queue: Queue,
    readonly stream: StreamAccess,
  ) {}

  /** The last publishing id written under this publisher's reference (deduplication), if any. */
  get lastSequence(): number | undefined {
    return this.reference === '' ? undefined : this.stream.store.sequenceOf(this.reference);
  }

  /** Remembers a publishing id until `ticket` is durable. */
  track(publishingId: Long, ticket: number): void {
    this.ids.push(publishingId);
    this.tickets.push(ticket);
  }

  get waiting(): boolean {
    return this.head < this.ids.length;
  }

  /** Publishing ids waiting for their confirm. */
  get unconfirmed(): number {
    return this.ids.length - this.head;
  }

  /** Writes one PublishConfirm with every id durable by `syncedEpoch`, in order. */
  confirm(out: FrameWriter, syncedEpoch: number): void {
    const ready = this.ready;
    while (this.head < this.ids.length && this.tickets[this.head]! <= syncedEpoch) ready.push(this.ids[this.head++]!);
    if (ready.length === 0) return;
    out.publishConfirm(this.id, ready);
    ready.length = 0;
    if (this.head > 1024 || this.head === this.ids.length) {
      this.ids.splice(0, this.head);
      this.tickets.splice(0, this.head);
      this.head = 0;
    }
  }

  /** A failed group commit: ids waiting on it (or before it) get PublishError `code` instead. */
  fail(out: FrameWriter, epoch: number, code: number): void {
    const failed: Long[] = [];
    while (this.head < this.ids.length && this.tickets[this.head]! <= epoch) failed.push(this.ids[this.head++]!);
    if (failed.length > 0) out.publishError(this.id, failed, code);
  }
}
