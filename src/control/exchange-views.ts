import type { Exchange } from '../broker/exchange.js';
import type { ControlContext } from './context.js';
import { EXCHANGE_MESSAGE_STATS, messageStats } from './counters.js';
import { tableToJson, type JsonObject } from './json-table.js';

/** One exchange as GET /api/exchanges lists it (the default exchange is named ""). */
export function exchangeView(ctx: ControlContext, exchange: Exchange, actingUser: string): JsonObject {
  const view: JsonObject = {
    arguments: tableToJson(exchange.arguments),
    auto_delete: exchange.autoDelete,
    durable: exchange.durable,
    internal: exchange.internal,
    name: exchange.name,
    type: exchange.type,
    user_who_performed_action: actingUser,
    vhost: exchange.vhostName,
  };
  // RabbitMQ leaves the key out when no policy applies (an operator policy is never shown here).
  if (exchange.policies.policy !== undefined) view.policy = exchange.policies.policy;
  const stats = messageStats(EXCHANGE_MESSAGE_STATS.names, EXCHANGE_MESSAGE_STATS.read(exchange), ctx.sampler, exchange);
  if (stats) view.message_stats = stats;
  return view;
}

/** GET /api/exchanges/{vhost}/{name}: with the (always empty, as without detailed stats) incoming and outgoing. */
export function exchangeDetailView(ctx: ControlContext, exchange: Exchange, actingUser: string): JsonObject {
  return { ...exchangeView(ctx, exchange, actingUser), incoming: [], outgoing: [] };
}
