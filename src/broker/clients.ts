import type { FieldTable } from '../amqp/field-table.js';
import type { Consumer, ConsumerSession, QueueOwner } from './queues/queue.js';
import type { ChannelStats } from './stats.js';

/** RabbitMQ's connection states in listings. */
export type ClientState = 'starting' | 'running' | 'blocked' | 'closing' | 'closed';

/**
 * A client connection as the broker and the control plane see it, whatever protocol it
 * speaks (AMQP 0-9-1 now; MQTT and the stream protocol later): enough to list it, count
 * it against limits and close it.
 */
export interface ClientConnection extends QueueOwner {
  readonly protocol: string;
  /** The logged-in user and the vhost in use; set once the connection is open. */
  readonly userName: string;
  readonly vhostName: string;
  readonly connectedAt: number;
  readonly localHost: string;
  readonly localPort: number;
  readonly state: ClientState;
  readonly authMechanism: string;
  readonly clientProperties: FieldTable;
  /** Negotiated limits (0 where the protocol has none). */
  readonly channelMax: number;
  readonly frameMax: number;
  readonly heartbeat: number;
  readonly bytesReceived: number;
  readonly bytesSent: number;
  readonly reads: number;
  readonly writes: number;
  /** Bytes written to the socket and not yet sent. */
  readonly sendPending: number;
  readonly channelCount: number;
  listChannels(): Iterable<ClientChannel>;
  /** Closes it from the server side with a reason (AMQP: 320 CONNECTION_FORCED). */
  closeForced(reason: string): void;
}

/** A channel (or the protocol's equivalent) with its consumers and counters, as listings show it. */
export interface ClientChannel extends ConsumerSession {
  readonly connection: ClientConnection;
  readonly isOpen: boolean;
  readonly confirmMode: boolean;
  readonly transactional: boolean;
  /** Publishes and acks held by an open transaction. */
  readonly uncommittedMessages: number;
  readonly uncommittedAcks: number;
  /** basic.qos prefetch for new consumers, and the channel-wide (global) one. */
  readonly consumerPrefetch: number;
  readonly channelPrefetch: number;
  readonly unackedCount: number;
  readonly stats: ChannelStats;
  readonly consumerCount: number;
  listConsumers(): Iterable<Consumer>;
}

/**
 * The open client connections of every protocol: what listings show, and what
 * connection limits count (per vhost and per user).
 */
export class ClientRegistry {
  private readonly open = new Set<ClientConnection>();
  private readonly byVhost = new Map<string, number>();
  private readonly byUser = new Map<string, number>();
  private readonly channelsByUser = new Map<string, number>();

  get size(): number {
    return this.open.size;
  }

  add(connection: ClientConnection): void {
    if (this.open.has(connection)) return;
    this.open.add(connection);
    bump(this.byVhost, connection.vhostName, 1);
    bump(this.byUser, connection.userName, 1);
  }

  remove(connection: ClientConnection): void {
    if (!this.open.delete(connection)) return;
    bump(this.byVhost, connection.vhostName, -1);
    bump(this.byUser, connection.userName, -1);
  }

  countInVhost(vhost: string): number {
    return this.byVhost.get(vhost) ?? 0;
  }

  countOfUser(user: string): number {
    return this.byUser.get(user) ?? 0;
  }

  /** Channels (or the protocol's sessions) open by a user across all their connections, for max-channels. */
  channelsOfUser(user: string): number {
    return this.channelsByUser.get(user) ?? 0;
  }

  channelOpened(user: string): void {
    bump(this.channelsByUser, user, 1);
  }

  channelClosed(user: string): void {
    bump(this.channelsByUser, user, -1);
  }

  [Symbol.iterator](): IterableIterator<ClientConnection> {
    return this.open.values();
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}
