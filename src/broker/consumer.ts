import type { Queue, QueuedMessage } from './queue.js';

/**
 * Something that takes messages from a queue: an AMQP consumer on a channel, in
 * practice. The queue asks before each delivery whether it may deliver (prefetch,
 * flow control, a full socket) and tells it when the queue disappears.
 */
export interface Consumer {
  readonly tag: string;
  /** Auto-ack: the queue forgets the message as soon as it is handed over. */
  readonly noAck: boolean;
  readonly exclusive: boolean;
  /** Who opened it, for exclusive-queue checks (the connection). */
  readonly owner: object;
  canTake(): boolean;
  deliver(queue: Queue, entry: QueuedMessage): void;
  /** The queue was deleted under the consumer. */
  cancelledByQueue(queue: Queue): void;
}
