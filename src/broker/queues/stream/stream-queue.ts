import type { FieldTable } from '../../../amqp/field-table.js';
import type { Binding } from '../../binding.js';
import { notImplemented, preconditionFailed } from '../../errors.js';
import type { Message } from '../../message.js';
import { QueueStats } from '../../stats.js';
import type {
  AppliedPolicies,
  Consumer,
  ConsumeRequest,
  Queue,
  QueueCapabilities,
  QueuedMessage,
  QueueOwner,
  StreamAccess,
} from '../queue.js';
import type { QueueSettings } from '../settings.js';
import type { StreamMessageFormat, StreamRecordEncoder } from './message-format.js';
import { parseStreamOffset, resolveOffset } from './offset-spec.js';
import { ConsumerGroups } from './consumer-groups.js';
import { OffsetTracker } from './offset-tracker.js';
import { StreamReader, type TrackedDelivery } from './stream-reader.js';
import type { ChunkFilter, StreamStore } from './stream-store.js';

export interface StreamQueueOptions {
  readonly vhostName: string;
  readonly name: string;
  readonly arguments: FieldTable;
  readonly policies: AppliedPolicies;
  readonly settings: QueueSettings;
  readonly capabilities: QueueCapabilities;
  readonly store: StreamStore;
  readonly format: StreamMessageFormat;
  /** Refuses consumer arguments the type does not accept. */
  readonly checkConsumerArguments: (args: FieldTable, resource: string) => void;
}

/**
 * A stream: an append-only log that consumers read from an offset without removing
 * anything. Publishing appends (durable once the log's sync says so); every consumer has
 * its own reader and receives each message it reads once, as credit (its prefetch)
 * allows; acks only give credit back. Stream-protocol subscribers read the same log in
 * chunks through `stream` and are listed with the consumers.
 */
export class StreamQueue implements Queue, StreamAccess {
  readonly kind = 'queue' as const;
  readonly type = 'stream' as const;
  readonly vhostName: string;
  readonly name: string;
  readonly durable = true;
  readonly autoDelete = false;
  readonly exclusiveOwner: QueueOwner | null = null;
  readonly arguments: FieldTable;
  readonly capabilities: QueueCapabilities;
  readonly bindings = new Set<Binding>();
  routeMark = 0;
  deleted = false;
  readonly stats = new QueueStats();
  idleSince = Date.now();
  settings: QueueSettings;
  readonly store: StreamStore;
  private policies: AppliedPolicies;
  private readonly format: StreamMessageFormat;
  private readonly encoder: StreamRecordEncoder;
  private readonly checkConsumerArguments: (args: FieldTable, resource: string) => void;
  /** AMQP consumers and their readers, in the order they came. */
  private readonly readers = new Map<Consumer, StreamReader>();
  /** Stream-protocol subscribers: they read chunks themselves, the queue only lists them. */
  private readonly subscribers = new Set<Consumer>();
  readonly consumerGroups = new ConsumerGroups();
  private readonly stopListening: () => void;
  private dispatching = false;
  private dispatchAgain = false;

  constructor(options: StreamQueueOptions) {
    this.vhostName = options.vhostName;
    this.name = options.name;
    this.arguments = options.arguments;
    this.policies = options.policies;
    this.settings = options.settings;
    this.capabilities = options.capabilities;
    this.store = options.store;
    this.format = options.format;
    this.encoder = options.format.encoder();
    this.checkConsumerArguments = options.checkConsumerArguments;
    this.applyRetention();
    this.stopListening = this.store.onCommitted(() => this.dispatch());
  }

