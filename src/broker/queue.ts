import type { FieldTable } from '../amqp/field-table.js';
import type { Binding } from './binding.js';
import type { Consumer } from './consumer.js';
import { accessRefused, preconditionFailed } from './errors.js';
import { MemoryQueueStore } from './memory-queue-store.js';
import type { Message } from './message.js';
import { parseQueueSettings, type QueueSettings } from './queue-arguments.js';
import type { QueueStore } from './queue-store.js';
import { QueueStats } from './stats.js';

export type DeathReason = 'rejected' | 'expired' | 'maxlen';

/** What enqueue answers when the queue refuses a message (overflow reject-publish). */
export const REJECTED = -1;

/**
 * Flow control thresholds: a queue that consumers are draining but whose backlog keeps
 * growing (past CONGESTED_AT messages, or out of memory onto disk) asks publishers to
 * wait, as RabbitMQ's credit flow does, until it is back down.
 */
const CONGESTED_AT = 2000;
const RELIEVED_AT = 1000;
/** Consumers count as draining if a delivery happened this recently (ms); longer silence means stalled. */
const DRAINING_WITHIN_MS = 5000;

/** A message's place in one queue. */
export interface QueuedMessage {
  readonly message: Message;
  /** Enqueue order in this queue; requeued messages go back to their original place by it. */
  readonly seq: number;
  redelivered: boolean;
  /** Epoch ms after which the message is dead, or 0 for never. */
  readonly expiresAt: number;
  /** Where the queue's store keeps a durable or paged-out copy; -1 for none. */
  position: number;
}

export interface QueueOptions {
  durable: boolean;
  autoDelete: boolean;
  /** The connection an exclusive queue belongs to; null for shared queues. */
  exclusiveOwner: object | null;
  arguments: FieldTable;
}

/** What a queue needs from the vhost that holds it. */
export interface QueueHost {
  /** Republishes a message that died in `queue` to the queue's dead-letter exchange. */
  deadLetter(queue: Queue, entry: QueuedMessage, reason: DeathReason): void;
  /** The queue deleted itself (auto-delete after its last consumer, x-expires). */
  queueDeletedItself(queue: Queue): void;
}

/**
 * A FIFO of ready messages with its consumers. Delivery is round-robin among the
 * consumers that can take a message now; unacked messages live with the channel that
 * received them and come back here, in their original order, when requeued.
 */
export class Queue {
  readonly kind = 'queue' as const;
  readonly settings: QueueSettings;
  /** Bindings where this queue is the destination. */
  readonly bindings = new Set<Binding>();
  routeMark = 0;
  deleted = false;
  readonly stats = new QueueStats();
  /** When the queue last lost its last consumer or was last used (for idle_since). */
  idleSince = Date.now();

  private readonly consumers: Consumer[] = [];
  private nextConsumer = 0;
  private unackedCount = 0;
  private hadConsumer = false;
  private dispatching = false;
  private dispatchAgain = false;
  private expiryTimer: NodeJS.Timeout | undefined;
  private expiryTimerAt = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private lastDeliveryAt = 0;
  /** Publishers waiting for this queue's backlog to come down. */
  private reliefWaiters: (() => void)[] | undefined;

  constructor(
    readonly vhostName: string,
    readonly name: string,
    readonly options: QueueOptions,
    private readonly host: QueueHost,
    private readonly store: QueueStore = new MemoryQueueStore(),
    /** Highest seq already used (recovered queues continue after it). */
    private lastSeq = 0,
  ) {
    this.settings = parseQueueSettings(options.arguments);
    this.touch();
  }

  get durable(): boolean {
    return this.options.durable;
  }
  get autoDelete(): boolean {
    return this.options.autoDelete;
  }
  get exclusiveOwner(): object | null {
    return this.options.exclusiveOwner;
  }
  get arguments(): FieldTable {
    return this.options.arguments;
  }
  /** Ready messages (what RabbitMQ reports as message_count). */
  get messageCount(): number {
    return this.store.length;
  }
  get unackedMessageCount(): number {
    return this.unackedCount;
  }
  get consumerCount(): number {
    return this.consumers.length;
  }
  get description(): string {
    return `queue '${this.name}' in vhost '${this.vhostName}'`;
  }

  /** Adds a published message; returns the durability epoch its confirm waits for (0: none). */
  enqueue(message: Message): number {
    const ttl = this.messageTtlFor(message);
    const entry: QueuedMessage = {
      message,
      seq: ++this.lastSeq,
      redelivered: false,
      expiresAt: ttl === undefined ? 0 : Date.now() + ttl,
      position: -1,
    };
    this.stats.publish++;
    const epoch = this.store.push(entry);
    if (this.consumers.length > 0) this.dispatch();
    else if (entry.expiresAt !== 0 && this.store.length === 1) this.armExpiryTimer();
    return epoch;
  }

