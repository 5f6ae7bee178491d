import type { Consumer } from './queue.js';

/**
 * Who gets a queue's next message, as RabbitMQ decides it:
 * - consumer priorities (`x-priority`): the highest-priority consumers that can take a
 *   message get it; lower ones only while every higher one is full (prefetch, a backed-up
 *   socket). Among equals, strict round-robin: the consumer that just got a message goes
 *   to the back of its group, and a new consumer joins at the back;
 * - single active consumer: only one consumer receives, the first to register; when it
 *   goes, the waiting consumer with the highest priority (the earliest of those) takes over.
 */
export class ConsumerSet {
  /** Groups of equal priority, highest first; each in round-robin order (next one first). */
  private readonly groups: { priority: number; members: Consumer[] }[] = [];
  /** Every consumer in registration order. */
  private readonly arrivals: Consumer[] = [];
  /** The single active consumer (when the queue has that setting), else undefined. */
  private activeConsumer: Consumer | undefined;

  constructor(private readonly singleActive: boolean) {}

  get size(): number {
    return this.arrivals.length;
  }

  /** The consumer receiving, for a single-active-consumer queue. */
  get active(): Consumer | undefined {
    return this.activeConsumer;
  }

  /** Whether `consumer` may receive now (always, unless another one is the single active consumer). */
  isActive(consumer: Consumer): boolean {
    return !this.singleActive || this.activeConsumer === consumer;
  }

  has(consumer: Consumer): boolean {
    return this.arrivals.includes(consumer);
  }

  add(consumer: Consumer): void {
    let at = this.groups.findIndex((group) => group.priority <= consumer.priority);
    if (at < 0 || this.groups[at].priority !== consumer.priority) {
      at = at < 0 ? this.groups.length : at;
      this.groups.splice(at, 0, { priority: consumer.priority, members: [] });
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
    const arrival = this.arrivals.indexOf(consumer);
    if (arrival < 0) return undefined;
    this.arrivals.splice(arrival, 1);
    const g = this.groups.findIndex((group) => group.priority === consumer.priority);
    const members = this.groups[g].members;
    members.splice(members.indexOf(consumer), 1);
    if (members.length === 0) this.groups.splice(g, 1);
    if (this.activeConsumer !== consumer) return undefined;
    this.activeConsumer = this.successor();
    return this.activeConsumer;
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
   * The one chosen goes to the back of its group.
   */
  pick(): Consumer | undefined {
    if (this.singleActive) {
      const active = this.activeConsumer;
      return active !== undefined && active.canTake() ? active : undefined;
    }
    const groups = this.groups;
    for (let g = 0; g < groups.length; g++) {
      const members = groups[g].members;
      for (let i = 0; i < members.length; i++) {
        const consumer = members[i];
        if (!consumer.canTake()) continue;
        if (members.length > 1) {
          if (i === 0) members.shift();
          else members.splice(i, 1);
          members.push(consumer);
        }
        return consumer;
      }
    }
    return undefined;
  }

  /** Who takes over from a single active consumer: the highest priority, then the earliest registered. */
  private successor(): Consumer | undefined {
    let best: Consumer | undefined;
    for (const consumer of this.arrivals) if (best === undefined || consumer.priority > best.priority) best = consumer;
    return best;
  }
}
