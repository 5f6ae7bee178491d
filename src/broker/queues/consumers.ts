import type { Consumer } from './queue.js';

/**
 * Who gets a queue's next message, as RabbitMQ decides it:
 * - consumer priorities (`x-priority`): the highest-priority consumers that can take a
 *   message get it, round-robin among themselves; lower ones only while all higher ones
 *   are full (prefetch, flow control);
 * - single active consumer: only one consumer receives, the earliest registered one;
 *   when it goes, the next one in registration order takes over.
 * Consumers are kept in groups of equal priority, highest first, each in arrival order.
 */
export class ConsumerSet {
  private readonly groups: { priority: number; members: Consumer[]; next: number }[] = [];
  /** Every consumer in registration order (who takes over as single active consumer). */
  private readonly arrivals: Consumer[] = [];
  /** The single active consumer (when the queue has that setting), else undefined. */
  private activeConsumer: Consumer | undefined;

  constructor(private readonly singleActive: boolean) {}

  get size(): number {
    return this.arrivals.length;
  }

  get isSingleActive(): boolean {
    return this.singleActive;
  }

  /** The consumer receiving, for a single-active-consumer queue. */
  get active(): Consumer | undefined {
    return this.activeConsumer;
  }

  /** Whether `consumer` may receive now (always, unless another one is the single active consumer). */
  isActive(consumer: Consumer): boolean {
    return !this.singleActive || this.activeConsumer === consumer;
  }

  add(consumer: Consumer): void {
    let at = this.groups.findIndex((group) => group.priority <= consumer.priority);
    if (at < 0 || this.groups[at].priority !== consumer.priority) {
      at = at < 0 ? this.groups.length : at;
      this.groups.splice(at, 0, { priority: consumer.priority, members: [], next: 0 });
    }
    this.groups[at].members.push(consumer);
    this.arrivals.push(consumer);
    if (this.singleActive && this.activeConsumer === undefined) this.activeConsumer = consumer;
  }

  /**
   * Removes a consumer; returns the consumer that became active in its place (single
   * active consumer), if any.
   */
  remove(consumer: Consumer): Consumer | undefined {
    for (let g = 0; g < this.groups.length; g++) {
      const group = this.groups[g];
      const at = group.members.indexOf(consumer);
      if (at < 0) continue;
      group.members.splice(at, 1);
      if (group.next > at) group.next--;
      if (group.next >= group.members.length) group.next = 0;
      if (group.members.length === 0) this.groups.splice(g, 1);
      this.arrivals.splice(this.arrivals.indexOf(consumer), 1);
      if (this.activeConsumer !== consumer) return undefined;
      this.activeConsumer = this.arrivals[0];
      return this.activeConsumer;
    }
    return undefined;
  }

  /** Consumers in registration order. */
  list(): readonly Consumer[] {
    return this.arrivals;
  }

  /** Empties the set; returns who was in it. */
  clear(): Consumer[] {
    const all = this.arrivals.splice(0);
    this.groups.length = 0;
    this.activeConsumer = undefined;
    return all;
  }

  /**
   * The consumer to hand the next message to, or undefined when none can take one now.
   * Advances the round-robin position of the chosen consumer's group.
   */
  pick(): Consumer | undefined {
    if (this.singleActive) {
      const active = this.activeConsumer;
      return active !== undefined && active.canTake() ? active : undefined;
    }
    const groups = this.groups;
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g];
      const members = group.members;
      const count = members.length;
      for (let i = 0; i < count; i++) {
        const index = (group.next + i) % count;
        const consumer = members[index];
        if (consumer.canTake()) {
          group.next = (index + 1) % count;
          return consumer;
        }
      }
    }
    return undefined;
  }
}
