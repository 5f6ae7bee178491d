import type { Binding } from '../binding.js';
import { Exchange } from '../exchange.js';
import type { Message } from '../message.js';
import type { Queue } from '../queues/queue.js';
import type { Routes } from '../routes.js';

/**
 * The nameless direct exchange every queue is implicitly bound to by its own name.
 * It has no bindings of its own: the vhost refuses to bind to it.
 */
export class DefaultExchange extends Exchange {
  readonly type = 'direct';

  constructor(
    vhostName: string,
    private readonly queues: ReadonlyMap<string, Queue>,
  ) {
    super(vhostName, '', { durable: true, autoDelete: false, internal: false, arguments: {} });
  }

  route(_message: Message, routingKey: string, routes: Routes): void {
    const queue = this.queues.get(routingKey);
    if (queue) routes.add(queue);
  }

  protected indexBinding(_binding: Binding): void {
    throw new Error('the default exchange has no explicit bindings');
  }

  protected unindexBinding(_binding: Binding): void {}
}
