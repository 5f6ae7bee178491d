import type { Binding } from '../binding.js';
import { Exchange } from '../exchange.js';
import type { Message } from '../message.js';
import type { Routes } from '../routes.js';
import { DestinationIndex } from './destination-index.js';

/** Routes to the bindings whose key equals the routing key. */
export class DirectExchange extends Exchange {
  readonly type = 'direct';
  private readonly index = new DestinationIndex();

  route(_message: Message, routingKey: string, routes: Routes): void {
    const destinations = this.index.get(routingKey);
    if (destinations) routes.addAll(destinations);
  }

  protected indexBinding(binding: Binding): void {
    this.index.add(binding.routingKey, binding.destination);
  }

  protected unindexBinding(binding: Binding): void {
    this.index.remove(binding.routingKey, binding.destination);
  }
}
