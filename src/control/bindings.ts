import type { QueueOwner } from '../broker/queues/queue.js';
import type { Binding } from '../broker/binding.js';
import type { VirtualHost } from '../broker/vhost.js';
import { bindingView, queueBindingViews, vhostBindingViews } from './binding-views.js';
import type { ControlContext } from './context.js';
import { objectNotFound } from './errors.js';
import { DEFAULT_EXCHANGE_PATH_NAME, requireVhost, sortedVhosts } from './exchanges.js';
import { jsonToTable, type JsonObject } from './json-table.js';
import { checkAccess, type Actor } from './permissions.js';
import { propertiesKey, propertiesKeyMatches } from './properties-key.js';
import { ALL_VHOSTS, type VhostFilter } from './vhosts.js';

export type DestinationType = 'queue' | 'exchange';

/** One end-to-end pair of a binding route: /api/bindings/{vhost}/e/{source}/{q|e}/{destination}. */
export interface BindingPath {
  vhost: string;
  source: string;
  destinationType: DestinationType;
  destination: string;
}

/** POST /api/bindings/...: RabbitMQ's body. */
export interface BindingRequest {
  routing_key?: string;
  arguments?: Record<string, unknown>;
}

/** Bindings: read models and bind / unbind. */
export class BindingsControl {
  constructor(
    private readonly ctx: ControlContext,
    private readonly owner: QueueOwner,
  ) {}

  list(filter: VhostFilter = ALL_VHOSTS): JsonObject[] {
    return sortedVhosts(this.ctx, filter).flatMap(vhostBindingViews);
  }

  listIn(vhostName: string): JsonObject[] {
    return vhostBindingViews(requireVhost(this.ctx, vhostName));
  }

  /** Bindings from `source` to `destination` (404 if either end is missing). */
  between(path: BindingPath): JsonObject[] {
    const vhost = requireVhost(this.ctx, path.vhost);
    const source = sourceName(path.source);
    if (!vhost.exchanges.has(source)) throw objectNotFound();
    if (path.destinationType === 'queue') {
      const queue = vhost.queues.get(path.destination);
      if (!queue) throw objectNotFound();
      return queueBindingViews(queue).filter((view) => view.source === source);
    }
    if (!vhost.exchanges.has(path.destination)) throw objectNotFound();
    return this.explicit(vhost, path).map(bindingView);
  }

  get(path: BindingPath, props: string): JsonObject {
    const found = this.between(path).find((view) => propertiesKeyMatches(props, view.properties_key as string));
    if (!found) throw objectNotFound();
    return found;
  }

  /** Binds and returns the new binding's properties_key (for the Location header). */
  bind(path: BindingPath, request: BindingRequest, actor?: Actor): string {
    const vhost = requireVhost(this.ctx, path.vhost);
    const source = sourceName(path.source);
    const routingKey = request.routing_key ?? '';
    const args = jsonToTable(request.arguments);
    this.checkBindAccess(path, source, actor);
    if (path.destinationType === 'queue') vhost.bindQueue(path.destination, source, routingKey, args, this.owner);
    else vhost.bindExchange(path.destination, source, routingKey, args);
    return propertiesKey(routingKey, args);
  }

  unbind(path: BindingPath, props: string, actor?: Actor): void {
    const vhost = requireVhost(this.ctx, path.vhost);
    const source = sourceName(path.source);
    const binding = this.explicit(vhost, path).find((b) => propertiesKeyMatches(props, propertiesKey(b.routingKey, b.arguments)));
    if (!binding) throw objectNotFound();
    this.checkBindAccess(path, source, actor);
    if (path.destinationType === 'queue') {
      vhost.unbindQueue(path.destination, source, binding.routingKey, binding.arguments, this.owner);
    } else {
      vhost.unbindExchange(path.destination, source, binding.routingKey, binding.arguments);
    }
  }

  private explicit(vhost: VirtualHost, path: BindingPath): Binding[] {
    const source = vhost.exchanges.get(sourceName(path.source));
    if (!source) return [];
    return [...source.bindings.values()].filter(
      (b) => b.destination.kind === path.destinationType && b.destination.name === path.destination,
    );
  }

  /** RabbitMQ's rule: write on the destination, read on the source. */
  private checkBindAccess(path: BindingPath, source: string, actor: Actor): void {
    checkAccess(this.ctx, actor, path.vhost, 'write', path.destinationType, path.destination);
    checkAccess(this.ctx, actor, path.vhost, 'read', 'exchange', source);
  }
}

function sourceName(pathName: string): string {
  return pathName === DEFAULT_EXCHANGE_PATH_NAME ? '' : pathName;
}
