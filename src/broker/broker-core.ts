import type { QueueStoreFactory } from './queue-store.js';
import { VirtualHost } from './vhost.js';

/** Vhost lifecycle events storage follows. */
export interface CoreObserver {
  vhostAdded?(vhost: VirtualHost): void;
  vhostRemoved?(vhost: VirtualHost): void;
  /** Description or tags changed. */
  vhostUpdated?(vhost: VirtualHost): void;
}

/** What operators say about a vhost (RabbitMQ's description and tags). */
export interface VhostMetadata {
  description: string;
  tags: string[];
}

/** The broker's domain root: its virtual hosts, each with its own exchanges and queues. */
export class BrokerCore {
  readonly vhosts = new Map<string, VirtualHost>();
  observer: CoreObserver = {};

  constructor(private readonly storeFor?: QueueStoreFactory) {}

  /** The vhost, created (empty but for the predeclared exchanges) if it does not exist. */
  addVhost(name: string): VirtualHost {
    let vhost = this.vhosts.get(name);
    if (vhost) return vhost;
    vhost = new VirtualHost(name, this.storeFor);
    this.vhosts.set(name, vhost);
    this.observer.vhostAdded?.(vhost);
    return vhost;
  }

  /** Sets a vhost's description and tags. */
  describeVhost(vhost: VirtualHost, metadata: VhostMetadata): void {
    vhost.description = metadata.description;
    vhost.tags = metadata.tags;
    this.observer.vhostUpdated?.(vhost);
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
    this.observer.vhostRemoved?.(vhost);
    return vhost;
  }

  /** The broker stops: every queue closes its store, keeping what is durable. */
  close(): void {
    for (const vhost of this.vhosts.values()) vhost.close();
  }
}
