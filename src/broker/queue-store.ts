import type { QueuedMessage } from './queue.js';

/**
 * Where a queue keeps its ready messages. The domain only needs FIFO order with
 * requeues back in place; a store may keep some of them on disk and say when a new
 * message is durable.
 */
export interface QueueStore {
  /** Ready messages held, in memory and elsewhere. */
  readonly length: number;
  /** True while ready messages no longer fit in memory and go elsewhere (disk). */
  readonly overflowing: boolean;
  /** Appends a new message; returns the durability epoch to wait for (0: nothing to wait for). */
  push(entry: QueuedMessage): number;
  peek(): QueuedMessage | undefined;
  shift(): QueuedMessage | undefined;
  /** Puts messages back in seq order; they precede everything not yet handed out. */
  requeue(sortedBySeq: readonly QueuedMessage[]): void;
  /** A message is about to reach a client (consumer or basic.get). */
  delivered(entry: QueuedMessage): void;
  /** A message left the queue for good: acked, rejected, expired. */
  settle(entry: QueuedMessage): void;
  /** Drops every ready message; returns how many there were. */
  purge(): number;
  /** The queue is deleted: forget everything, durable copies included. */
  destroy(): void;
  /** The broker stops: keep what is durable. */
  close(): void;
}

/** Makes the store of a new or recovered queue. */
export type QueueStoreFactory = (queue: { vhostName: string; name: string; durable: boolean }) => QueueStore;
