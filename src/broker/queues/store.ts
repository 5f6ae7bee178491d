import type { QueuedMessage } from './queue.js';
import type { StreamStore, StreamStoreOptions } from './stream/stream-store.js';

/**
 * Where a queue keeps its ready messages. The domain only needs FIFO order with
 * requeues back in place; a store may keep some of them on disk and say when a new
 * message is durable.
 */
export interface QueueStore {
  /** Ready messages held, in memory and elsewhere. */
  readonly length: number;
  /** Body bytes of the ready messages (RabbitMQ's message_bytes_ready). */
  readonly bytes: number;
  /** True while ready messages no longer fit in memory and go elsewhere (disk). */
  readonly overflowing: boolean;
  /** Ready messages per priority level, for a store that has levels. */
  readonly levelLengths?: readonly number[];
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

/** What a store is for: a queue, or one priority level of it (`part`). */
export interface StoreSpec {
  readonly vhostName: string;
  readonly name: string;
  readonly durable: boolean;
  /** Every message is kept durably, persistent or not (quorum queues). */
  readonly persistsEveryMessage: boolean;
  /** One of several stores of one queue (a priority level); '' for a queue's only store. */
  readonly part: string;
  /**
   * The part of a queue's in-memory window this store may use: 1 for a queue's only
   * store, 1/levels for a priority level, so a priority queue holds no more in memory
   * than any other queue.
   */
  readonly memoryShare: number;
}

/** A durable store found on disk at startup, with the highest seq it holds. */
export interface RecoveredStore {
  readonly store: QueueStore;
  readonly lastSeq: number;
}

/** Makes the stores of new and recovered queues (storage provides it; memory stores without). */
export interface QueueStoreFactory {
  create(spec: StoreSpec): QueueStore;
  /** The stored messages of a durable queue (or one part of it); undefined when there is nothing on disk. */
  recover(spec: StoreSpec): RecoveredStore | undefined;
  /** A stream's log, created empty or recovered from disk. */
  openStream(vhostName: string, name: string, options: StreamStoreOptions): StreamStore;
}
