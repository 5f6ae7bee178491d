import type { FieldTable } from '../../amqp/field-table.js';
import type { Binding } from '../binding.js';
import { accessRefused, notImplemented, preconditionFailed, resourceLocked } from '../errors.js';
import type { Message } from '../message.js';
import { QueueStats } from '../stats.js';
import { ConsumerSet } from './consumers.js';
import { withDeliveryCount } from './delivery-count.js';
import { HeadExpiryTimer, IdleExpiry } from './expiry.js';
import { isOverLimit, wouldOverflow } from './limits.js';
import {
  REJECTED,
  type AppliedPolicies,
  type Consumer,
  type ConsumeRequest,
  type Queue,
  type QueueCapabilities,
  type QueuedMessage,
  type QueueHost,
  type QueueOwner,
  type QueueTypeName,
  type DeathReason,
} from './queue.js';
import type { QueueParts, QueueType } from './queue-type.js';
import { effectiveSettings, type QueueSettings } from './settings.js';
import type { QueueStore, StoreSpec } from './store.js';

/**
 * Flow control thresholds: a queue that consumers are draining but whose backlog keeps
 * growing (past CONGESTED_AT messages, or out of memory onto disk) asks publishers to
 * wait, as RabbitMQ's credit flow does, until it is back down.
 */
const CONGESTED_AT = 2000;
const RELIEVED_AT = 1000;
/** Consumers count as draining if a delivery happened this recently (ms); longer silence means stalled. */
const DRAINING_WITHIN_MS = 5000;
/** How soon an at-least-once dead-letter that found no queue is tried again. */
const DEAD_LETTER_RETRY_MS = 5000;

export interface MessageQueueOptions extends Omit<QueueParts, 'stores'> {
  readonly type: QueueTypeName;
  readonly capabilities: QueueCapabilities;
  /** Quorum queues: count returns, add x-delivery-count, dead-letter past the delivery limit. */
  readonly countsDeliveries: boolean;
  readonly settings: QueueSettings;
  readonly store: QueueStore;
  /** Highest seq already used (recovered queues continue after it). */
  readonly lastSeq: number;
  /** Refuses consumer arguments the type does not accept (x-priority's type, ...). */
  readonly checkConsumerArguments: (args: FieldTable, resource: string) => void;
}

/** A store for a queue, new or found on disk, and the highest seq it already holds. */
export type StoreOf = (spec: StoreSpec, settings: QueueSettings) => { store: QueueStore; lastSeq: number };

/**
 * A queue of `type` (classic or quorum) made from its parts: effective settings from its
 * arguments and policies, and the store `storeOf` gives for `spec`.
 */
export function messageQueueOf(type: QueueType, parts: QueueParts, spec: StoreSpec, countsDeliveries: boolean, storeOf: StoreOf): MessageQueue {
  const settings = effectiveSettings(parts.arguments, parts.policies.definition, type.settingsRules);
  const { store, lastSeq } = storeOf(spec, settings);
  return new MessageQueue({
    ...parts,
    type: type.name,
    capabilities: type.capabilities,
    countsDeliveries,
    settings,
    store,
    lastSeq,
    checkConsumerArguments: type.checkConsumerArguments,
  });
}

/**
 * A queue that hands each message to one consumer and forgets it once settled: the
 * classic queue, and the quorum queue on one node (which adds delivery counting). It
 * composes the parts every such queue needs over its store: the consumer set (priorities,
 * single active consumer), the head-of-queue TTL timer and idle expiry, length limits.
 * Unacked messages live with whoever received them and come back here, in their
 * original order, when requeued.
 */
export class MessageQueue implements Queue {
  readonly kind = 'queue' as const;
  readonly type: QueueTypeName;
  readonly vhostName: string;
  readonly name: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly exclusiveOwner: QueueOwner | null;
  readonly arguments: FieldTable;
  readonly capabilities: QueueCapabilities;
  readonly bindings = new Set<Binding>();
  routeMark = 0;
  deleted = false;
  readonly stats = new QueueStats();
  idleSince = Date.now();
  settings: QueueSettings;
  private policies: AppliedPolicies;

