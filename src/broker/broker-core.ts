import { VirtualHost } from './vhost.js';

/** The broker's domain root: its virtual hosts, each with its own exchanges and queues. */
export class BrokerCore {
  readonly vhosts = new Map<string, VirtualHost>();

  constructor() {
    this.addVhost('/');
  }

  addVhost(name: string): VirtualHost {
    let vhost = this.vhosts.get(name);
    if (!vhost) this.vhosts.set(name, (vhost = new VirtualHost(name)));
    return vhost;
  }

  vhost(name: string): VirtualHost | undefined {
    return this.vhosts.get(name);
  }
}
