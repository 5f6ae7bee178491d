import type { Queue } from '../broker/queues/queue.js';
import { consumerView } from './connection-views.js';
import { isoTime, type ControlContext } from './context.js';
import { messageStats, QUEUE_GAUGES, QUEUE_MESSAGE_STATS, queueVector, withDetails } from './counters.js';
import { tableToJson, type JsonObject } from './json-table.js';

/**
 * One queue as GET /api/queues lists it, with the fields RabbitMQ 3.10 shows for its
 * type: classic queues have backing_queue_status (with priority_lengths for a priority
 * queue) and the *_ram counts; quorum queues have leader, members and the dead-letter
 * counts instead. Byte counts are body bytes, as RabbitMQ's.
 */
export function queueView(ctx: ControlContext, queue: Queue): JsonObject {
  const vector = queueVector(queue);
  const statsCount = QUEUE_MESSAGE_STATS.names.length;
  const readyBytes = queue.messageBytes;
  const unackedBytes = queue.unackedBytes;
  const consumers = queue.consumerCount;
  const view: JsonObject = {
    arguments: tableToJson(queue.arguments),
    auto_delete: queue.autoDelete,
    consumer_capacity: consumers > 0 ? 1 : 0,
    consumer_utilisation: consumers > 0 ? 1 : null,
    consumers,
    // RabbitMQ makes exclusive queues non-durable whatever the declaration said.
    durable: queue.durable && queue.exclusiveOwner === null,
    effective_policy_definition: { ...queue.effectivePolicy } as JsonObject,
    exclusive: queue.exclusiveOwner !== null,
    memory: 0,
    message_bytes: readyBytes + unackedBytes,
    message_bytes_persistent: 0,
    message_bytes_ready: readyBytes,
    message_bytes_unacknowledged: unackedBytes,
    name: queue.name,
    node: ctx.node,
    operator_policy: queue.operatorPolicyName ?? null,
    policy: queue.policyName ?? null,
    reductions: 0,
    reductions_details: { rate: 0 },
    state: 'running',
    type: queue.type,
    vhost: queue.vhostName,
  };
  if (queue.type === 'quorum') Object.assign(view, quorumFields(ctx, queue));
  else Object.assign(view, classicFields(queue));
  withDetails(view, QUEUE_GAUGES, vector.slice(statsCount), ctx.sampler, queue, statsCount);
  const stats = messageStats(QUEUE_MESSAGE_STATS.names, vector, ctx.sampler, queue);
  if (stats) view.message_stats = stats;
  const owner = queue.exclusiveOwner;
  if (owner !== null) view.owner_pid_details = { name: owner.name, peer_port: owner.peerPort, peer_host: owner.peerHost };
  return view;
}

function classicFields(queue: Queue): JsonObject {
  const ready = queue.messageCount;
  const unacked = queue.unackedMessageCount;
  const backing: JsonObject = { mode: queue.arguments['x-queue-mode'] === 'lazy' ? 'lazy' : 'default', len: ready, version: 1 };
  const levels = queue.priorityLengths;
  if (levels !== undefined) backing.priority_lengths = Object.fromEntries(levels.map((count, level) => [String(level), count]));
  return {
    backing_queue_status: backing,
    exclusive_consumer_tag: exclusiveConsumerTag(queue),
    head_message_timestamp: null,
    idle_since: isoTime(queue.idleSince),
    message_bytes_paged_out: 0,
    message_bytes_ram: queue.messageBytes + queue.unackedBytes,
    messages_paged_out: 0,
    messages_persistent: 0,
    messages_ram: ready + unacked,
    messages_ready_ram: ready,
    messages_unacknowledged_ram: unacked,
    recoverable_slaves: null,
    single_active_consumer_tag: queue.singleActiveConsumer?.tag ?? null,
  };
}

/** A quorum queue on one node: this node leads it and is its only member. */
function quorumFields(ctx: ControlContext, queue: Queue): JsonObject {
  return {
    leader: ctx.node,
    members: [ctx.node],
    online: [ctx.node],
    open_files: { [ctx.node]: 0 },
    message_bytes_dlx: queue.deadLetterHeldBytes,
    message_bytes_persistent: queue.messageBytes + queue.unackedBytes,
    message_bytes_ram: 0,
    messages_dlx: queue.deadLetterHeldCount,
    messages_persistent: queue.messageCount + queue.unackedMessageCount,
    messages_ram: 0,
    // RabbitMQ's quorum queues name this field ..._ctag, classic ones ..._tag.
    single_active_consumer_ctag: queue.singleActiveConsumer?.tag ?? null,
  };
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
