import type { QueueStoreFactory } from './queue-store.js';
import { VirtualHost } from './vhost.js';

/** The broker's domain root: its virtual hosts, each with its own exchanges and queues. */
export class BrokerCore {
  readonly vhosts = new Map<string, VirtualHost>();

  constructor(private readonly storeFor?: QueueStoreFactory) {
    this.addVhost('/');
  }

  addVhost(name: string): VirtualHost {
    let vhost = this.vhosts.get(name);
    if (!vhost) this.vhosts.set(name, (vhost = new VirtualHost(name, this.storeFor)));
    return vhost;
  }

  /** The broker stops: every queue closes its store, keeping what is durable. */
  close(): void {
    for (const vhost of this.vhosts.values()) vhost.close();
  }

  vhost(name: string): VirtualHost | undefined {
    return this.vhosts.get(name);
  }
}