  /** Hands ready messages to consumers until either runs out. */
  dispatch(): void {
    if (this.dispatching) {
      this.dispatchAgain = true;
      return;
    }
    this.dispatching = true;
    try {
      do {
        this.dispatchAgain = false;
        this.dispatchRound();
      } while (this.dispatchAgain);
    } finally {
      this.dispatching = false;
    }
    if (this.store.length > 0 && this.store.peek()!.expiresAt !== 0) this.armExpiryTimer();
  }

  /**
   * Whether publishers should wait: the backlog is past the threshold although consumers
   * are taking messages. Stalled consumers or none at all do not hold publishers back
   * (the backlog goes to disk instead).
   */
  get congested(): boolean {
    return (
      (this.store.length >= CONGESTED_AT || this.store.overflowing) &&
      this.consumers.length > 0 &&
      Date.now() - this.lastDeliveryAt < DRAINING_WITHIN_MS
    );
  }

  /** Backlog back down: few enough messages, all in memory again. */
  private get relieved(): boolean {
    return this.store.length <= RELIEVED_AT && !this.store.overflowing;
  }

  /** Calls `relieved` once the backlog is back down (or the queue goes away). */
  whenRelieved(relieved: () => void): void {
    (this.reliefWaiters ??= []).push(relieved);
  }

  private relieve(): void {
    const waiters = this.reliefWaiters;
    if (!waiters) return;
    this.reliefWaiters = undefined;
    for (const relieved of waiters) relieved();
  }

  private dispatchRound(): void {
    const consumers = this.consumers;
    if (this.reliefWaiters && (this.relieved || consumers.length === 0)) this.relieve();
    let delivered = false;
    while (this.store.length > 0 && consumers.length > 0 && !this.deleted) {
      const count = consumers.length;
      let chosen = -1;
      for (let i = 0; i < count; i++) {
        const index = (this.nextConsumer + i) % count;
        if (consumers[index].canTake()) {
          chosen = index;
          break;
        }
      }
      if (chosen < 0) return;
      const entry = this.takeLive();
      if (entry === undefined) return;
      this.nextConsumer = (chosen + 1) % count;
      const consumer = consumers[chosen];
      this.store.delivered(entry);
      if (consumer.noAck) {
        this.store.settle(entry);
        this.stats.deliverNoAck++;
      } else {
        this.unackedCount++;
        this.stats.deliver++;
      }
      if (entry.redelivered) this.stats.redeliver++;
      delivered = true;
      consumer.deliver(this, entry);
    }
    if (delivered) {
      this.lastDeliveryAt = Date.now();
      if (this.reliefWaiters && this.relieved) this.relieve();
    }
  }

  /** basic.get: the head message, now unacked unless `noAck`. */
  get(noAck: boolean): QueuedMessage | undefined {
    this.touch();
    const entry = this.takeLive();
    if (entry === undefined) return undefined;
    this.store.delivered(entry);
    if (noAck) {
      this.store.settle(entry);
      this.stats.getNoAck++;
    } else {
      this.unackedCount++;
      this.stats.get++;
    }
    if (entry.redelivered) this.stats.redeliver++;
    return entry;
  }

  /** An unacked message was acknowledged. */
  ack(entry: QueuedMessage): void {
    if (this.deleted) return;
    this.unackedCount--;
    this.stats.ack++;
    this.store.settle(entry);
  }

  /** An unacked message was rejected without requeue: it dies (dead-lettered if configured). */
  discard(entry: QueuedMessage): void {
    if (this.deleted) return;
    this.unackedCount--;
    this.store.settle(entry);
    this.host.deadLetter(this, entry, 'rejected');
  }

  /** Unacked messages come back, each to its original place, marked redelivered. */
  requeue(entries: readonly QueuedMessage[]): void {
    if (this.deleted || entries.length === 0) return;
    this.unackedCount -= entries.length;
    const sorted = entries.length > 1 ? [...entries].sort((a, b) => a.seq - b.seq) : entries;
    for (const entry of sorted) entry.redelivered = true;
    this.store.requeue(sorted);
    this.dispatch();
    if (this.consumers.length === 0 && this.store.peek()?.expiresAt) this.armExpiryTimer();
  }

  /** Drops every ready message; unacked ones stay with their channels. */
  purge(): number {
    this.clearExpiryTimer();
    const purged = this.store.purge();
    this.relieve();
    return purged;
  }

