import { Events } from '../events.js';
import type { Binding } from './binding.js';
import { ClientRegistry } from './clients.js';
import type { Policy, PolicyKind } from './policies.js';
import type { Exchange } from './exchange.js';
import type { Queue, QueueTypeName } from './queues/queue.js';
import type { QueueStoreFactory } from './queues/store.js';
import { GlobalStats } from './stats.js';
import { VirtualHost } from './vhost.js';

/**
 * Changes to the domain's definitions, for whoever follows them (storage journals the
 * durable ones; metrics, the UI and replication may listen too).
 */
export type BrokerEventMap = {
  vhostAdded: [vhost: VirtualHost];
  /** Description, tags, default queue type or limits changed. */
  vhostUpdated: [vhost: VirtualHost];
  vhostRemoved: [vhost: VirtualHost];
  exchangeAdded: [exchange: Exchange];
  exchangeRemoved: [exchange: Exchange];
  queueAdded: [queue: Queue];
  queueRemoved: [queue: Queue];
  bindingAdded: [binding: Binding];
  bindingRemoved: [binding: Binding];
  policyPut: [vhost: VirtualHost, kind: PolicyKind, policy: Policy];
  policyRemoved: [vhost: VirtualHost, kind: PolicyKind, name: string];
};

/**
 * Where the domain learns that a durability ticket (what a store's push returned) has
 * reached disk; storage provides it, a broker without storage answers at once.
 */
export interface DurabilityPort {
  whenDurable(ticket: number, done: (ok: boolean) => void): void;
}

const IMMEDIATELY: DurabilityPort = { whenDurable: (_ticket, done) => done(true) };

/** What operators say about a vhost (RabbitMQ's description, tags and default queue type). */
export interface VhostMetadata {
  description: string;
  tags: string[];
  /** Undefined: none set (classic, and RabbitMQ shows 'undefined'). */
  defaultQueueType: QueueTypeName | undefined;
}

/** The broker's domain root: its virtual hosts, each with its own exchanges and queues. */
export class BrokerCore {
  readonly vhosts = new Map<string, VirtualHost>();
  readonly events = new Events<BrokerEventMap>();
  /** Message counters across every vhost (RabbitMQ's global totals). */
  readonly stats = new GlobalStats();
  /** Open client connections of every protocol. */
  readonly clients = new ClientRegistry();

  constructor(
    private readonly stores?: QueueStoreFactory,
    private readonly durability: DurabilityPort = IMMEDIATELY,
  ) {}

  /** The vhost, created (empty but for the predeclared exchanges) if it does not exist. */
  addVhost(name: string): VirtualHost {
    let vhost = this.vhosts.get(name);
    if (vhost) return vhost;
    vhost = new VirtualHost(name, this.events, this.stats, this.durability, this.stores);
    this.vhosts.set(name, vhost);
    this.events.emit('vhostAdded', vhost);
    return vhost;
  }

  /** Sets a vhost's description and tags. */
  describeVhost(vhost: VirtualHost, metadata: VhostMetadata): void {
    vhost.description = metadata.description;
    vhost.tags = metadata.tags;
    vhost.defaultQueueType = metadata.defaultQueueType;
    this.events.emit('vhostUpdated', vhost);
  }

  vhost(name: string): VirtualHost | undefined {
    return this.vhosts.get(name);
  }

  /** Removes a vhost with everything in it (queues and their messages included). */
  deleteVhost(name: string): VirtualHost | undefined {
    const vhost = this.vhosts.get(name);
    if (!vhost) return undefined;
    this.vhosts.delete(name);
    vhost.deleteEverything();
    this.events.emit('vhostRemoved', vhost);
    return vhost;
  }

  /** The broker stops: every queue closes its store, keeping what is durable. */
  close(): void {
    for (const vhost of this.vhosts.values()) vhost.close();
  }
}