  get stream(): StreamAccess {
    return this;
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
  /** Every record in the log: a stream does not lose messages to its consumers. */
  get messageCount(): number {
    return this.store.messages;
  }
  get messageBytes(): number {
    return 0;
  }
  get unackedMessageCount(): number {
    return 0;
  }
  get unackedBytes(): number {
    return 0;
  }
  get consumerCount(): number {
    return this.readers.size + this.subscribers.size;
  }
  get deadLetterHeldCount(): number {
    return 0;
  }
  get deadLetterHeldBytes(): number {
    return 0;
  }
  get priorityLengths(): undefined {
    return undefined;
  }
  get singleActiveConsumer(): undefined {
    return undefined;
  }
  get congested(): boolean {
    return false;
  }

  // --- messages in ------------------------------------------------------------------

  enqueue(message: Message): number {
    const length = this.encoder.prepare(message);
    const filterValue = filterValueOf(message);
    this.stats.publish++;
    return this.store.append(length, this.encoder, filterValue);
  }

  /** A record from a stream-protocol publisher, already in the stream's format. */
  publishRecord(buf: Buffer, start: number, end: number, filterValue: string | undefined): number {
    this.stats.publish++;
    return this.store.appendBytes(buf, start, end, filterValue);
  }

  /** A stream-protocol publisher's sub-batch of `records` records. */
  publishEntry(entry: Buffer, records: number, filterValue: string | undefined): number {
    this.stats.publish += records;
    return this.store.appendEntry(entry, records, filterValue);
  }

  // --- messages out -------------------------------------------------------------------

  dispatch(): void {
    if (this.dispatching) {
      this.dispatchAgain = true;
      return;
    }
    this.dispatching = true;
    try {
      do {
        this.dispatchAgain = false;
        for (const reader of this.readers.values()) this.feed(reader);
      } while (this.dispatchAgain && !this.deleted);
    } finally {
      this.dispatching = false;
    }
  }

  /** Hands a consumer what it has credit for. */
  private feed(reader: StreamReader): void {
    const consumer = reader.consumer;
    while (!this.deleted && consumer.canTake()) {
      const entry = reader.next(this.store, this.format);
      if (entry === undefined) return;
      this.stats.deliver++;
      consumer.deliver(this, entry);
    }
  }

  get(): QueuedMessage | undefined {
    throw notImplemented(`basic.get not supported by stream queues ${this.description}`);
  }

  /**
   * An ack only gives credit back (the channel counts it): the message stays in the stream.
   * A tracked consumer's stored offset moves past it.
   */
  ack(entry: QueuedMessage): void {
    (entry as Partial<TrackedDelivery>).tracker?.settled(entry.seq);
  }

  /** reject / nack: credit back, as RabbitMQ 3.13+ does (3.10 closes the connection with 540). */
  discard(entry: QueuedMessage): void {
    (entry as Partial<TrackedDelivery>).tracker?.settled(entry.seq);
  }

  /** A stream does not redeliver: a requeued delivery only gives credit back (and holds a tracked offset). */
  requeue(): void {}

  purge(): number {
    throw notImplemented(`queue.purge not supported by stream queues ${this.description}`);
  }

  // --- consumers --------------------------------------------------------------------------

  /**
   * RabbitMQ 3.10's checks in its order: the offset, consumer arguments streams refuse,
   * then prefetch (406), auto-ack and global qos (540). Exclusive consumers are accepted
   * and not enforced, as RabbitMQ does with streams.
   */
  assertCanConsume(request: ConsumeRequest): void {
    const resource = this.description;
    const offset = parseStreamOffset(request.arguments);
    if ('problem' in offset) throw preconditionFailed(`invalid arg 'x-stream-offset' for ${resource}: ${offset.problem}`);
    this.checkConsumerArguments(request.arguments, resource);
    if (request.arguments['x-stream-automatic-offset-tracking'] === true && !request.tagChosenByClient) {
      throw preconditionFailed(`x-stream-automatic-offset-tracking needs a consumer tag chosen by the client (it names the stored offset) for ${resource}`);
    }
    if (request.prefetch === 0) throw preconditionFailed(`consumer prefetch count is not set for '${resource}'`);
    if (request.noAck) throw notImplemented(`automatic acknowledgement not supported by stream queues ${resource}`);
    if (request.globalQos) throw notImplemented(`${resource} does not support global qos`);
  }

  addConsumer(consumer: Consumer): void {
    const spec = parseStreamOffset(consumer.arguments);
    if ('problem' in spec) throw preconditionFailed(`invalid arg 'x-stream-offset' for ${this.description}: ${spec.problem}`);
    const tracker = consumer.arguments['x-stream-automatic-offset-tracking'] === true ? new OffsetTracker(this.store, consumer.tag) : undefined;
    const start = tracker?.resumeOffset() ?? resolveOffset(spec, this.store);
    const cursor = this.store.openCursor(start, filterOf(consumer.arguments));
    this.readers.set(consumer, new StreamReader(consumer, cursor, start, tracker, this.name));
    this.dispatch();
  }

  removeConsumer(consumer: Consumer): void {
    const reader = this.readers.get(consumer);
    if (reader === undefined) {
      this.detach(consumer);
      return;
    }
    this.readers.delete(consumer);
    reader.close();
    if (this.consumerCount === 0) this.idleSince = Date.now();
  }

  /** A stream-protocol subscriber joins the listings. */
  attach(subscriber: Consumer): void {
    this.subscribers.add(subscriber);
  }

  detach(subscriber: Consumer): void {
    if (this.subscribers.delete(subscriber) && this.consumerCount === 0) this.idleSince = Date.now();
  }

  listConsumers(): readonly Consumer[] {
    return [...this.readers.keys(), ...this.subscribers];
  }

  isActiveConsumer(): boolean {
    return true;
  }

  whenRelieved(relieved: () => void): void {
    relieved();
  }

  touch(): void {}

  assertDeletable(): void {}

  // --- the vhost's part ---------------------------------------------------------------------

  applySettings(settings: QueueSettings, policies: AppliedPolicies): void {
    this.settings = settings;
    this.policies = policies;
    this.applyRetention();
  }

  private applyRetention(): void {
    const settings = this.settings;
    if (settings.streamMaxSegmentSizeBytes !== undefined) this.store.setMaxSegmentBytes(settings.streamMaxSegmentSizeBytes);
    this.store.setRetention({ maxBytes: settings.maxLengthBytes, maxAgeMs: settings.maxAgeMs });
  }

  markDeleted(): number {
    const count = this.messageCount;
    this.deleted = true;
    this.stopListening();
    for (const consumer of this.listConsumers()) consumer.cancelledByQueue(this);
    for (const reader of this.readers.values()) reader.close();
    this.readers.clear();
    this.subscribers.clear();
    this.store.delete();
    return count;
  }

  close(): void {
    this.stopListening();
    for (const reader of this.readers.values()) reader.close();
    this.store.close();
  }
}

/** x-stream-filter-value of a message published over AMQP 0-9-1 (a string header). */
function filterValueOf(message: Message): string | undefined {
  const value = message.properties.headers?.['x-stream-filter-value'];
  return typeof value === 'string' ? value : undefined;
}

/** x-stream-filter (a string or an array of strings) and x-stream-match-unfiltered, as RabbitMQ reads them. */
export function filterOf(args: FieldTable): ChunkFilter | undefined {
  const filter = args['x-stream-filter'];
  let values: string[] | undefined;
  if (typeof filter === 'string') values = [filter];
  else if (Array.isArray(filter)) values = filter.filter((v): v is string => typeof v === 'string');
  if (values === undefined) return undefined;
  return { values, matchUnfiltered: args['x-stream-match-unfiltered'] === true };
}
