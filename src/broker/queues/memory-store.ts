import { Deque } from '../deque.js';
import { notImplemented } from '../errors.js';
import type { QueuedMessage } from './queue.js';
import type { QueueStore, QueueStoreFactory } from './store.js';

/** Ready messages in a ring buffer, nothing on disk: queues of a broker without storage. */
export class MemoryQueueStore implements QueueStore {
  private readonly ready = new Deque<QueuedMessage>();
  private readyBytes = 0;

  get length(): number {
    return this.ready.length;
  }

  get bytes(): number {
    return this.readyBytes;
  }

  get overflowing(): boolean {
    return false;
  }

  push(entry: QueuedMessage): number {
    this.ready.push(entry);
    this.readyBytes += entry.message.bodySize;
    return 0;
  }

  peek(): QueuedMessage | undefined {
    return this.ready.peek();
  }

  shift(): QueuedMessage | undefined {
    const entry = this.ready.shift();
    if (entry !== undefined) this.readyBytes -= entry.message.bodySize;
    return entry;
  }

  requeue(sortedBySeq: readonly QueuedMessage[]): void {
    requeueInOrder(this.ready, sortedBySeq);
    for (const entry of sortedBySeq) this.readyBytes += entry.message.bodySize;
  }

  delivered(_entry: QueuedMessage): void {}

  settle(_entry: QueuedMessage): void {}

  purge(): number {
    this.readyBytes = 0;
    return this.ready.clear();
  }

  destroy(): void {
    this.purge();
  }

  close(): void {}
}

/** Stores for a broker without storage: everything in memory, nothing recovered. */
export const MEMORY_STORES: QueueStoreFactory = {
  create: () => new MemoryQueueStore(),
  recover: () => undefined,
  openStream: () => {
    // A stream is a log on disk; a broker without a data folder has nowhere to keep one.
    throw notImplemented('stream queues need a broker with a data folder');
  },
};

/** Inserts messages (sorted by seq) into a seq-ordered deque, each at its original place. */
export function requeueInOrder(ready: Deque<QueuedMessage>, sortedBySeq: readonly QueuedMessage[]): void {
  const head = ready.peek();
  if (head === undefined || sortedBySeq[sortedBySeq.length - 1].seq < head.seq) {
    // The usual case: everything requeued was delivered before what is still ready.
    for (let i = sortedBySeq.length - 1; i >= 0; i--) ready.unshift(sortedBySeq[i]);
    return;
  }
  for (const entry of sortedBySeq) ready.insertAt(insertionPoint(ready, entry.seq), entry);
}

function insertionPoint(ready: Deque<QueuedMessage>, seq: number): number {
  let low = 0;
  let high = ready.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (ready.at(mid)!.seq < seq) low = mid + 1;
    else high = mid;
  }
  return low;
}
