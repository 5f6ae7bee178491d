import { Deque } from '../broker/deque.js';
import { preconditionFailed } from '../broker/errors.js';
import type { Queue, QueuedMessage } from '../broker/queues/queue.js';
import type { ChannelConsumer } from './channel-consumer.js';

/** A message handed to the client and not yet settled (acked, rejected or requeued). */
export interface Delivery {
  readonly tag: number;
  readonly queue: Queue;
  readonly entry: QueuedMessage;
  /** Undefined for basic.get. */
  readonly consumer: ChannelConsumer | undefined;
  settled: boolean;
  /** Epoch ms by which it must be acknowledged (consumer timeout); 0 = no deadline. */
  readonly deadline: number;
  /** The timeout that set the deadline, for the error text. */
  readonly timeoutMs: number;
}

/**
 * A channel's unacked deliveries in delivery-tag order. Tags only grow, so lookups are
 * binary searches and the usual in-order ack is a shift from the head; a message
 * settled out of order is only marked and dropped when it reaches the head.
 */
export class UnackedDeliveries {
  private readonly deliveries = new Deque<Delivery>();
  private settledInside = 0;
  /** No unsettled delivery is due before this (a lower bound; Infinity when none has a deadline). */
  private nextDeadline = Infinity;
  /** Tags given back to their queues on a consumer timeout: a late ack of one is ignored, not an error. */
  private returnedTags: Set<number> | undefined;

  get count(): number {
    return this.deliveries.length - this.settledInside;
  }

  add(delivery: Delivery): void {
    this.deliveries.push(delivery);
    if (delivery.deadline !== 0 && delivery.deadline < this.nextDeadline) this.nextDeadline = delivery.deadline;
  }

  /**
   * The oldest unsettled delivery past its deadline at `now`, if any. Cheap when nothing
   * can be due yet; otherwise one pass, which also finds the next deadline.
   */
  overdue(now: number): Delivery | undefined {
    if (now < this.nextDeadline) return undefined;
    let next = Infinity;
    for (const delivery of this.deliveries) {
      if (delivery.settled || delivery.deadline === 0) continue;
      if (delivery.deadline <= now) return delivery;
      if (delivery.deadline < next) next = delivery.deadline;
    }
    this.nextDeadline = next;
    return undefined;
  }

  /**
   * Takes a consumer's unsettled deliveries to give them back to their queues (its
   * timeout ran out); they stay known by tag so that a late ack of one is ignored.
   */
  takeReturned(consumer: ChannelConsumer): Delivery[] {
    const taken: Delivery[] = [];
    for (const delivery of this.deliveries) {
      if (delivery.settled || delivery.consumer !== consumer) continue;
      delivery.settled = true;
      this.settledInside++;
      (this.returnedTags ??= new Set()).add(delivery.tag);
      taken.push(delivery);
    }
    this.dropSettledHead();
    return taken;
  }

  /**
   * Settles `tag` (and, with `multiple`, every earlier one) and returns them. As in
   * RabbitMQ, the tag itself must be outstanding (406 otherwise), and tag 0 with
   * `multiple` means everything.
   */
  take(tag: number, multiple: boolean): Delivery[] {
    if (multiple && tag === 0) return this.takeAll();
    const index = this.indexOf(tag);
    if (index < 0) {
      if (!this.returnedTags?.delete(tag)) throw preconditionFailed(`unknown delivery tag ${tag}`);
      // The tag itself went back to its queue: a multiple ack still settles the ones before it.
      return multiple ? this.takeBefore(this.insertionPoint(tag)) : [];
    }
    if (!multiple) {
      const delivery = this.deliveries.at(index)!;
      if (index === 0) {
        this.deliveries.shift();
        this.dropSettledHead();
      } else {
        delivery.settled = true;
        this.settledInside++;
      }
      return [delivery];
    }
    return this.takeBefore(index + 1);
  }

  /** Removes the first `count` deliveries; returns those not settled yet. */
  private takeBefore(count: number): Delivery[] {
    const taken: Delivery[] = [];
    for (let i = 0; i < count; i++) {
      const delivery = this.deliveries.shift()!;
      if (delivery.settled) this.settledInside--;
      else taken.push(delivery);
    }
    this.dropSettledHead();
    return taken;
  }

  takeAll(): Delivery[] {
    const taken: Delivery[] = [];
    for (const delivery of this.deliveries) if (!delivery.settled) taken.push(delivery);
    this.deliveries.clear();
    this.settledInside = 0;
    return taken;
  }

  /** Puts deliveries back (a rolled-back transaction's acks), in tag order. */
  restore(deliveries: readonly Delivery[]): void {
    for (const delivery of deliveries) {
      const at = this.insertionPoint(delivery.tag);
      if (this.deliveries.at(at) === delivery) {
        // Settled out of order, so still in place: just unmark it.
        delivery.settled = false;
        this.settledInside--;
      } else {
        delivery.settled = false;
        this.deliveries.insertAt(at, delivery);
      }
    }
  }

  private dropSettledHead(): void {
    while (this.deliveries.length > 0 && this.deliveries.peek()!.settled) {
      this.deliveries.shift();
      this.settledInside--;
    }
  }

  /** Position of an unsettled delivery with this tag, or -1. */
  private indexOf(tag: number): number {
    const head = this.deliveries.peek();
    if (head === undefined) return -1;
    if (head.tag === tag) return head.settled ? -1 : 0;
    const index = this.insertionPoint(tag);
    const found = this.deliveries.at(index);
    return found !== undefined && found.tag === tag && !found.settled ? index : -1;
  }

  private insertionPoint(tag: number): number {
    let low = 0;
    let high = this.deliveries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.deliveries.at(mid)!.tag < tag) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
