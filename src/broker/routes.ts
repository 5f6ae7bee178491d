import type { Destination } from './binding.js';
import type { Exchange } from './exchange.js';
import type { Message } from './message.js';
import type { Queue } from './queues/queue.js';

let lastRouteEpoch = 0;

/**
 * The queues one publish reaches. Duplicates (a queue bound twice, or reached through
 * two exchange-to-exchange paths) are dropped with a per-route epoch mark on each
 * queue and exchange instead of a Set, so routing allocates nothing per message.
 */
export class Routes {
  readonly queues: Queue[] = [];
  private readonly pendingExchanges: Exchange[] = [];
  private epoch = 0;

  /**
   * Routes `message` from `source` by its routing key and any CC/BCC keys, following
   * exchange-to-exchange bindings.
   */
  route(source: Exchange, message: Message, routingKey: string): Queue[] {
    this.queues.length = 0;
    this.epoch = ++lastRouteEpoch;
    source.routeMark = this.epoch;
    let next: Exchange | undefined = source;
    const extraKeys = message.ccKeys;
    do {
      next.route(message, routingKey, this);
      if (extraKeys !== undefined) for (const key of extraKeys) next.route(message, key, this);
    } while ((next = this.pendingExchanges.pop()) !== undefined);
    return this.queues;
  }

  add(destination: Destination): void {
    if (destination.routeMark === this.epoch) return;
    destination.routeMark = this.epoch;
    if (destination.kind === 'queue') this.queues.push(destination);
    else this.pendingExchanges.push(destination);
  }

  addAll(destinations: readonly Destination[]): void {
    for (let i = 0; i < destinations.length; i++) this.add(destinations[i]);
  }
}
