import { AmqpError } from '../amqp/errors.js';
import { MethodId, ReplyCode, type BasicPublish, type Method } from '../amqp/spec.generated.js';
import type { AccessKind } from '../auth/permissions.js';
import { accessRefused, notFound } from '../broker/errors.js';
import type { Message } from '../broker/message.js';
import { PublishResult } from '../broker/publish.js';
import type { ClientChannel } from '../broker/clients.js';
import type { Queue, QueuedMessage } from '../broker/queues/queue.js';
import { ChannelStats } from '../broker/stats.js';
import type { VirtualHost } from '../broker/vhost.js';
import type { ChannelConsumer } from './channel-consumer.js';
import type { Connection } from './connection.js';
import { ConfirmTracker } from './confirm-tracker.js';
import { ContentAssembler } from './content-assembler.js';
import type { SyncOutcome } from '../storage/durability.js';
import { toAmqpError } from './errors.js';
import type { DirectReplyConsumer } from './direct-reply-to.js';
import { handleBasicMethod } from './handlers/basic.js';
import { handleExchangeMethod } from './handlers/exchange.js';
import { publish } from './handlers/publish.js';
import { handleQueueMethod } from './handlers/queue.js';
import { handleTxMethod, type Transaction } from './handlers/tx.js';
import { UnackedDeliveries, type Delivery } from './unacked.js';

type ChannelState = 'open' | 'closing' | 'closed';

/** Distinct permission answers a channel remembers (most use a handful of resources). */
const PERMISSION_CACHE_SIZE = 64;

/** Output held back until a group commit: a barrier, then what was sent after it. */
type Deferred =
  | { kind: 'barrier'; epoch: number }
  | { kind: 'method'; method: Method }
  | { kind: 'content'; header: Buffer; body: Buffer };

/**
 * One AMQP channel: routes its methods to the handlers, assembles published content,
 * delivers to its consumers and tracks what they have not acked yet.
 */
export class Channel implements ClientChannel {
  readonly consumers = new Map<string, ChannelConsumer>();
  readonly unacked = new UnackedDeliveries();
  readonly content = new ContentAssembler();
  readonly stats = new ChannelStats();
  /** basic.qos prefetch_count with global=false, for consumers started afterwards. */
  consumerPrefetch = 0;
  /** basic.qos prefetch_count with global=true, shared by all of the channel's consumers. */
  channelPrefetch = 0;
  lastDeliveryTag = 0;
  confirmMode = false;
  /** Last publish sequence number assigned in confirm mode. */
  publishSeq = 0;
  /** The outcome of this channel's latest publish (one object, reused: nothing allocated per message). */
  readonly publishResult = new PublishResult();
  private confirmTracker: ConfirmTracker | undefined;
  /** Output waiting for durable definitions (declare-ok of a durable queue, tx.commit-ok); in order. */
  private deferred: Deferred[] | undefined;
  transaction: Transaction | undefined;
  directReply: DirectReplyConsumer | undefined;
  /** For the spec's shortcut: an empty queue name means the last queue declared on this channel. */
  lastDeclaredQueue = '';
  /** Permission answers already given, valid while the broker's permissions do not change. */
  private permitted: Set<string> | undefined;
  private permittedVersion = -1;
  private lastPublishExchange: string | undefined;
  private state: ChannelState = 'open';

  constructor(
    readonly connection: Connection,
    readonly id: number,
  ) {}

  get vhost(): VirtualHost {
    return this.connection.vhost!;
  }

  // --- as the management API names a consumer's session ---------------------------

  get connectionName(): string {
    return this.connection.name;
  }
  /** RabbitMQ's channel name: the connection's name and the channel number. */
  get channelName(): string {
    return `${this.connection.name} (${this.id})`;
  }
  get channelNumber(): number {
    return this.id;
  }
  get peerHost(): string {
    return this.connection.peerHost;
  }
  get peerPort(): number {
    return this.connection.peerPort;
  }
  get user(): string {
    return this.connection.user?.name ?? '';
  }

  // --- as listings show a channel -----------------------------------------------------

