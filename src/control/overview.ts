import { readdirSync, statfsSync } from 'node:fs';
import { availableParallelism, hostname, totalmem } from 'node:os';
import { VERSION } from '../version.js';
import type { ControlContext } from './context.js';
import { GLOBAL_MESSAGE_STATS, withDetails } from './counters.js';
import type { JsonObject } from './json-table.js';
import { ALL_VHOSTS, type VhostFilter } from './vhosts.js';

/** The RabbitMQ release whose management API Warren answers as (clients check it for features). */
export const RABBITMQ_COMPATIBLE_VERSION = '3.10.8';

const EXCHANGE_TYPES = [
  ['direct', 'AMQP direct exchange, as per the AMQP specification'],
  ['fanout', 'AMQP fanout exchange, as per the AMQP specification'],
  ['headers', 'AMQP headers exchange, as per the AMQP specification'],
  ['topic', 'AMQP topic exchange, as per the AMQP specification'],
] as const;

const QUEUE_TOTALS = ['messages', 'messages_ready', 'messages_unacknowledged'] as const;

/** Counters the rate sampler records for the node: global message stats, then queue totals. */
export function overviewVector(ctx: ControlContext): number[] {
  let ready = 0;
  let unacked = 0;
  for (const vhost of ctx.core.vhosts.values()) {
    for (const queue of vhost.queues.values()) {
      ready += queue.messageCount;
      unacked += queue.unackedMessageCount;
    }
  }
  return [...GLOBAL_MESSAGE_STATS.read(ctx.stats), ready + unacked, ready, unacked];
}

/** GET /api/overview. Object totals count what the caller may see. */
export function overview(ctx: ControlContext, filter: VhostFilter = ALL_VHOSTS, userFilter?: string): JsonObject {
  const vector = overviewVector(ctx);
  const statsCount = GLOBAL_MESSAGE_STATS.names.length;
  const totals = objectTotals(ctx, filter, userFilter);
  return {
    management_version: RABBITMQ_COMPATIBLE_VERSION,
    rates_mode: 'basic',
    sample_retention_policies: { global: [600, 3600, 28800, 86400], basic: [600, 3600], detailed: [600] },
    exchange_types: EXCHANGE_TYPES.map(([name, description]) => ({ name, description, enabled: true })),
    product_version: VERSION,
    product_name: 'Warren',
    rabbitmq_version: RABBITMQ_COMPATIBLE_VERSION,
    cluster_name: ctx.node,
    erlang_version: process.versions.node,
    erlang_full_version: `Node.js ${process.version} (${process.platform} ${process.arch})`,
    release_series_support_status: 'supported',
    disable_stats: false,
    enable_queue_totals: false,
    message_stats: withDetails({}, GLOBAL_MESSAGE_STATS.names, vector, ctx.sampler, ctx.stats),
    churn_rates: {},
    queue_totals: withDetails({}, QUEUE_TOTALS, vector.slice(statsCount), ctx.sampler, ctx.stats, statsCount),
    object_totals: totals,
    statistics_db_event_queue: 0,
    node: ctx.node,
    listeners: ctx.listeners.map((listener) => ({ node: ctx.node, ...listener, socket_opts: {} })),
    contexts: ctx.listeners
      .filter((listener) => listener.protocol === 'http')
      .map((listener) => ({ ssl_opts: [], node: ctx.node, description: 'RabbitMQ Management', path: '/', ip: listener.ip_address, port: String(listener.port) })),
  };
}

function objectTotals(ctx: ControlContext, filter: VhostFilter, user: string | undefined): JsonObject {
  let exchanges = 0;
  let queues = 0;
  for (const vhost of ctx.core.vhosts.values()) {
    if (!filter(vhost.name)) continue;
    exchanges += vhost.exchanges.size;
    queues += vhost.queues.size;
  }
  let connections = 0;
  let channels = 0;
  let consumers = 0;
  for (const connection of ctx.connections()) {
    if (!filter(connection.vhostName)) continue;
    if (user !== undefined && connection.userName !== user) continue;
    connections++;
    for (const channel of connection.listChannels()) {
      channels++;
      consumers += channel.consumerCount;
    }
  }
  return { channels, connections, consumers, exchanges, queues };
}

/** RabbitMQ's node name form for this machine. */
export function nodeName(): string {
  return `warren@${hostname()}`;
}

/** GET /api/nodes: this one node, with the fields dashboards read most. */
export function nodeView(ctx: ControlContext): JsonObject {
  const memory = process.memoryUsage();
  const alarms = ctx.alarms();
  return {
    name: ctx.node,
    type: 'disc',
    running: true,
    being_drained: false,
    os_pid: String(process.pid),
    uptime: Date.now() - ctx.startedAt,
    processors: availableParallelism(),
    mem_used: memory.rss,
    mem_limit: Math.floor(totalmem() * 0.4),
    mem_alarm: alarms.includes('memory'),
    disk_free: diskFree(ctx.dataDir),
    disk_free_limit: ctx.diskFreeLimit,
    disk_free_alarm: alarms.includes('disk'),
    fd_used: openFileDescriptors(),
    sockets_used: [...ctx.connections()].length,
    run_queue: 0,
    partitions: [],
    rates_mode: 'basic',
    exchange_types: EXCHANGE_TYPES.map(([name, description]) => ({ name, description, enabled: true })),
    auth_mechanisms: [
      { name: 'PLAIN', description: 'SASL PLAIN authentication mechanism', enabled: true },
      { name: 'AMQPLAIN', description: 'QPid AMQPLAIN mechanism', enabled: true },
    ],
    applications: [{ name: 'warren', description: 'Warren', version: VERSION }],
    contexts: [],
    log_files: [],
    cluster_links: [],
    metrics_gc_queue_length: {},
  };
}

/** Free bytes where the data folder is, as the disk alarm sees them (0 if it cannot be read). */
function diskFree(dir: string): number {
  try {
    const stats = statfsSync(dir);
    return stats.bavail * stats.bsize;
  } catch {
    return 0;
  }
}

/** Open file descriptors of this process (Linux's /proc; undefined elsewhere). */
function openFileDescriptors(): number | null {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}
