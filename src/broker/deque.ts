/**
 * A growable ring buffer: O(1) push/shift/unshift at both ends, unlike Array.shift()
 * which is O(n) on the long arrays a backed-up queue produces.
 */
export class Deque<T> {
  private items: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(initialCapacity = 16) {
    // Power of two so that index wrapping is a mask, not a modulo.
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.items = new Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & (this.items.length - 1)] = item;
    this.count++;
  }

  unshift(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.head = (this.head - 1) & (this.items.length - 1);
    this.items[this.head] = item;
    this.count++;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.count--;
    if (this.count === 0) this.head = 0;
    return item;
  }

  pop(): T | undefined {
    if (this.count === 0) return undefined;
    const index = (this.head + this.count - 1) & (this.items.length - 1);
    const item = this.items[index];
    this.items[index] = undefined;
    this.count--;
    return item;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** The item at position `index` from the front (0 = head). */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.count) return undefined;
    return this.items[(this.head + index) & (this.items.length - 1)];
  }

  /** Inserts at position `index` from the front, moving whichever side is shorter. */
  insertAt(index: number, item: T): void {
    if (index <= 0) return this.unshift(item);
    if (index >= this.count) return this.push(item);
    if (this.count === this.items.length) this.grow();
    const mask = this.items.length - 1;
    if (index < this.count / 2) {
      this.head = (this.head - 1) & mask;
      for (let i = 0; i < index; i++) this.items[(this.head + i) & mask] = this.items[(this.head + i + 1) & mask];
    } else {
      for (let i = this.count; i > index; i--) this.items[(this.head + i) & mask] = this.items[(this.head + i - 1) & mask];
    }
    this.items[(this.head + index) & mask] = item;
    this.count++;
  }

  /** Removes every item, returning how many there were. */
  clear(): number {
    const removed = this.count;
    this.items = new Array(16);
    this.head = 0;
    this.count = 0;
    return removed;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    const mask = this.items.length - 1;
    for (let i = 0; i < this.count; i++) yield this.items[(this.head + i) & mask] as T;
  }

  private grow(): void {
    const old = this.items;
    const mask = old.length - 1;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & mask];
    this.items = next;
    this.head = 0;
  }
}
