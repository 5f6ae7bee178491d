import type { Exchange } from '../broker/exchange.js';
import type { VirtualHost } from '../broker/vhost.js';
import { destinationBindingViews, sourceBindingViews } from './binding-views.js';
import type { ControlContext } from './context.js';
import { objectNotFound } from './errors.js';
import { exchangeDetailView, exchangeView } from './exchange-views.js';
import { jsonToTable, type JsonObject } from './json-table.js';
import { checkAccess, type Actor } from './permissions.js';
import { ALL_VHOSTS, type VhostFilter } from './vhosts.js';

/** PUT /api/exchanges/{vhost}/{name}. RabbitMQ's defaults: direct, not durable. */
export interface ExchangeDeclaration {
  type?: string;
  durable?: boolean;
  auto_delete?: boolean;
  internal?: boolean;
  arguments?: Record<string, unknown>;
}

/** The name RabbitMQ's API uses for the default exchange in paths. */
export const DEFAULT_EXCHANGE_PATH_NAME = 'amq.default';

/** Exchanges: read models and declare / delete. */
export class ExchangesControl {
  constructor(private readonly ctx: ControlContext) {}

  list(filter: VhostFilter = ALL_VHOSTS, actor = ''): JsonObject[] {
    const views: JsonObject[] = [];
    for (const vhost of sortedVhosts(this.ctx, filter)) views.push(...this.viewsIn(vhost, actor));
    return views;
  }

  listIn(vhostName: string, actor = ''): JsonObject[] {
    return this.viewsIn(requireVhost(this.ctx, vhostName), actor);
  }

  get(vhostName: string, name: string, actor = ''): JsonObject {
    return exchangeDetailView(this.ctx, this.require(vhostName, name), actor);
  }

  require(vhostName: string, name: string): Exchange {
    const exchange = requireVhost(this.ctx, vhostName).exchanges.get(name === DEFAULT_EXCHANGE_PATH_NAME ? '' : name);
    if (!exchange) throw objectNotFound();
    return exchange;
  }

  /** Declares the exchange; true if it was created, false if an equivalent one existed. */
  declare(vhostName: string, name: string, request: ExchangeDeclaration, actor?: Actor): boolean {
    const vhost = requireVhost(this.ctx, vhostName);
    checkAccess(this.ctx, actor, vhostName, 'configure', 'exchange', name);
    const existed = vhost.exchanges.has(name);
    vhost.declareExchange({
      name,
      type: request.type ?? 'direct',
      passive: false,
      durable: request.durable ?? false,
      autoDelete: request.auto_delete ?? false,
      internal: request.internal ?? false,
      arguments: jsonToTable(request.arguments),
    });
    return !existed;
  }

  delete(vhostName: string, name: string, ifUnused: boolean, actor?: Actor): void {
    const exchange = this.require(vhostName, name);
    checkAccess(this.ctx, actor, vhostName, 'configure', 'exchange', exchange.name);
    requireVhost(this.ctx, vhostName).deleteExchange(exchange.name, ifUnused);
  }

  sourceBindings(vhostName: string, name: string): JsonObject[] {
    const exchange = this.require(vhostName, name);
    return sourceBindingViews(requireVhost(this.ctx, vhostName), exchange);
  }

  destinationBindings(vhostName: string, name: string): JsonObject[] {
    return destinationBindingViews(this.require(vhostName, name));
  }

  private viewsIn(vhost: VirtualHost, actor: string): JsonObject[] {
    return [...vhost.exchanges.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((exchange) => exchangeView(this.ctx, exchange, actor));
  }
}

export function requireVhost(ctx: ControlContext, name: string): VirtualHost {
  const vhost = ctx.core.vhost(name);
  if (!vhost) throw objectNotFound();
  return vhost;
}

export function sortedVhosts(ctx: ControlContext, filter: VhostFilter): VirtualHost[] {
  return [...ctx.core.vhosts.values()].filter((v) => filter(v.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
}
