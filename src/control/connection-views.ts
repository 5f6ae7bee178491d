import type { ClientChannel, ClientConnection } from '../broker/clients.js';
import type { Consumer } from '../broker/queues/queue.js';
import type { ControlContext } from './context.js';
import { CHANNEL_MESSAGE_STATS, CONNECTION_TRAFFIC, messageStats, withDetails } from './counters.js';
import { tableToJson, type JsonObject } from './json-table.js';

/** One connection as GET /api/connections lists it. */
export function connectionView(ctx: ControlContext, connection: ClientConnection): JsonObject {
  const view: JsonObject = {
    auth_mechanism: connection.authMechanism,
    channel_max: connection.channelMax,
    channels: connection.channelCount,
    client_properties: tableToJson(connection.clientProperties),
    connected_at: connection.connectedAt,
    frame_max: connection.frameMax,
    garbage_collection: {},
    host: connection.localHost,
    name: connection.name,
    node: ctx.node,
    peer_cert_issuer: '',
    peer_cert_subject: '',
    peer_cert_validity: '',
    peer_host: connection.peerHost,
    peer_port: connection.peerPort,
    port: connection.localPort,
    protocol: connection.protocol,
    recv_cnt: connection.reads,
    reductions: 0,
    reductions_details: { rate: 0 },
    send_cnt: connection.writes,
    send_pend: connection.sendPending,
    ssl: false,
    ssl_cipher: '',
    ssl_hash: '',
    ssl_key_exchange: '',
    ssl_protocol: '',
    state: connection.state,
    timeout: connection.heartbeat,
    type: 'network',
    user: connection.userName,
    user_who_performed_action: connection.userName,
    vhost: connection.vhostName,
  };
  withDetails(view, CONNECTION_TRAFFIC.names, CONNECTION_TRAFFIC.read(connection), ctx.sampler, connection);
  const providedName = connection.clientProperties.connection_name;
  if (typeof providedName === 'string') view.user_provided_name = providedName;
  return view;
}

/** One channel as GET /api/channels lists it. */
export function channelView(ctx: ControlContext, channel: ClientChannel): JsonObject {
  const connection = channel.connection;
  const view: JsonObject = {
    acks_uncommitted: channel.uncommittedAcks,
    confirm: channel.confirmMode,
    connection_details: { name: connection.name, peer_host: connection.peerHost, peer_port: connection.peerPort },
    consumer_count: channel.consumerCount,
    garbage_collection: {},
    global_prefetch_count: channel.channelPrefetch,
    messages_unacknowledged: channel.unackedCount,
    messages_uncommitted: channel.uncommittedMessages,
    messages_unconfirmed: 0,
    name: channel.channelName,
    node: ctx.node,
    number: channel.channelNumber,
    pending_raft_commands: 0,
    prefetch_count: channel.consumerPrefetch,
    reductions: 0,
    reductions_details: { rate: 0 },
    state: channel.isOpen ? 'running' : 'closing',
    transactional: channel.transactional,
    user: connection.userName,
    user_who_performed_action: connection.userName,
    vhost: connection.vhostName,
  };
  const stats = messageStats(CHANNEL_MESSAGE_STATS.names, CHANNEL_MESSAGE_STATS.read(channel), ctx.sampler, channel);
  if (stats) view.message_stats = stats;
  return view;
}

/** GET /api/channels/{name}: the listing's fields plus the channel's consumers. */
export function channelDetailView(ctx: ControlContext, channel: ClientChannel): JsonObject {
  const view = channelView(ctx, channel);
  view.consumer_details = [...channel.listConsumers()].map((consumer) => consumerView(ctx, consumer));
  view.deliveries = [];
  view.publishes = [];
  return view;
}

/** One consumer as GET /api/consumers lists it. */
export function consumerView(ctx: ControlContext, consumer: Consumer): JsonObject {
  const { session, queue } = consumer;
  const active = queue.isActiveConsumer(consumer);
  return {
    arguments: tableToJson(consumer.arguments),
    ack_required: !consumer.noAck,
    active,
    activity_status: active ? (queue.singleActiveConsumer === consumer ? 'single_active' : 'up') : 'waiting',
    channel_details: {
      connection_name: session.connectionName,
      name: session.channelName,
      node: ctx.node,
      number: session.channelNumber,
      peer_host: session.peerHost,
      peer_port: session.peerPort,
      user: session.user,
    },
    consumer_tag: consumer.tag,
    exclusive: consumer.exclusive,
    prefetch_count: consumer.prefetch,
    queue: { name: queue.name, vhost: queue.vhostName },
  };
}
