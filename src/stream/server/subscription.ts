import type { FieldTable } from '../../amqp/field-table.js';
import type { Consumer, ConsumerSession, Queue, StreamAccess } from '../../broker/queues/queue.js';
import type { GroupMember } from '../../broker/queues/stream/consumer-groups.js';
import type { ChunkFilter, StreamCursor } from '../../broker/queues/stream/stream-store.js';
import { CHUNK_HEADER_SIZE, type FrameWriter } from '../protocol/index.js';

/** What a subscription needs from its connection. */
export interface SubscriptionHost {
  readonly writer: FrameWriter;
  /** Whether the socket can take more now. */
  readonly canWrite: boolean;
  /** 2 when the client takes Deliver v2 (with the committed chunk id). */
  readonly deliverVersion: 1 | 2;
  readonly session: ConsumerSession;
  /** Output is waiting: flush it this turn. */
  markDirty(): void;
  /** The stream went away under the subscription. */
  subscriptionLost(subscription: Subscription): void;
  /** Asks the client where a subscription that just became active starts (ConsumerUpdate). */
  askWhereToStart(subscription: Subscription): void;
}

/**
 * A stream-protocol subscription: a cursor over the stream's committed chunks, sent whole
 * (header and data, as stored) as credit allows, one credit per chunk. It is listed with
 * the queue's consumers but reads the log itself; the queue only tells it when the
 * stream is deleted. A member of a single-active-consumer group reads only while it is
 * the active one, from where the client says when it becomes so.
 */
export class Subscription implements Consumer, GroupMember {
  readonly noAck = false;
  readonly exclusive = false;
  readonly priority = 0;
  readonly arguments: FieldTable;
  /** Chunks it may still be sent. */
  credit: number;
  chunksDelivered = 0;
  messagesDelivered = 0;
  private cursor: StreamCursor | undefined;
  private readonly stopListening: () => void;
  private closed = false;

  constructor(
    readonly id: number,
    readonly queue: Queue,
    readonly stream: StreamAccess,
    credit: number,
    readonly properties: Readonly<Record<string, string>>,
    private readonly filter: ChunkFilter | undefined,
    /** The single-active-consumer group it belongs to, if any. */
    readonly groupName: string | undefined,
    private readonly host: SubscriptionHost,
  ) {
    this.credit = credit;
    this.arguments = { ...properties };
    this.stopListening = stream.store.onCommitted(() => this.pump());
    stream.attach(this);
  }

  get tag(): string {
    return String(this.id);
  }
  get prefetch(): number {
    return this.credit;
  }
  get owner(): object {
    return this.host;
  }
  get session(): ConsumerSession {
    return this.host.session;
  }
  /** Reading (not waiting in a single-active-consumer group, nor for the client to say where to start). */
  get active(): boolean {
    return this.cursor !== undefined;
  }

  canTake(): boolean {
    return false;
  }
  deliver(): void {}

  cancelledByQueue(): void {
    this.close();
    this.host.subscriptionLost(this);
  }

  /** Starts reading at `offset` (clamped into the stream). */
  start(offset: number): void {
    if (this.closed) return;
    this.cursor?.close();
    this.cursor = this.stream.store.openCursor(offset, this.filter);
    this.pump();
  }

  /** The group made it the active member: the client says where it starts. */
  activate(): void {
    if (!this.closed) this.host.askWhereToStart(this);
  }

  addCredit(credit: number): void {
    this.credit = Math.min(this.credit + credit, 0xffff_ffff);
    this.pump();
  }

  /** Sends chunks while there is credit, room on the socket and something committed to read. */
  pump(): void {
    const cursor = this.cursor;
    if (this.closed || cursor === undefined) return;
    const host = this.host;
    let sent = false;
    const store = this.stream.store;
    while (this.credit > 0 && host.canWrite) {
      const chunk = cursor.next();
      if (chunk === undefined) break;
      host.writer.deliver(this.id, host.deliverVersion === 2 ? store.lastChunkId : null, chunk.head.subarray(0, CHUNK_HEADER_SIZE), chunk.data);
      this.credit--;
      this.chunksDelivered++;
      this.messagesDelivered += chunk.records;
      this.queue.stats.deliver += chunk.records;
      sent = true;
    }
    if (sent) host.markDirty();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopListening();
    this.stream.detach(this);
    if (this.groupName !== undefined) this.stream.consumerGroups.leave(this.groupName, this);
    this.cursor?.close();
    this.cursor = undefined;
  }
}
