import type { Queue } from '../broker/queues/queue.js';
import { consumerView } from './connection-views.js';
import { isoTime, type ControlContext } from './context.js';
import { messageStats, QUEUE_GAUGES, QUEUE_MESSAGE_STATS, queueVector, withDetails } from './counters.js';
import { tableToJson, type JsonObject } from './json-table.js';

/** One queue as GET /api/queues lists it (RabbitMQ 3.10's fields a classic queue has). */
export function queueView(ctx: ControlContext, queue: Queue): JsonObject {
  const vector = queueVector(queue);
  const statsCount = QUEUE_MESSAGE_STATS.names.length;
  const ready = queue.messageCount;
  const unacked = queue.unackedMessageCount;
  const consumers = queue.consumerCount;
  const view: JsonObject = {
    arguments: tableToJson(queue.arguments),
    auto_delete: queue.autoDelete,
    backing_queue_status: { mode: queue.arguments['x-queue-mode'] === 'lazy' ? 'lazy' : 'default', len: ready, version: 1 },
    consumer_capacity: consumers > 0 ? 1 : 0,
    consumer_utilisation: consumers > 0 ? 1 : null,
    consumers,
    // RabbitMQ makes exclusive queues non-durable whatever the declaration said.
    durable: queue.durable && queue.exclusiveOwner === null,
    effective_policy_definition: {},
    exclusive: queue.exclusiveOwner !== null,
    exclusive_consumer_tag: exclusiveConsumerTag(queue),
    head_message_timestamp: null,
    idle_since: isoTime(queue.idleSince),
    memory: 0,
    messages_paged_out: 0,
    messages_persistent: 0,
    messages_ram: ready + unacked,
    messages_ready_ram: ready,
    messages_unacknowledged_ram: unacked,
    name: queue.name,
    node: ctx.node,
    operator_policy: null,
    policy: null,
    recoverable_slaves: null,
    reductions: 0,
    reductions_details: { rate: 0 },
    single_active_consumer_tag: null,
    state: 'running',
    type: 'classic',
    vhost: queue.vhostName,
  };
  withDetails(view, QUEUE_GAUGES, vector.slice(statsCount), ctx.sampler, queue, statsCount);
  const stats = messageStats(QUEUE_MESSAGE_STATS.names, vector, ctx.sampler, queue);
  if (stats) view.message_stats = stats;
  const owner = queue.exclusiveOwner;
  if (owner !== null) view.owner_pid_details = { name: owner.name, peer_port: owner.peerPort, peer_host: owner.peerHost };
  return view;
}

/** GET /api/queues/{vhost}/{name}: the listing's fields plus consumers. */
export function queueDetailView(ctx: ControlContext, queue: Queue): JsonObject {
  const view = queueView(ctx, queue);
  view.consumer_details = queue.listConsumers().map((consumer) => consumerView(ctx, consumer));
  view.deliveries = [];
  view.incoming = [];
  return view;
}

function exclusiveConsumerTag(queue: Queue): string | null {
  for (const consumer of queue.listConsumers()) if (consumer.exclusive) return consumer.tag;
  return null;
}