  /** 403 if an exclusive consumer holds the queue, or an exclusive one is asked for while others consume. */
  assertCanConsume(exclusive: boolean): void {
    if (this.consumers.some((c) => c.exclusive) || (exclusive && this.consumers.length > 0)) {
      throw accessRefused(`queue '${this.name}' in vhost '${this.vhostName}' in exclusive use`);
    }
  }

  addConsumer(consumer: Consumer): void {
    this.assertCanConsume(consumer.exclusive);
    this.consumers.push(consumer);
    this.hadConsumer = true;
    this.clearIdleTimer();
    this.dispatch();
  }

  removeConsumer(consumer: Consumer): void {
    const at = this.consumers.indexOf(consumer);
    if (at < 0) return;
    this.consumers.splice(at, 1);
    if (this.nextConsumer > at) this.nextConsumer--;
    if (this.nextConsumer >= this.consumers.length) this.nextConsumer = 0;
    if (this.consumers.length > 0) return;
    this.relieve(); // nobody drains it now: publishers need not wait
    this.idleSince = Date.now();
    if (this.options.autoDelete && this.hadConsumer) {
      this.host.queueDeletedItself(this);
      return;
    }
    this.touch();
    if (this.store.peek()?.expiresAt) this.armExpiryTimer();
  }

  /** Consumers in the order they were added. */
  listConsumers(): readonly Consumer[] {
    return this.consumers;
  }

  /** Throws 406 unless the queue may be deleted under these conditions. */
  assertDeletable(ifUnused: boolean, ifEmpty: boolean): void {
    if (ifUnused && this.consumers.length > 0) throw preconditionFailed(`${this.description} in use`);
    if (ifEmpty && this.store.length > 0) throw preconditionFailed(`${this.description} not empty`);
  }

  /** Marks the queue gone: consumers are told, timers stop, messages (durable copies too) are dropped. */
  markDeleted(): number {
    this.deleted = true;
    this.clearExpiryTimer();
    this.clearIdleTimer();
    const consumers = this.consumers.splice(0);
    for (const consumer of consumers) consumer.cancelledByQueue(this);
    this.relieve();
    const dropped = this.store.length;
    this.store.destroy();
    return dropped;
  }

  /** The broker stops: timers end, durable messages stay where they are. */
  close(): void {
    this.clearExpiryTimer();
    this.clearIdleTimer();
    this.store.close();
  }

  /** Any use that resets x-expires: declare, get, the last consumer leaving. */
  touch(): void {
    const expires = this.settings.expires;
    if (expires === undefined || this.deleted) return;
    this.clearIdleTimer();
    if (this.consumers.length > 0) return;
    this.idleTimer = setTimeout(() => {
      if (!this.deleted && this.consumers.length === 0) this.host.queueDeletedItself(this);
    }, expires);
    this.idleTimer.unref();
  }

  private messageTtlFor(message: Message): number | undefined {
    const queueTtl = this.settings.messageTtl;
    const messageTtl = message.expirationMs;
    if (messageTtl === undefined) return queueTtl;
    return queueTtl === undefined ? messageTtl : Math.min(queueTtl, messageTtl);
  }

  /** The head ready message, after dropping expired ones from the head (as RabbitMQ does). */
  private takeLive(): QueuedMessage | undefined {
    let entry = this.store.shift();
    if (entry === undefined || entry.expiresAt === 0) return entry;
    // Strictly past: a message whose TTL ends this very millisecond (x-message-ttl 0) still
    // reaches a consumer that is ready now, as in RabbitMQ; the expiry timer drops it otherwise.
    const now = Date.now();
    while (entry !== undefined && entry.expiresAt !== 0 && entry.expiresAt < now) {
      this.expire(entry);
      entry = this.store.shift();
    }
    return entry;
  }

  private expireHead(): void {
    const now = Date.now();
    let head = this.store.peek();
    while (head !== undefined && head.expiresAt !== 0 && head.expiresAt <= now) {
      this.store.shift();
      this.expire(head);
      head = this.store.peek();
    }
  }

  private expire(entry: QueuedMessage): void {
    this.store.settle(entry);
    this.host.deadLetter(this, entry, 'expired');
  }

  private armExpiryTimer(): void {
    const head = this.store.peek();
    if (head === undefined || head.expiresAt === 0 || this.deleted) return;
    if (this.expiryTimer && this.expiryTimerAt <= head.expiresAt) return;
    this.clearExpiryTimer();
    this.expiryTimerAt = head.expiresAt;
    this.expiryTimer = setTimeout(
      () => {
        this.expiryTimer = undefined;
        this.expiryTimerAt = 0;
        this.expireHead();
        this.dispatch();
        this.armExpiryTimer();
      },
      Math.max(0, head.expiresAt - Date.now()),
    );
    this.expiryTimer.unref();
  }

  private clearExpiryTimer(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.expiryTimerAt = 0;
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
