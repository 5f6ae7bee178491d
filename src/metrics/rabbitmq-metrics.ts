import { totalmem } from 'node:os';
import type { Queue } from '../broker/queues/queue.js';
import type { ControlContext } from '../control/context.js';
import { RABBITMQ_COMPATIBLE_VERSION } from '../control/overview.js';
import { VERSION } from '../version.js';
import { Exposition } from './exposition.js';

/** The label RabbitMQ puts on global counters of the AMQP 0-9-1 protocol. */
const AMQP091 = { protocol: 'amqp091' };

/** Per-queue gauges and counters: RabbitMQ's names and help texts. */
const QUEUE_METRICS: ReadonlyArray<readonly [string, 'gauge' | 'counter', string, (queue: Queue) => number]> = [
  ['rabbitmq_queue_messages_ready', 'gauge', 'Messages ready to be delivered to consumers', (q) => q.messageCount],
  ['rabbitmq_queue_messages_unacked', 'gauge', 'Messages delivered to consumers but not yet acknowledged', (q) => q.unackedMessageCount],
  ['rabbitmq_queue_messages', 'gauge', 'Sum of ready and unacknowledged messages - total queue depth', (q) => q.messageCount + q.unackedMessageCount],
  ['rabbitmq_queue_messages_ready_bytes', 'gauge', 'Size in bytes of ready messages', (q) => q.messageBytes],
  ['rabbitmq_queue_messages_unacked_bytes', 'gauge', 'Size in bytes of all unacknowledged messages', (q) => q.unackedBytes],
  ['rabbitmq_queue_messages_bytes', 'gauge', 'Size in bytes of ready and unacknowledged messages', (q) => q.messageBytes + q.unackedBytes],
  ['rabbitmq_queue_consumers', 'gauge', 'Consumers on a queue', (q) => q.consumerCount],
  ['rabbitmq_queue_messages_published_total', 'counter', 'Total number of messages published to queues', (q) => q.stats.publish],
];

/**
 * The metrics RabbitMQ 3.10's Prometheus plugin exposes that Warren has values for,
 * under the same names. `perObject` gives each queue its own sample with `vhost` and
 * `queue` labels (RabbitMQ's /metrics/per-object); otherwise queue metrics are summed
 * into one unlabelled sample (its default /metrics).
 */
export function renderMetrics(ctx: ControlContext, perObject: boolean): string {
  const out = new Exposition();
  const queues: Queue[] = [];
  for (const vhost of ctx.core.vhosts.values()) for (const queue of vhost.queues.values()) queues.push(queue);
  let connections = 0;
  let channels = 0;
  let consumers = 0;
  for (const connection of ctx.connections()) {
    connections++;
    for (const channel of connection.listChannels()) {
      channels++;
      consumers += channel.consumerCount;
    }
  }

  out.metric('rabbitmq_connections', 'gauge', 'Connections currently open', connections);
  out.metric('rabbitmq_channels', 'gauge', 'Channels currently open', channels);
  out.metric('rabbitmq_consumers', 'gauge', 'Consumers currently connected', consumers);
  out.metric('rabbitmq_queues', 'gauge', 'Queues available', queues.length);

  for (const [name, type, help, read] of QUEUE_METRICS) {
    out.family(name, type, help);
    if (perObject) {
      for (const queue of queues) out.sample(name, read(queue), { vhost: queue.vhostName, queue: queue.name });
    } else {
      let total = 0;
      for (const queue of queues) total += read(queue);
      out.sample(name, total);
    }
  }

  const s = ctx.stats;
  const global: ReadonlyArray<readonly [string, string, number]> = [
    ['received', 'Total number of messages received from publishers', s.received],
    ['routed', 'Total number of messages routed to queues or streams', s.routed],
    ['unroutable_dropped', 'Total number of messages published as non-mandatory into an exchange and dropped as unroutable', s.unroutableDropped],
    ['unroutable_returned', 'Total number of messages published as mandatory into an exchange and returned to the publisher as unroutable', s.unroutableReturned],
    ['confirmed', 'Total number of messages confirmed to publishers', s.confirmed],
    ['delivered', 'Total number of messages delivered to consumers', s.delivered + s.get],
    ['redelivered', 'Total number of messages redelivered to consumers', s.redelivered],
    ['acknowledged', 'Total number of messages acknowledged by consumers', s.acknowledged],
  ];
  for (const [what, help, value] of global) {
    out.metric(`rabbitmq_global_messages_${what}_total`, 'counter', help, value, AMQP091);
  }
  out.metric('rabbitmq_global_consumers', 'gauge', 'Current number of consumers', consumers, AMQP091);

  out.metric('rabbitmq_process_resident_memory_bytes', 'gauge', 'Memory used in bytes', process.memoryUsage.rss());
  out.metric('rabbitmq_resident_memory_limit_bytes', 'gauge', 'Memory high watermark in bytes', Math.floor(totalmem() * 0.4));
  out.metric('rabbitmq_alarms_file_descriptor_limit', 'gauge', 'is 1 if file descriptor limit alarm is in effect', 0);
  out.metric('rabbitmq_alarms_free_disk_space_watermark', 'gauge', 'is 1 if free disk space watermark alarm is in effect', ctx.alarms().includes('disk') ? 1 : 0);
  out.metric('rabbitmq_alarms_memory_used_watermark', 'gauge', 'is 1 if VM memory watermark alarm is in effect', ctx.alarms().includes('memory') ? 1 : 0);
  out.metric('rabbitmq_erlang_uptime_seconds', 'gauge', 'Node uptime', (Date.now() - ctx.startedAt) / 1000);
  out.metric('rabbitmq_identity_info', 'untyped', 'RabbitMQ node & cluster identity info', 1, {
    rabbitmq_node: ctx.node,
    rabbitmq_cluster: ctx.node,
    rabbitmq_cluster_permanent_id: `warren-cluster-id-${ctx.node}`,
  });
  out.metric('rabbitmq_build_info', 'untyped', 'RabbitMQ & Erlang/OTP version info', 1, {
    rabbitmq_version: RABBITMQ_COMPATIBLE_VERSION,
    prometheus_plugin_version: RABBITMQ_COMPATIBLE_VERSION,
    prometheus_client_version: '4.8.1',
    erlang_version: process.versions.node,
    warren_version: VERSION,
  });
  return out.toString();
}
