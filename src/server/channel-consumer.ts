import type { FieldTable } from '../amqp/field-table.js';
import type { Consumer } from '../broker/consumer.js';
import type { Queue, QueuedMessage } from '../broker/queue.js';
import type { Channel } from './channel.js';

/** An AMQP consumer: a queue feeding one channel under the channel's prefetch limits. */
export class ChannelConsumer implements Consumer {
  /** Unacked deliveries of this consumer, against its own prefetch limit. */
  unacked = 0;

  constructor(
    readonly channel: Channel,
    readonly queue: Queue,
    readonly tag: string,
    readonly noAck: boolean,
    readonly exclusive: boolean,
    /** basic.qos prefetch_count (global=false) when the consumer started; 0 = no limit. */
    readonly prefetch: number,
    readonly args: FieldTable,
  ) {}

  get owner(): object {
    return this.channel.connection;
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
