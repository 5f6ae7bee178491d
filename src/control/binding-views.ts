import type { Binding } from '../broker/binding.js';
import type { Exchange } from '../broker/exchange.js';
import type { Queue } from '../broker/queues/queue.js';
import type { VirtualHost } from '../broker/vhost.js';
import { tableToJson, type JsonObject } from './json-table.js';
import { propertiesKey } from './properties-key.js';

/** One binding as GET /api/bindings lists it. */
export function bindingView(binding: Binding): JsonObject {
  return {
    source: binding.source.name,
    vhost: binding.source.vhostName,
    destination: binding.destination.name,
    destination_type: binding.destination.kind,
    routing_key: binding.routingKey,
    arguments: tableToJson(binding.arguments),
    properties_key: propertiesKey(binding.routingKey, binding.arguments),
  };
}

/** The binding RabbitMQ lists for every queue: from the default exchange, by the queue's name. */
export function defaultBindingView(queue: Queue): JsonObject {
  return {
    source: '',
    vhost: queue.vhostName,
    destination: queue.name,
    destination_type: 'queue',
    routing_key: queue.name,
    arguments: {},
    properties_key: propertiesKey(queue.name, {}),
  };
}

/** Every binding of a vhost, the default exchange's implicit ones first, then by source. */
export function vhostBindingViews(vhost: VirtualHost): JsonObject[] {
  const views: JsonObject[] = [];
  for (const queue of vhost.queues.values()) views.push(defaultBindingView(queue));
  const explicit: Binding[] = [];
  for (const exchange of vhost.exchanges.values()) for (const binding of exchange.bindings.values()) explicit.push(binding);
  explicit.sort(compareBindings);
  for (const binding of explicit) views.push(bindingView(binding));
  return views;
}

/** A queue's bindings: its implicit default binding, then the explicit ones. */
export function queueBindingViews(queue: Queue): JsonObject[] {
  return [defaultBindingView(queue), ...[...queue.bindings].sort(compareBindings).map(bindingView)];
}

/** Bindings where the exchange is the source (the default exchange: one per queue). */
export function sourceBindingViews(vhost: VirtualHost, exchange: Exchange): JsonObject[] {
  if (exchange.name === '') return [...vhost.queues.values()].map(defaultBindingView);
  return [...exchange.bindings.values()].sort(compareBindings).map(bindingView);
}

export function destinationBindingViews(exchange: Exchange): JsonObject[] {
  return [...exchange.incoming].sort(compareBindings).map(bindingView);
}

function compareBindings(a: Binding, b: Binding): number {
  return (
    compare(a.source.name, b.source.name) ||
    compare(a.routingKey, b.routingKey) ||
    compare(a.destination.name, b.destination.name)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
