import { PASSWORD_HASHING_ALGORITHM } from '../auth/user-store.js';
import type { VirtualHost } from '../broker/vhost.js';
import { VERSION } from '../version.js';
import type { ControlContext } from './context.js';
import { tableToJson, type JsonObject } from './json-table.js';
import { policyView } from './policies.js';
import { RABBITMQ_COMPATIBLE_VERSION } from './overview.js';

/**
 * RabbitMQ 3.10's definitions format, GET /api/definitions: what a broker is configured
 * with (users with their password hashes and limits, vhosts, permissions, policies,
 * queues, exchanges, bindings; vhost limits as 'vhost-limits' parameters), never messages.
 * Operator policies are added (RabbitMQ's export leaves them out; its import ignores them). Exclusive queues, the default exchange, amq.* exchanges
 * and the default exchange's implicit bindings are left out, as RabbitMQ does.
 */
export function exportDefinitions(ctx: ControlContext): JsonObject {
  const vhosts = sorted([...ctx.core.vhosts.values()], (v) => v.name);
  return {
    rabbit_version: RABBITMQ_COMPATIBLE_VERSION,
    rabbitmq_version: RABBITMQ_COMPATIBLE_VERSION,
    product_name: 'Warren',
    product_version: VERSION,
    users: sorted(ctx.access.users.list(), (u) => u.name).map((user) => ({
      name: user.name,
      password_hash: user.passwordHash,
      hashing_algorithm: PASSWORD_HASHING_ALGORITHM,
      tags: user.tags,
      limits: { ...user.limits },
    })),
    vhosts: vhosts.map(vhostDefinition),
    permissions: sorted(ctx.access.listPermissions(), (p) => `${p.vhost}\u0000${p.user}`).map((p) => ({
      user: p.user,
      vhost: p.vhost,
      configure: p.set.configure,
      write: p.set.write,
      read: p.set.read,
    })),
    topic_permissions: [],
    parameters: vhosts.flatMap(parameterDefinitions),
    global_parameters: [],
    policies: vhosts.flatMap((vhost) => vhost.policies.list().map(policyView)),
    // Not in RabbitMQ's export (it keeps operator policies out, and ignores this key on import).
    operator_policies: vhosts.flatMap((vhost) => vhost.operatorPolicies.list().map(policyView)),
    queues: vhosts.flatMap((vhost) => queueDefinitions(vhost, true)),
    exchanges: vhosts.flatMap((vhost) => exchangeDefinitions(vhost, true)),
    bindings: vhosts.flatMap((vhost) => bindingDefinitions(vhost, true)),
  };
}

/** GET /api/definitions/{vhost}: one vhost's topology, without vhost fields (RabbitMQ's per-vhost format). */
export function exportVhostDefinitions(vhost: VirtualHost): JsonObject {
  return {
    rabbit_version: RABBITMQ_COMPATIBLE_VERSION,
    parameters: parameterDefinitions(vhost),
    policies: vhost.policies.list().map(policyView),
    queues: queueDefinitions(vhost, false),
    exchanges: exchangeDefinitions(vhost, false),
    bindings: bindingDefinitions(vhost, false),
  };
}

function vhostDefinition(vhost: VirtualHost): JsonObject {
  const definition: JsonObject = { name: vhost.name };
  const type = vhost.defaultQueueType;
  if (vhost.description !== '' || vhost.tags.length > 0 || type !== undefined) {
    definition.description = vhost.description;
    definition.tags = vhost.tags;
    definition.metadata =
      type !== undefined ? { description: vhost.description, tags: vhost.tags, default_queue_type: type } : { description: vhost.description, tags: vhost.tags };
    if (type !== undefined) definition.default_queue_type = type;
  }
  return definition;
}

/** Runtime parameters as RabbitMQ exports them: a vhost's limits are its 'vhost-limits' parameter. */
function parameterDefinitions(vhost: VirtualHost): JsonObject[] {
  if (Object.keys(vhost.limits).length === 0) return [];
  return [{ value: { ...vhost.limits }, vhost: vhost.name, component: 'vhost-limits', name: 'limits' }];
}

function queueDefinitions(vhost: VirtualHost, withVhost: boolean): JsonObject[] {
  return sorted([...vhost.queues.values()].filter((q) => q.exclusiveOwner === null), (q) => q.name).map((queue) => ({
    name: queue.name,
    ...(withVhost ? { vhost: vhost.name } : {}),
    durable: queue.durable,
    auto_delete: queue.autoDelete,
    arguments: tableToJson(queue.arguments),
  }));
}

function exchangeDefinitions(vhost: VirtualHost, withVhost: boolean): JsonObject[] {
  const userDefined = [...vhost.exchanges.values()].filter((e) => e.name !== '' && !e.name.startsWith('amq.'));
  return sorted(userDefined, (e) => e.name).map((exchange) => ({
    name: exchange.name,
    ...(withVhost ? { vhost: vhost.name } : {}),
    type: exchange.type,
    durable: exchange.durable,
    auto_delete: exchange.autoDelete,
    internal: exchange.internal,
    arguments: tableToJson(exchange.arguments),
  }));
}

function bindingDefinitions(vhost: VirtualHost, withVhost: boolean): JsonObject[] {
  const definitions: JsonObject[] = [];
  for (const exchange of vhost.exchanges.values()) {
    for (const binding of exchange.bindings.values()) {
      if (binding.destination.kind === 'queue' && binding.destination.exclusiveOwner !== null) continue;
      definitions.push({
        source: exchange.name,
        ...(withVhost ? { vhost: vhost.name } : {}),
        destination: binding.destination.name,
        destination_type: binding.destination.kind,
        routing_key: binding.routingKey,
        arguments: tableToJson(binding.arguments),
      });
    }
  }
  return sorted(definitions, (b) => `${b.source}\u0000${b.destination_type}\u0000${b.destination}\u0000${b.routing_key}`);
}

function sorted<T>(items: T[], key: (item: T) => string): T[] {
  return items.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}
