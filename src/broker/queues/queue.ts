import type { FieldTable } from '../../amqp/field-table.js';
import type { Binding } from '../binding.js';
import type { Message } from '../message.js';
import type { QueueStats } from '../stats.js';
import type { QueueSettings } from './settings.js';
import type { ConsumerGroups } from './stream/consumer-groups.js';
import type { StreamStore } from './stream/stream-store.js';

export const QUEUE_TYPE_NAMES = ['classic', 'quorum', 'stream'] as const;
export type QueueTypeName = (typeof QUEUE_TYPE_NAMES)[number];

export function isQueueTypeName(name: string): name is QueueTypeName {
  return (QUEUE_TYPE_NAMES as readonly string[]).includes(name);
}

export type DeathReason = 'rejected' | 'expired' | 'maxlen' | 'delivery_limit';

/** What enqueue answers when the queue refuses a message (overflow reject-publish). */
export const REJECTED = -1;

/** A message's place in one queue. */
export interface QueuedMessage {
  /** The message as delivered; a queue may swap in a copy with delivery headers (x-delivery-count). */
  message: Message;
  /** Enqueue order in this queue; requeued messages go back to their original place by it. */
  readonly seq: number;
  redelivered: boolean;
  /** Epoch ms after which the message is dead, or 0 for never. */
  readonly expiresAt: number;
  /** Where the queue's store keeps a durable or paged-out copy; -1 for none. */
  position: number;
  /** Priority level in a priority queue (0 elsewhere). */
  readonly priority: number;
  /** Times the message came back unsettled (quorum queues count them against the delivery limit). */
  deliveryCount: number;
}

/** Who owns an exclusive queue (a client connection), as listings name it. */
export interface QueueOwner {
  readonly name: string;
  readonly peerHost: string;
  readonly peerPort: number;
}

/** Where a consumer lives, as the management API describes it (an AMQP channel, an MQTT session...). */
export interface ConsumerSession {
  readonly connectionName: string;
  readonly channelName: string;
  readonly channelNumber: number;
  readonly peerHost: string;
  readonly peerPort: number;
  readonly user: string;
}

/**
 * Something that takes messages from a queue: an AMQP consumer on a channel, later an
 * MQTT subscription or a stream reader. The queue asks before each delivery whether it
 * may deliver (prefetch, flow control, a full socket) and tells it when the queue goes.
 */
export interface Consumer {
  readonly tag: string;
  /** The queue it consumes from. */
  readonly queue: Queue;
  /** Auto-ack: the queue forgets the message as soon as it is handed over. */
  readonly noAck: boolean;
  readonly exclusive: boolean;
  /** `x-priority`: higher-priority consumers are served first (0 by default). */
  readonly priority: number;
  /** The most unacknowledged deliveries it takes (0: no limit), for listings. */
  readonly prefetch: number;
  readonly arguments: FieldTable;
  /** Who opened it, for exclusive-queue checks (the connection). */
  readonly owner: object;
  readonly session: ConsumerSession;
  canTake(): boolean;
  deliver(queue: Queue, entry: QueuedMessage): void;
  /** The queue was deleted under the consumer. */
  cancelledByQueue(queue: Queue): void;
  /** Single active consumer: this consumer became the active one. */
  activated?(queue: Queue): void;
}

/** What a new consumer asks for, as basic.consume says it, checked by the queue's type. */
export interface ConsumeRequest {
  /** False when the server made the tag up (an empty consumer tag in basic.consume). */
  readonly tagChosenByClient: boolean;
  readonly exclusive: boolean;
  readonly noAck: boolean;
  /** The consumer's own prefetch (basic.qos global=false); 0: none. */
  readonly prefetch: number;
  /** A channel-wide prefetch (basic.qos global=true) is in force. */
  readonly globalQos: boolean;
  readonly arguments: FieldTable;
}

/** What a queue needs from the vhost that holds it. */
export interface QueueHost {
  /** Republishes a message that died in `queue` to the queue's dead-letter exchange. */
  deadLetter(queue: Queue, entry: QueuedMessage, reason: DeathReason): { readonly routed: boolean; readonly ticket: number };
  /** Calls `done(true)` once everything up to `ticket` is durable (`done(false)` if that failed). */
  whenDurable(ticket: number, done: (ok: boolean) => void): void;
  /** The queue deleted itself (auto-delete after its last consumer, x-expires). */
  queueDeletedItself(queue: Queue): void;
}

/** What a queue's type lets protocols do with it, checked where the protocol acts. */
export interface QueueCapabilities {
  /** basic.qos(global=true) on a consuming channel (quorum queues refuse it with 540). */
  readonly globalQos: boolean;
  /** basic.get while a single active consumer is set (quorum queues refuse it with 405). */
  readonly getWithSingleActiveConsumer: boolean;
}

/**
 * A queue, whatever its type: the one interface AMQP, the control plane, the HTTP API
 * (and later MQTT and streams) talk to. Ready messages live in the queue; unacked ones
 * with whoever received them, until they settle them here.
 */
