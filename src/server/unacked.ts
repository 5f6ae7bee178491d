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
}

/**
 * A channel's unacked deliveries in delivery-tag order. Tags only grow, so lookups are
 * binary searches and the usual in-order ack is a shift from the head; a message
 * settled out of order is only marked and dropped when it reaches the head.
 */
export class UnackedDeliveries {
  private readonly deliveries = new Deque<Delivery>();
  private settledInside = 0;

  get count(): number {
    return this.deliveries.length - this.settledInside;
  }

  add(delivery: Delivery): void {
    this.deliveries.push(delivery);
  }

  /**
   * Settles `tag` (and, with `multiple`, every earlier one) and returns them. As in
   * RabbitMQ, the tag itself must be outstanding (406 otherwise), and tag 0 with
   * `multiple` means everything.
   */
  take(tag: number, multiple: boolean): Delivery[] {
    if (multiple && tag === 0) return this.takeAll();
    const index = this.indexOf(tag);
    if (index < 0) throw preconditionFailed(`unknown delivery tag ${tag}`);
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
    const taken: Delivery[] = [];
    for (let i = 0; i <= index; i++) {
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
