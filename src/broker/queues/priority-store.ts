import type { QueuedMessage } from './queue.js';
import type { QueueStore, QueueStoreFactory, StoreSpec } from './store.js';

/**
 * A priority queue's ready messages (x-max-priority): one FIFO store per priority level,
 * the highest non-empty level first (as LavinMQ's priority queue and RabbitMQ's
 * rabbit_priority_queue do). Each level is an ordinary store, so each keeps its own small
 * window in memory and the rest on disk: a long backlog stays ordered without memory
 * growing with it. Levels are made on first use.
 */
export class PriorityStore implements QueueStore {
  private readonly levels: (QueueStore | undefined)[];
  /** Highest level that may hold messages; levels above it are empty. */
  private top = -1;
  /** Messages stored before the queue had levels; their entries carry UNLEVELLED as priority. */
  private unlevelled: QueueStore | undefined;
  /** The unlevelled store once drained, kept to settle what was taken from it. */
  private retired: QueueStore | undefined;

  private constructor(
    private readonly makeLevel: (level: number) => QueueStore,
    maxPriority: number,
  ) {
    this.levels = new Array<QueueStore | undefined>(maxPriority + 1);
  }

  /** The store of a new priority queue with levels 0..maxPriority. */
  static create(factory: QueueStoreFactory, spec: StoreSpec, maxPriority: number): PriorityStore {
    return new PriorityStore((level) => factory.create(levelSpec(spec, level, maxPriority + 1)), maxPriority);
  }

  /**
   * A durable priority queue's levels as found on disk, and the highest seq among them.
   * Messages stored by a Warren without priority levels (one log for the whole queue)
   * are delivered first, in the order they were stored, as that Warren would have.
   */
  static recover(factory: QueueStoreFactory, spec: StoreSpec, maxPriority: number): { store: PriorityStore; lastSeq: number } {
    const store = PriorityStore.create(factory, spec, maxPriority);
    let lastSeq = 0;
    for (let level = 0; level <= maxPriority; level++) {
      const found = factory.recover(levelSpec(spec, level, maxPriority + 1));
      if (found === undefined) continue;
      store.levels[level] = found.store;
      lastSeq = Math.max(lastSeq, found.lastSeq);
      if (found.store.length > 0) store.top = level;
    }
    const unlevelled = factory.recover(spec);
    if (unlevelled !== undefined) {
      lastSeq = Math.max(lastSeq, unlevelled.lastSeq);
      if (unlevelled.store.length > 0) store.unlevelled = unlevelled.store;
      else unlevelled.store.destroy();
    }
    return { store, lastSeq };
  }

  get length(): number {
    let n = this.unlevelled?.length ?? 0;
    for (let level = this.top; level >= 0; level--) n += this.levels[level]?.length ?? 0;
    return n;
  }

  get bytes(): number {
    let n = this.unlevelled?.bytes ?? 0;
    for (let level = this.top; level >= 0; level--) n += this.levels[level]?.bytes ?? 0;
    return n;
  }

  get levelLengths(): number[] {
    const lengths = Array.from(this.levels, (store) => store?.length ?? 0);
    // Messages stored before the queue had levels are priority 0 as far as anyone could tell.
    if (this.unlevelled !== undefined) lengths[0] += this.unlevelled.length;
    return lengths;
  }

  get overflowing(): boolean {
    if (this.unlevelled?.overflowing) return true;
    for (let level = this.top; level >= 0; level--) if (this.levels[level]?.overflowing) return true;
    return false;
  }

  push(entry: QueuedMessage): number {
    if (entry.priority > this.top) this.top = entry.priority;
    return this.level(entry.priority).push(entry);
  }

  peek(): QueuedMessage | undefined {
    const unlevelled = this.drainingUnlevelled();
    if (unlevelled !== undefined) return unlevelledEntry(unlevelled.peek());
    return this.highest()?.peek();
  }

  shift(): QueuedMessage | undefined {
    const unlevelled = this.drainingUnlevelled();
    if (unlevelled !== undefined) return unlevelledEntry(unlevelled.shift());
    return this.highest()?.shift();
  }

  requeue(sortedBySeq: readonly QueuedMessage[]): void {
    const byLevel = new Map<number, QueuedMessage[]>();
    for (const entry of sortedBySeq) {
      const list = byLevel.get(entry.priority);
      if (list) list.push(entry);
      else byLevel.set(entry.priority, [entry]);
    }
    for (const [level, entries] of byLevel) {
      if (level === UNLEVELLED) {
        this.unlevelled ??= this.retired;
        this.retired = undefined;
        this.unlevelled?.requeue(entries);
        continue;
      }
      if (level > this.top) this.top = level;
      this.level(level).requeue(entries);
    }
  }

  delivered(entry: QueuedMessage): void {
    this.storeOf(entry)?.delivered(entry);
  }

  settle(entry: QueuedMessage): void {
    this.storeOf(entry)?.settle(entry);
  }

  purge(): number {
    let purged = this.unlevelled?.purge() ?? 0;
    for (const store of this.levels) if (store !== undefined) purged += store.purge();
    this.top = -1;
    return purged;
  }

  destroy(): void {
    this.unlevelled?.destroy();
    this.retired?.destroy();
    for (const store of this.levels) store?.destroy();
    this.top = -1;
  }

  close(): void {
    this.unlevelled?.close();
    this.retired?.close();
    for (const store of this.levels) store?.close();
  }

  private storeOf(entry: QueuedMessage): QueueStore | undefined {
    return entry.priority === UNLEVELLED ? (this.unlevelled ?? this.retired) : this.levels[entry.priority];
  }

  /** The unlevelled store while it still holds ready messages (it is served before every level). */
  private drainingUnlevelled(): QueueStore | undefined {
    const store = this.unlevelled;
    if (store === undefined || store.length > 0) return store;
    this.retired = store;
    this.unlevelled = undefined;
    return undefined;
  }

  /** The highest level holding messages; lowers `top` past levels that ran empty. */
  private highest(): QueueStore | undefined {
    while (this.top >= 0) {
      const store = this.levels[this.top];
      if (store !== undefined && store.length > 0) return store;
      this.top--;
    }
    return undefined;
  }

  private level(level: number): QueueStore {
    return (this.levels[level] ??= this.makeLevel(level));
  }

}

/** The priority of entries from a store written before the queue had levels. */
const UNLEVELLED = -1;

function unlevelledEntry(entry: QueuedMessage | undefined): QueuedMessage | undefined {
  return entry === undefined ? undefined : { ...entry, priority: UNLEVELLED };
}

function levelSpec(spec: StoreSpec, level: number, levels: number): StoreSpec {
  return { ...spec, part: `p${level}`, memoryShare: spec.memoryShare / levels };
}