  private readonly consumers: ConsumerSet;
  private readonly store: QueueStore;
  private readonly host: QueueHost;
  private readonly countsDeliveries: boolean;
  private readonly checkConsumerArguments: (args: FieldTable, resource: string) => void;
  private lastSeq: number;
  private unackedCount = 0;
  private unackedBodyBytes = 0;
  private hadConsumer = false;
  private dispatching = false;
  private dispatchAgain = false;
  private readonly headExpiry = new HeadExpiryTimer(() => this.onHeadExpired());
  private readonly idleExpiry = new IdleExpiry(() => {
    if (!this.deleted && this.consumers.size === 0) this.host.queueDeletedItself(this);
  });
  private lastDeliveryAt = 0;
  /** Publishers waiting for this queue's backlog to come down. */
  private reliefWaiters: (() => void)[] | undefined;
  /** At-least-once dead-lettering: messages dead-lettered but not yet safely elsewhere, and those waiting to retry. */
  private dlxHeld = 0;
  private dlxHeldBytes = 0;
  private dlxWaiting: { entry: QueuedMessage; reason: DeathReason }[] | undefined;
  private dlxRetryTimer: NodeJS.Timeout | undefined;

  constructor(options: MessageQueueOptions) {
    this.type = options.type;
    this.vhostName = options.vhostName;
    this.name = options.name;
    this.durable = options.durable;
    this.autoDelete = options.autoDelete;
    this.exclusiveOwner = options.exclusiveOwner;
    this.arguments = options.arguments;
    this.capabilities = options.capabilities;
    this.countsDeliveries = options.countsDeliveries;
    this.settings = options.settings;
    this.policies = options.policies;
    this.host = options.host;
    this.store = options.store;
    this.lastSeq = options.lastSeq;
    this.checkConsumerArguments = options.checkConsumerArguments;
    this.consumers = new ConsumerSet(options.settings.singleActiveConsumer);
    this.touch();
  }

  get description(): string {
    return `queue '${this.name}' in vhost '${this.vhostName}'`;
  }
  get policyName(): string | undefined {
    return this.policies.policy;
  }
  get operatorPolicyName(): string | undefined {
    return this.policies.operatorPolicy;
  }
  get effectivePolicy(): Readonly<Record<string, unknown>> {
    return this.policies.definition;
  }
  get messageCount(): number {
    return this.store.length;
  }
  get messageBytes(): number {
    return this.store.bytes;
  }
  get unackedMessageCount(): number {
    return this.unackedCount;
  }
  get unackedBytes(): number {
    return this.unackedBodyBytes;
  }
  get consumerCount(): number {
    return this.consumers.size;
  }
  get deadLetterHeldCount(): number {
    return this.dlxHeld;
  }
  get deadLetterHeldBytes(): number {
    return this.dlxHeldBytes;
  }
  get priorityLengths(): readonly number[] | undefined {
    return this.store.levelLengths;
  }
  get singleActiveConsumer(): Consumer | undefined {
    return this.consumers.active;
  }
  get stream(): undefined {
    return undefined;
  }

  // --- messages in -------------------------------------------------------------

  enqueue(message: Message): number {
    const settings = this.settings;
    const limited = settings.maxLength !== undefined || settings.maxLengthBytes !== undefined;
    if (limited && settings.overflow !== 'drop-head' && wouldOverflow(settings, this.store, message)) {
      if (settings.overflow === 'reject-publish-dlx') this.host.deadLetter(this, this.entryOf(message), 'maxlen');
      return REJECTED;
    }
    const entry = this.entryOf(message);
    this.stats.publish++;
    const ticket = this.store.push(entry);
    if (this.consumers.size > 0) this.dispatch();
    else if (entry.expiresAt !== 0) this.armHeadExpiry();
    if (limited && settings.overflow === 'drop-head') this.dropHeadsOverLimit();
    return ticket;
  }

