import type { FieldTable } from '../amqp/field-table.js';
import type { Consumer, ConsumerSession, Queue, QueuedMessage } from '../broker/queues/queue.js';
import type { Channel } from './channel.js';

/** An AMQP consumer: a queue feeding one channel under the channel's prefetch limits. */
export class ChannelConsumer implements Consumer {
  /** Unacked deliveries of this consumer, against its own prefetch limit. */
  unacked = 0;
  /** `x-priority` (an integer; the queue has checked its type). */
  readonly priority: number;
  readonly arguments: FieldTable;
  /** The consumer's own x-consumer-timeout (ms), when it gave one. */
  readonly timeoutMs: number | undefined;

  constructor(
    readonly channel: Channel,
    readonly queue: Queue,
    readonly tag: string,
    readonly noAck: boolean,
    readonly exclusive: boolean,
    /** basic.qos prefetch_count (global=false) when the consumer started; 0 = no limit. */
    readonly prefetch: number,
    args: FieldTable,
  ) {
    this.arguments = args;
    const priority = args['x-priority'];
    this.priority = priority === undefined ? 0 : Number(priority);
    const timeout = args['x-consumer-timeout'];
    this.timeoutMs = typeof timeout === 'number' || typeof timeout === 'bigint' ? Number(timeout) : undefined;
  }

  get owner(): object {
    return this.channel.connection;
  }

  get session(): ConsumerSession {
    return this.channel;
  }

  canTake(): boolean {
    if (!this.noAck && this.prefetch !== 0 && this.unacked >= this.prefetch) return false;
    return this.channel.canTake(this.noAck);
  }

  deliver(queue: Queue, entry: QueuedMessage): void {
    this.channel.deliver(this, queue, entry);
  }

  cancelledByQueue(_queue: Queue): void {
    this.channel.consumerCancelledByQueue(this);
  }
}
