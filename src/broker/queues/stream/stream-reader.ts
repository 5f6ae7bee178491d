import type { Message } from '../../message.js';
import type { Consumer, QueuedMessage } from '../queue.js';
import type { StreamMessageFormat } from './message-format.js';
import type { OffsetTracker } from './offset-tracker.js';
import type { StreamChunk, StreamCursor, StreamStore } from './stream-store.js';

/** A delivery whose settlement moves a tracked consumer's stored offset. */
export interface TrackedDelivery extends QueuedMessage {
  readonly tracker: OffsetTracker;
}

/**
 * One AMQP consumer's read of a stream: a cursor over committed chunks and the records of
 * the chunk in hand, handed out one at a time while the consumer has credit (its
 * prefetch). Records before the consumer's start offset are skipped (a chunk starts
 * where it starts, the offset asked for may be inside it).
 */
export class StreamReader {
  private chunk: StreamChunk | undefined;
  private readonly buffers: Buffer[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private index = 0;
  private readonly collect = (buf: Buffer, start: number, end: number) => {
    this.buffers.push(buf);
    this.starts.push(start);
    this.ends.push(end);
  };

  constructor(
    readonly consumer: Consumer,
    private readonly cursor: StreamCursor,
    /** The first offset the consumer wants. */
    private readonly startOffset: number,
    /** Server-side offset tracking, when the consumer asked for it. */
    readonly tracker: OffsetTracker | undefined,
    private readonly queueName: string,
  ) {}

  /** The next record for the consumer as an AMQP message, or undefined when it has read everything committed. */
  next(store: StreamStore, format: StreamMessageFormat): QueuedMessage | undefined {
    for (;;) {
      if (this.chunk === undefined || this.index >= this.buffers.length) {
        if (!this.load(store)) return undefined;
      }
      const i = this.index++;
      const offset = this.chunk!.chunkId + i;
      if (offset < this.startOffset) continue;
      const message: Message = format.toAmqp091(this.buffers[i]!, this.starts[i]!, this.ends[i]!, offset, this.queueName);
      if (this.tracker === undefined) return { message, seq: offset, redelivered: false, expiresAt: 0, position: -1, priority: 0, deliveryCount: 0 };
      this.tracker.delivered(offset);
      const tracked: TrackedDelivery = { message, seq: offset, redelivered: false, expiresAt: 0, position: -1, priority: 0, deliveryCount: 0, tracker: this.tracker };
      return tracked;
    }
  }

  /** The offset of the next record this reader hands out. */
  get nextOffset(): number {
    return this.chunk !== undefined && this.index < this.buffers.length ? this.chunk.chunkId + this.index : this.cursor.nextOffset;
  }

  private load(store: StreamStore): boolean {
    this.buffers.length = 0;
    this.starts.length = 0;
    this.ends.length = 0;
    this.index = 0;
    this.chunk = this.cursor.next();
    if (this.chunk === undefined) return false;
    store.forEachRecord(this.chunk, this.collect);
    return true;
  }

  close(): void {
    this.cursor.close();
    this.chunk = undefined;
    this.buffers.length = 0;
  }
}