export interface Queue {
  readonly kind: 'queue';
  readonly type: QueueTypeName;
  readonly vhostName: string;
  readonly name: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  /** The connection an exclusive queue belongs to; null for shared queues. */
  readonly exclusiveOwner: QueueOwner | null;
  readonly arguments: FieldTable;
  /** RabbitMQ's phrase for it in errors: queue 'q' in vhost '/'. */
  readonly description: string;
  readonly capabilities: QueueCapabilities;
  /** Bindings where this queue is the destination. */
  readonly bindings: Set<Binding>;
  /** Routing's per-publish mark (see Routes). */
  routeMark: number;
  readonly deleted: boolean;
  readonly stats: QueueStats;
  /** When the queue was last used or lost its last consumer (for idle_since). */
  readonly idleSince: number;
  /** Effective settings: arguments combined with the policies that apply. */
  readonly settings: QueueSettings;
  /** Names of the policy and operator policy in effect, if any. */
  readonly policyName: string | undefined;
  readonly operatorPolicyName: string | undefined;
  /** The merged definition of both, as RabbitMQ's effective_policy_definition. */
  readonly effectivePolicy: Readonly<Record<string, unknown>>;

  /** Ready messages (RabbitMQ's message_count) and their body bytes. */
  readonly messageCount: number;
  readonly messageBytes: number;
  readonly unackedMessageCount: number;
  readonly unackedBytes: number;
  readonly consumerCount: number;
  /** At-least-once dead-lettering: messages dead-lettered that the queue still holds (RabbitMQ's messages_dlx). */
  readonly deadLetterHeldCount: number;
  readonly deadLetterHeldBytes: number;
  /** Ready messages per priority level, for a priority queue (RabbitMQ's priority_lengths). */
  readonly priorityLengths: readonly number[] | undefined;
  /** Whether publishers should slow down (the backlog grows while consumers drain it). */
  readonly congested: boolean;
  /** A stream's log, for protocols that read and write it directly (the stream protocol); undefined for other types. */
  readonly stream: StreamAccess | undefined;

  /** Adds a published message; returns the durability ticket its confirm waits for (0: none) or REJECTED. */
  enqueue(message: Message): number;
  /** Hands ready messages to consumers until either runs out. */
  dispatch(): void;
  /** basic.get: the head message, now unacked unless `noAck`. */
  get(noAck: boolean): QueuedMessage | undefined;
  ack(entry: QueuedMessage): void;
  /** Rejected without requeue: it dies (dead-lettered if configured). */
  discard(entry: QueuedMessage): void;
  /** Unacked messages come back, each to its original place, marked redelivered. */
  requeue(entries: readonly QueuedMessage[]): void;
  /** Drops every ready message; returns how many there were. */
  purge(): number;

  /** Refuses (BrokerError) a consumer the queue cannot take: consumer arguments, prefetch, exclusivity. */
  assertCanConsume(request: ConsumeRequest): void;
  addConsumer(consumer: Consumer): void;
  removeConsumer(consumer: Consumer): void;
  /** Consumers in the order they were added. */
  listConsumers(): readonly Consumer[];
  /** Whether the consumer receives (false for a waiting single-active-consumer candidate). */
  isActiveConsumer(consumer: Consumer): boolean;
  /** The single active consumer, when the queue has one. */
  readonly singleActiveConsumer: Consumer | undefined;

  /** Calls `relieved` once the backlog is back down (or the queue goes away). */
  whenRelieved(relieved: () => void): void;
  /** Any use that resets x-expires: declare, get, the last consumer leaving. */
  touch(): void;
  /** Throws 406 unless the queue may be deleted under these conditions. */
  assertDeletable(ifUnused: boolean, ifEmpty: boolean): void;

  /** The vhost's part: new effective settings after a policy change (applied at once). */
  applySettings(settings: QueueSettings, policy: AppliedPolicies): void;
  /** The vhost's part: marks the queue gone (consumers told, messages dropped); returns the ready count. */
  markDeleted(): number;
  /** The broker stops: timers end, durable messages stay where they are. */
  close(): void;
}

/**
 * A stream as the stream protocol uses it: records appended as they come (already in the
 * stream's format), chunks read through the store's cursors, and its subscribers listed
 * with the queue's consumers.
 */
export interface StreamAccess {
  readonly store: StreamStore;
  /** Appends a record; returns its durability ticket. */
  publishRecord(buf: Buffer, start: number, end: number, filterValue: string | undefined): number;
  /** Appends a sub-batch of `records` records (entry header included). */
  publishEntry(entry: Buffer, records: number, filterValue: string | undefined): number;
  /** Named groups of subscribers of which one at a time reads (single active consumer). */
  readonly consumerGroups: ConsumerGroups;
  /** A subscriber reading chunks itself: listed and counted with the consumers, told when the stream goes. */
  attach(subscriber: Consumer): void;
  detach(subscriber: Consumer): void;
}

/** The policies in effect on an object, and their merged definition. */
export interface AppliedPolicies {
  readonly policy: string | undefined;
  readonly operatorPolicy: string | undefined;
  readonly definition: Readonly<Record<string, unknown>>;
}
