import { Deque } from './deque.js';
import type { QueuedMessage } from './queue.js';
import type { QueueStore } from './queue-store.js';

/** Ready messages in a ring buffer, nothing on disk: queues of a broker without storage. */
export class MemoryQueueStore implements QueueStore {
  private readonly ready = new Deque<QueuedMessage>();

  get length(): number {
    return this.ready.length;
  }

  get overflowing(): boolean {
    return false;
  }

  push(entry: QueuedMessage): number {
    this.ready.push(entry);
    return 0;
  }

  peek(): QueuedMessage | undefined {
    return this.ready.peek();
  }

  shift(): QueuedMessage | undefined {
    return this.ready.shift();
  }

  requeue(sortedBySeq: readonly QueuedMessage[]): void {
    requeueInOrder(this.ready, sortedBySeq);
  }

  delivered(_entry: QueuedMessage): void {}

  settle(_entry: QueuedMessage): void {}

  purge(): number {
    return this.ready.clear();
  }

  destroy(): void {
    this.ready.clear();
  }

  close(): void {}
}

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
