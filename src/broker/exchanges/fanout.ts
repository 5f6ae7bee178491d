import type { Binding, Destination } from '../binding.js';
import { Exchange } from '../exchange.js';
import type { Message } from '../message.js';
import type { Routes } from '../routes.js';

/** Routes to every binding; the routing key is ignored. */
export class FanoutExchange extends Exchange {
  readonly type = 'fanout';
  private readonly destinations: Destination[] = [];

  route(_message: Message, _routingKey: string, routes: Routes): void {
    routes.addAll(this.destinations);
  }

  protected indexBinding(binding: Binding): void {
    this.destinations.push(binding.destination);
  }

  protected unindexBinding(binding: Binding): void {
    const at = this.destinations.indexOf(binding.destination);
    if (at >= 0) this.destinations.splice(at, 1);
  }
}