  get transactional(): boolean {
    return this.transaction !== undefined;
  }
  get uncommittedMessages(): number {
    return this.transaction?.publishes.length ?? 0;
  }
  get uncommittedAcks(): number {
    return this.transaction?.settlements.reduce((n, s) => n + s.deliveries.length, 0) ?? 0;
  }
  get unackedCount(): number {
    return this.unacked.count;
  }
  get consumerCount(): number {
    return this.consumers.size;
  }
  listConsumers(): IterableIterator<ChannelConsumer> {
    return this.consumers.values();
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /**
   * 403 unless the user may `kind` the named queue or exchange (the default exchange is
   * checked as `amq.default`, as RabbitMQ does). Answers are cached on the channel until
   * any permission changes, so a change applies at once.
   */
  checkAccess(kind: AccessKind, resource: 'queue' | 'exchange', name: string): void {
    const access = this.connection.context.access;
    if (this.permittedVersion !== access.version) {
      this.permitted?.clear();
      this.lastPublishExchange = undefined;
      this.permittedVersion = access.version;
    }
    const resourceName = resource === 'exchange' && name === '' ? 'amq.default' : name;
    const key = `${kind} ${resource} ${resourceName}`;
    if (this.permitted?.has(key)) return;
    const user = this.connection.user!.name;
    if (!access.allows(user, this.vhost.name, kind, resourceName)) {
      throw accessRefused(`access to ${resource} '${resourceName}' in vhost '${this.vhost.name}' refused for user '${user}'`);
    }
    const permitted = (this.permitted ??= new Set());
    if (permitted.size >= PERMISSION_CACHE_SIZE) permitted.clear();
    permitted.add(key);
  }

  /** Write access for a publish: the same exchange as last time is the common case, checked without a lookup. */
  checkPublishAccess(exchange: string): void {
    if (exchange === this.lastPublishExchange && this.permittedVersion === this.connection.context.access.version) return;
    this.checkAccess('write', 'exchange', exchange);
    this.lastPublishExchange = exchange;
  }

  queueName(name: string): string {
    if (name !== '') return name;
    if (this.lastDeclaredQueue === '') throw notFound('no previously declared queue');
    return this.lastDeclaredQueue;
  }

  // --- input -----------------------------------------------------------------

  onMethod(method: Method): void {
    if (this.state !== 'open') return this.onMethodWhileClosing(method);
    if (this.content.inProgress) throw this.content.unexpectedMethod();
    switch (method.id >>> 16) {
      case 20:
        return this.onChannelMethod(method);
      case 40:
        return handleExchangeMethod(this, method);
      case 50:
        return handleQueueMethod(this, method);
      case 60:
        if (method.id === MethodId.BasicPublish) return this.content.start(method);
        return handleBasicMethod(this, method);
      case 85:
        return this.onConfirmSelect(method);
      case 90:
        return handleTxMethod(this, method);
      default:
        throw new AmqpError(ReplyCode.COMMAND_INVALID, 'unknown method class', method.id >>> 16, method.id & 0xffff);
    }
  }

  onContentHeader(buf: Buffer, start: number, end: number): void {
    if (this.state !== 'open') return;
    const done = this.content.header(buf, start, end);
    if (done) this.publishAssembled(done.method, done.message);
  }

  onContentBody(buf: Buffer, start: number, end: number): void {
    if (this.state !== 'open') return;
    const done = this.content.body(buf, start, end);
    if (done) this.publishAssembled(done.method, done.message);
  }

  private publishAssembled(method: BasicPublish, message: Message): void {
    try {
      publish(this, method, message);
    } catch (error) {
      // Errors about a publish name basic.publish, although they surface on a content frame.
      throw toAmqpError(error, method);
    }
  }

  private onChannelMethod(method: Method): void {
    switch (method.id) {
      case MethodId.ChannelOpen:
        throw new AmqpError(ReplyCode.CHANNEL_ERROR, `second 'channel.open' seen`, 20, 10);
      case MethodId.ChannelFlow:
        if (!method.active) throw new AmqpError(ReplyCode.NOT_IMPLEMENTED, 'active=false', 20, 20);
        this.send({ id: MethodId.ChannelFlowOk, active: true });
        return;
      case MethodId.ChannelClose:
        this.release();
        this.send({ id: MethodId.ChannelCloseOk });
        this.state = 'closed';
        this.connection.channelClosed(this);
        return;
      case MethodId.ChannelCloseOk:
        return; // nothing was pending
      default:
        throw new AmqpError(ReplyCode.COMMAND_INVALID, 'unexpected channel method', 20, method.id & 0xffff);
    }
  }

  private onMethodWhileClosing(method: Method): void {
    if (method.id === MethodId.ChannelCloseOk || method.id === MethodId.ChannelClose) {
      if (method.id === MethodId.ChannelClose) this.send({ id: MethodId.ChannelCloseOk });
      this.state = 'closed';
      this.connection.channelClosed(this);
    }
    // Anything else that crossed our channel.close on the wire is dropped, as the spec says.
  }

  private onConfirmSelect(method: Method): void {
    if (method.id !== MethodId.ConfirmSelect) {
      throw new AmqpError(ReplyCode.COMMAND_INVALID, 'unexpected confirm method', 85, method.id & 0xffff);
    }
    if (this.transaction) {
      throw new AmqpError(ReplyCode.PRECONDITION_FAILED, 'cannot switch from tx to confirm mode', 85, 10);
    }
    this.confirmMode = true;
    if (!method.nowait) this.send({ id: MethodId.ConfirmSelectOk });
  }

  // --- output ----------------------------------------------------------------

  send(method: Method): void {
    if (this.deferred) this.deferred.push({ kind: 'method', method });
    else this.connection.send(this.id, method);
  }

  sendContent(header: Buffer, body: Buffer): void {
    if (this.deferred) {
      this.deferred.push({ kind: 'content', header, body });
      return;
    }
    const writer = this.connection.writer;
    writer.contentHeaderRaw(this.id, header);
    writer.body(this.id, body, body.length);
  }

  /**
   * Sends `method` once everything up to `epoch` is durable, and holds back whatever
   * this channel sends after it until then, so replies keep their order.
   */
  sendWhenDurable(method: Method, epoch: number): void {
    if (epoch > this.connection.context.durability.syncedEpoch || this.deferred) {
      (this.deferred ??= []).push({ kind: 'barrier', epoch });
      this.connection.context.durabilityWaiters.add(this);
    }
    this.send(method);
  }

  /** Sends `method` once the definitions changed so far are on disk (declare-ok, delete-ok, bind-ok...). */
  sendWhenDefinitionsDurable(method: Method): void {
    this.sendWhenDurable(method, this.connection.context.durability.pendingDefinitionsEpoch);
  }

  /** Confirm-mode state, made when the channel first confirms (most channels never do). */
  private get confirms(): ConfirmTracker {
    return (this.confirmTracker ??= new ConfirmTracker());
  }

  /** Publish `seq` is routed; confirm it (nack unless `ok`) once `epoch` is durable (0: at once). */
  confirm(seq: number, epoch: number, ok: boolean): void {
    const durability = this.connection.context.durability;
    this.confirms.add(seq, epoch, durability.syncedEpoch, ok);
    if (this.confirms.hasReady) this.connection.confirmPending(this);
    if (this.confirms.hasWaiting) this.connection.context.durabilityWaiters.add(this);
  }

  /** A group commit completed; returns whether the channel still waits for a later one. */
  synced(outcome: SyncOutcome): boolean {
    if (this.state !== 'open') return false;
    const confirms = this.confirmTracker;
    if (confirms?.synced(outcome)) this.connection.confirmPending(this);
    if (this.deferred) this.releaseDeferred(outcome);
    return (confirms?.hasWaiting ?? false) || this.deferred !== undefined;
  }

  /** Sends the confirms resolved so far: one basic.ack or basic.nack per run. */
  writeConfirms(): void {
    if (!this.confirmTracker?.hasReady || this.state !== 'open' || this.deferred) return;
    for (const [deliveryTag, multiple, ok, count] of this.confirms.drain()) {
      if (ok) {
        this.send({ id: MethodId.BasicAck, deliveryTag, multiple });
        this.stats.confirm += count;
        this.connection.context.stats.confirmed += count;
      } else this.send({ id: MethodId.BasicNack, deliveryTag, multiple, requeue: false });
    }
  }

  private releaseDeferred(outcome: SyncOutcome): void {
    const items = this.deferred!;
    let released = 0;
    for (; released < items.length; released++) {
      const item = items[released];
      if (item.kind !== 'barrier') continue;
      if (item.epoch > outcome.epoch) break;
      if (!outcome.ok) {
        this.deferred = undefined;
        this.closeWithError(
          new AmqpError(ReplyCode.INTERNAL_ERROR, `could not make the change durable: ${outcome.error?.message ?? 'write failed'}`),
        );
        return;
      }
    }
    const ready = items.splice(0, released);
    const stillBlocked = items.length > 0;
    this.deferred = undefined;
    for (const item of ready) {
      if (item.kind === 'method') this.send(item.method);
      else if (item.kind === 'content') this.sendContent(item.header, item.body);
    }
    if (stillBlocked) this.deferred = items;
    else {
      if (this.confirmTracker?.hasReady) this.connection.confirmPending(this);
      this.resumeConsumers();
    }
  }

  // --- deliveries --------------------------------------------------------------

  /** May a consumer of this channel take a message now (global prefetch, socket room)? */
  canTake(noAck: boolean): boolean {
    if (this.state !== 'open' || this.deferred) return false;
    if (!noAck && this.channelPrefetch !== 0 && this.unacked.count >= this.channelPrefetch) return false;
    return this.connection.canWrite;
  }

  deliver(consumer: ChannelConsumer, queue: Queue, entry: QueuedMessage): void {
    const tag = ++this.lastDeliveryTag;
    const message = entry.message;
    this.connection.writer.method(this.id, {
      id: MethodId.BasicDeliver,
      consumerTag: consumer.tag,
      deliveryTag: tag,
      redelivered: entry.redelivered,
      exchange: message.exchange,
      routingKey: message.routingKey,
    });
    this.sendContent(message.header, message.body);
    this.connection.markDirty();
    this.handedOut(tag, queue, entry, consumer, consumer.noAck);
  }

  /**
   * A message went to the client (a delivery to `consumer`, or basic.get-ok when it is
   * undefined): count it and, unless no-ack, track it until it is settled.
   */
  handedOut(tag: number, queue: Queue, entry: QueuedMessage, consumer: ChannelConsumer | undefined, noAck: boolean): void {
    const global = this.connection.context.stats;
    const stats = this.stats;
    if (consumer) global.delivered++;
    else global.get++;
    if (entry.redelivered) {
      global.redelivered++;
      stats.redeliver++;
    }
    if (noAck) {
      if (consumer) stats.deliverNoAck++;
      else stats.getNoAck++;
      return;
    }
    if (consumer) {
      stats.deliver++;
      consumer.unacked++;
    } else stats.get++;
    const timeoutMs = this.consumerTimeoutFor(queue, consumer);
    const deadline = timeoutMs === 0 ? 0 : Date.now() + timeoutMs;
    this.unacked.add({ tag, queue, entry, consumer, settled: false, deadline, timeoutMs });
  }

  /**
   * How long a delivery may stay unacked: the consumer's x-consumer-timeout (RabbitMQ
   * 4.3: it always wins), else the queue's (its argument and policy, the lower), else
   * the broker's consumer_timeout. 0 = no limit.
   */
  private consumerTimeoutFor(queue: Queue, consumer: ChannelConsumer | undefined): number {
    const own = consumer?.timeoutMs;
    if (own !== undefined) return own;
    return queue.settings.consumerTimeout ?? this.connection.context.settings.consumerTimeoutMs;
  }

  /**
   * The consumer timeout: a delivery left unacked past its deadline closes the channel
   * with RabbitMQ's 406 (its unacked messages go back to their queues), or, in
   * cancel-consumer mode and for clients that take basic.cancel, cancels only the late
   * consumer and gives back its messages.
   */
  checkConsumerTimeouts(now: number): void {
    if (this.state !== 'open') return;
    const late = this.unacked.overdue(now);
    if (late === undefined) return;
    const connection = this.connection;
    const consumer = late.consumer;
    const cancelOnly =
      connection.context.settings.consumerTimeoutMode === 'cancel-consumer' &&
      consumer !== undefined &&
      connection.clientCapabilities.consumer_cancel_notify === true;
    connection.log.warn(
      { channel: this.id, consumer: consumer?.tag, deliveryTag: late.tag, timeoutMs: late.timeoutMs },
      'delivery tag %d on channel %d not acknowledged within %d ms: %s',
      late.tag,
      this.id,
      late.timeoutMs,
      cancelOnly ? 'cancelling its consumer' : 'closing the channel',
    );
    if (!cancelOnly) {
      this.closeWithError(
        new AmqpError(
          ReplyCode.PRECONDITION_FAILED,
          `delivery acknowledgement on channel ${this.id} timed out. Timeout value used: ${late.timeoutMs} ms. ` +
            'This timeout value can be configured, see consumers doc guide to learn more',
        ),
      );
      return;
    }
    this.consumers.delete(consumer.tag);
    consumer.queue.removeConsumer(consumer);
    this.send({ id: MethodId.BasicCancel, consumerTag: consumer.tag, nowait: true });
    const returned = this.unacked.takeReturned(consumer);
    consumer.unacked -= returned.length;
    this.requeue(returned);
    // The rest of the channel's deliveries may be late too.
    this.checkConsumerTimeouts(now);
  }

  /** Settled deliveries free prefetch room: let the affected queues dispatch again. */
  settled(deliveries: readonly Delivery[]): void {
    for (const delivery of deliveries) if (delivery.consumer) delivery.consumer.unacked--;
    this.resumeConsumers();
  }

  resumeConsumers(): void {
    for (const consumer of this.consumers.values()) {
      if (consumer.queue.messageCount > 0 && consumer.canTake()) consumer.queue.dispatch();
    }
  }

  /** Requeues deliveries, grouped by queue so each queue restores its order in one go. */
  requeue(deliveries: readonly Delivery[]): void {
    if (deliveries.length === 0) return;
    const byQueue = new Map<Queue, QueuedMessage[]>();
    for (const delivery of deliveries) {
      const list = byQueue.get(delivery.queue);
      if (list) list.push(delivery.entry);
      else byQueue.set(delivery.queue, [delivery.entry]);
    }
    for (const [queue, entries] of byQueue) queue.requeue(entries);
  }

  consumerCancelledByQueue(consumer: ChannelConsumer): void {
    this.consumers.delete(consumer.tag);
    if (this.state === 'open' && this.connection.clientCapabilities.consumer_cancel_notify === true) {
      this.send({ id: MethodId.BasicCancel, consumerTag: consumer.tag, nowait: true });
    }
  }

  // --- closing -------------------------------------------------------------------

  /** Channel-level error: close this channel with the error, the connection stays. */
  closeWithError(error: AmqpError): void {
    if (this.state !== 'open') return;
    this.connection.log.info(
      { channel: this.id, code: error.code, classId: error.classId, methodId: error.methodId },
      'closing channel: %s',
      error.replyText,
    );
    this.release();
    this.state = 'closing';
    this.send({
      id: MethodId.ChannelClose,
      replyCode: error.code,
      replyText: error.replyText.slice(0, 255),
      classId: error.classId,
      methodId: error.methodId,
    });
  }

  /**
   * Gives back everything the channel holds: consumers stop first (so requeued
   * messages are not handed straight back to this channel), then unacked messages
   * return to their queues in order, marked redelivered.
   */
  release(): void {
    if (this.state === 'closed') return;
    const consumers = [...this.consumers.values()];
    this.consumers.clear();
    for (const consumer of consumers) consumer.queue.removeConsumer(consumer);
    this.directReply?.cancel();
    this.directReply = undefined;
    this.content.reset();
    // Acks held by an uncommitted transaction never happened: those messages requeue too.
    for (const { deliveries } of this.transaction?.settlements ?? []) this.unacked.restore(deliveries);
    this.transaction = undefined;
    this.requeue(this.unacked.takeAll());
    this.state = 'closed';
  }
}