  private entryOf(message: Message): QueuedMessage {
    const ttl = this.messageTtlFor(message);
    const maxPriority = this.settings.maxPriority;
    return {
      message,
      seq: ++this.lastSeq,
      redelivered: false,
      expiresAt: ttl === undefined ? 0 : Date.now() + ttl,
      position: -1,
      priority: maxPriority === undefined ? 0 : Math.min(message.priority, maxPriority),
      deliveryCount: 0,
    };
  }

  /** drop-head overflow: the oldest ready messages go (dead-lettered as 'maxlen') until the queue fits its limits. */
  private dropHeadsOverLimit(): void {
    if (this.settings.maxLength === undefined && this.settings.maxLengthBytes === undefined) return;
    while (isOverLimit(this.settings, this.store)) {
      const head = this.store.shift();
      if (head === undefined) return;
      this.deadLetterEntry(head, 'maxlen');
    }
  }

  // --- messages out ------------------------------------------------------------

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
    this.armHeadExpiry();
  }

  /**
   * Whether publishers should wait: the backlog is past the threshold although consumers
   * are taking messages. Stalled consumers or none at all do not hold publishers back
   * (the backlog goes to disk instead).
   */
  get congested(): boolean {
    return (
      (this.store.length >= CONGESTED_AT || this.store.overflowing) &&
      this.consumers.size > 0 &&
      Date.now() - this.lastDeliveryAt < DRAINING_WITHIN_MS
    );
  }

  /** Backlog back down: few enough messages, all in memory again. */
  private get relieved(): boolean {
    return this.store.length <= RELIEVED_AT && !this.store.overflowing;
  }

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
    if (this.reliefWaiters && (this.relieved || consumers.size === 0)) this.relieve();
    let delivered = false;
    while (this.store.length > 0 && consumers.size > 0 && !this.deleted) {
      const consumer = consumers.pick();
      if (consumer === undefined) break;
      const entry = this.takeLive();
      if (entry === undefined) break;
      this.handOut(entry, consumer.noAck);
      if (consumer.noAck) this.stats.deliverNoAck++;
      else this.stats.deliver++;
      delivered = true;
      consumer.deliver(this, entry);
    }
    if (delivered) {
      this.lastDeliveryAt = Date.now();
      if (this.reliefWaiters && this.relieved) this.relieve();
    }
  }

  get(noAck: boolean): QueuedMessage | undefined {
    if (this.settings.singleActiveConsumer && !this.capabilities.getWithSingleActiveConsumer) {
      throw resourceLocked(
        `cannot obtain access to locked ${this.description}. basic.get operations are not supported by ${this.type} queues with single active consumer`,
      );
    }
    this.touch();
    const entry = this.takeLive();
    if (entry === undefined) return undefined;
    this.handOut(entry, noAck);
    if (noAck) this.stats.getNoAck++;
    else this.stats.get++;
    return entry;
  }

  /** A message leaves the ready set for a client: settled at once without acks, unacked otherwise. */
  private handOut(entry: QueuedMessage, noAck: boolean): void {
    this.store.delivered(entry);
    if (noAck) this.store.settle(entry);
    else {
      this.unackedCount++;
      this.unackedBodyBytes += entry.message.bodySize;
    }
    if (entry.redelivered) this.stats.redeliver++;
  }

  // --- settling ------------------------------------------------------------------

  ack(entry: QueuedMessage): void {
    if (this.deleted) return;
    this.unsettled(entry);
    this.stats.ack++;
    this.store.settle(entry);
  }

  discard(entry: QueuedMessage): void {
    if (this.deleted) return;
    this.unsettled(entry);
    this.deadLetterEntry(entry, 'rejected');
  }

  requeue(entries: readonly QueuedMessage[]): void {
    if (this.deleted || entries.length === 0) return;
    const sorted = entries.length > 1 ? [...entries].sort((a, b) => a.seq - b.seq) : entries;
    const back: QueuedMessage[] = [];
    for (const entry of sorted) {
      this.unsettled(entry);
      if (this.countsDeliveries && this.returned(entry)) continue;
      entry.redelivered = true;
      back.push(entry);
    }
    if (back.length > 0) this.store.requeue(back);
    // drop-head holds after a requeue too: requeued messages are at the head, so they go first.
    if (this.settings.overflow === 'drop-head') this.dropHeadsOverLimit();
    this.dispatch();
  }

  private unsettled(entry: QueuedMessage): void {
    this.unackedCount--;
    this.unackedBodyBytes -= entry.message.bodySize;
  }

  /**
   * A quorum queue counts every return against the delivery limit: past it the message
   * dies ('delivery_limit'); otherwise its redelivery carries x-delivery-count. Returns
   * true when the message is gone.
   */
  private returned(entry: QueuedMessage): boolean {
    entry.deliveryCount++;
    const limit = this.settings.deliveryLimit;
    if (limit !== undefined && limit >= 0 && entry.deliveryCount > limit) {
      this.deadLetterEntry(entry, 'delivery_limit');
      return true;
    }
    entry.message = withDeliveryCount(entry.message, entry.deliveryCount);
    return false;
  }

  purge(): number {
    this.headExpiry.clear();
    const purged = this.store.purge();
    this.relieve();
    return purged;
  }

  // --- consumers -------------------------------------------------------------------

  assertCanConsume(request: ConsumeRequest): void {
    this.checkConsumerArguments(request.arguments, this.description);
    if (request.globalQos && !this.capabilities.globalQos) throw notImplemented(`${this.description} does not support global qos`);
    const exclusive = request.exclusive;
    // An exclusive consumer cannot share a queue, nor stand in line behind a single active one.
    const exclusiveRefused = exclusive && (this.consumers.size > 0 || this.settings.singleActiveConsumer);
    if (exclusiveRefused || this.consumers.list().some((c) => c.exclusive)) {
      throw accessRefused(`queue '${this.name}' in vhost '${this.vhostName}' in exclusive use`);
    }
  }

  addConsumer(consumer: Consumer): void {
    this.assertCanConsume({ tagChosenByClient: true, exclusive: consumer.exclusive, noAck: consumer.noAck, prefetch: consumer.prefetch, globalQos: false, arguments: consumer.arguments });
    this.consumers.add(consumer);
    this.hadConsumer = true;
    this.idleExpiry.clear();
    this.dispatch();
  }

  removeConsumer(consumer: Consumer): void {
    if (!this.consumers.has(consumer)) return;
    const promoted = this.consumers.remove(consumer);
    if (promoted !== undefined) {
      promoted.activated?.(this);
      // Not at once: a channel closing gives back its unacked messages right after removing
      // its consumers, and those go to the new active consumer first.
      queueMicrotask(() => this.dispatch());
    }
    if (this.consumers.size > 0) return;
    this.relieve(); // nobody drains it now: publishers need not wait
    this.idleSince = Date.now();
    if (this.autoDelete && this.hadConsumer) {
      this.host.queueDeletedItself(this);
      return;
    }
    this.touch();
    this.armHeadExpiry();
  }

  listConsumers(): readonly Consumer[] {
    return this.consumers.list();
  }

  isActiveConsumer(consumer: Consumer): boolean {
    return this.consumers.isActive(consumer);
  }

  // --- lifecycle ---------------------------------------------------------------------

  assertDeletable(ifUnused: boolean, ifEmpty: boolean): void {
    if (ifUnused && this.consumers.size > 0) throw preconditionFailed(`${this.description} in use`);
    if (ifEmpty && this.store.length > 0) throw preconditionFailed(`${this.description} not empty`);
  }

  applySettings(settings: QueueSettings, policies: AppliedPolicies): void {
    const before = this.settings;
    this.settings = settings;
    this.policies = policies;
    if (before.expires !== settings.expires) this.touch();
    // RabbitMQ applies new limits while still in the old overflow mode: a policy bringing
    // max-length 2 and reject-publish to a drop-head queue of 5 still drops 3 at once.
    if (before.overflow === 'drop-head') this.dropHeadsOverLimit();
    this.dispatch();
  }

  markDeleted(): number {
    this.deleted = true;
    clearTimeout(this.dlxRetryTimer);
    this.headExpiry.clear();
    this.idleExpiry.clear();
    for (const consumer of this.consumers.clear()) consumer.cancelledByQueue(this);
    this.relieve();
    const dropped = this.store.length;
    this.store.destroy();
    return dropped;
  }

  close(): void {
    clearTimeout(this.dlxRetryTimer);
    this.headExpiry.clear();
    this.idleExpiry.clear();
    this.store.close();
  }

  touch(): void {
    if (this.deleted) return;
    if (this.consumers.size > 0) {
      this.idleExpiry.clear();
      return;
    }
    this.idleExpiry.restart(this.settings.expires);
  }

  // --- expiry ------------------------------------------------------------------------

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

  private onHeadExpired(): void {
    const now = Date.now();
    let head = this.store.peek();
    while (head !== undefined && head.expiresAt !== 0 && head.expiresAt <= now) {
      this.store.shift();
      this.expire(head);
      head = this.store.peek();
    }
    this.dispatch();
  }

  private armHeadExpiry(): void {
    if (this.deleted || this.store.length === 0) return;
    const head = this.store.peek();
    if (head !== undefined) this.headExpiry.arm(head.expiresAt);
  }

  private expire(entry: QueuedMessage): void {
    this.deadLetterEntry(entry, 'expired');
  }

  // --- dead-lettering ---------------------------------------------------------------

  /**
   * A message dies here. At most once (RabbitMQ's default): it leaves, then goes to the
   * dead-letter exchange if there is one. At least once (quorum queues with
   * reject-publish): it leaves only once its dead-letter copy is on disk, and stays
   * (counted as messages_dlx, retried) while the dead-letter exchange cannot take it.
   */
  private deadLetterEntry(entry: QueuedMessage, reason: DeathReason): void {
    if (this.settings.deadLetterStrategy !== 'at-least-once') {
      this.store.settle(entry);
      this.host.deadLetter(this, entry, reason);
      return;
    }
    this.dlxHeld++;
    this.dlxHeldBytes += entry.message.bodySize;
    const outcome = this.host.deadLetter(this, entry, reason);
    if (!outcome.routed) {
      this.retryDeadLetter(entry, reason);
      return;
    }
    this.host.whenDurable(outcome.ticket, (ok) => {
      if (this.deleted) return;
      if (!ok) return this.retryDeadLetter(entry, reason);
      this.dlxHeld--;
      this.dlxHeldBytes -= entry.message.bodySize;
      this.store.settle(entry);
    });
  }

  private retryDeadLetter(entry: QueuedMessage, reason: DeathReason): void {
    (this.dlxWaiting ??= []).push({ entry, reason });
    if (this.dlxRetryTimer !== undefined) return;
    this.dlxRetryTimer = setTimeout(() => {
      this.dlxRetryTimer = undefined;
      const waiting = this.dlxWaiting ?? [];
      this.dlxWaiting = undefined;
      for (const { entry: held, reason: why } of waiting) {
        this.dlxHeld--;
        this.dlxHeldBytes -= held.message.bodySize;
        if (!this.deleted) this.deadLetterEntry(held, why);
      }
    }, DEAD_LETTER_RETRY_MS);
    this.dlxRetryTimer.unref();
  }
}
