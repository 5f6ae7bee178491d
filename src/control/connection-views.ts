import type { Channel } from '../server/channel.js';
import type { ChannelConsumer } from '../server/channel-consumer.js';
import type { Connection } from '../server/connection.js';
import type { ControlContext } from './context.js';
import { CHANNEL_MESSAGE_STATS, CONNECTION_TRAFFIC, messageStats, withDetails } from './counters.js';
import { tableToJson, type JsonObject } from './json-table.js';

/** RabbitMQ's channel name: the connection's name and the channel number. */
export function channelName(channel: Channel): string {
  return `${channel.connection.name} (${channel.id})`;
}

/** One connection as GET /api/connections lists it. */
export function connectionView(ctx: ControlContext, connection: Connection): JsonObject {
  const socket = connection.socket;
  const view: JsonObject = {
    auth_mechanism: connection.authMechanism,
    channel_max: connection.channelMax,
    channels: connection.channelCount,
    client_properties: tableToJson(connection.clientProperties),
    connected_at: connection.connectedAt,
    frame_max: connection.writer.frameMax,
    garbage_collection: {},
    host: socket.localAddress ?? '',
    name: connection.name,
    node: ctx.node,
    peer_cert_issuer: '',
    peer_cert_subject: '',
    peer_cert_validity: '',
    peer_host: socket.remoteAddress ?? '',
    peer_port: socket.remotePort ?? 0,
    port: socket.localPort ?? 0,
    protocol: 'AMQP 0-9-1',
    recv_cnt: connection.reads,
    reductions: 0,
    reductions_details: { rate: 0 },
    send_cnt: connection.writes,
    send_pend: socket.writableLength,
    ssl: false,
    ssl_cipher: '',
    ssl_hash: '',
    ssl_key_exchange: '',
    ssl_protocol: '',
    state: connection.managementState,
    timeout: connection.heartbeat,
    type: 'network',
    user: connection.user?.name ?? '',
    user_who_performed_action: connection.user?.name ?? '',
    vhost: connection.vhost?.name ?? '',
  };
  withDetails(view, CONNECTION_TRAFFIC.names, CONNECTION_TRAFFIC.read(connection), ctx.sampler, connection);
  const providedName = connection.clientProperties.connection_name;
  if (typeof providedName === 'string') view.user_provided_name = providedName;
  return view;
}

/** One channel as GET /api/channels lists it. */
export function channelView(ctx: ControlContext, channel: Channel): JsonObject {
  const connection = channel.connection;
  const transaction = channel.transaction;
  const view: JsonObject = {
    acks_uncommitted: transaction ? transaction.settlements.reduce((n, s) => n + s.deliveries.length, 0) : 0,
    confirm: channel.confirmMode,
    connection_details: {
      name: connection.name,
      peer_host: connection.socket.remoteAddress ?? '',
      peer_port: connection.socket.remotePort ?? 0,
    },
    consumer_count: channel.consumers.size,
    garbage_collection: {},
    global_prefetch_count: channel.channelPrefetch,
    messages_unacknowledged: channel.unacked.count,
    messages_uncommitted: transaction ? transaction.publishes.length : 0,
    messages_unconfirmed: 0,
    name: channelName(channel),
    node: ctx.node,
    number: channel.id,
    pending_raft_commands: 0,
    prefetch_count: channel.consumerPrefetch,
    reductions: 0,
    reductions_details: { rate: 0 },
    state: channel.isOpen ? 'running' : 'closing',
    transactional: transaction !== undefined,
    user: connection.user?.name ?? '',
    user_who_performed_action: connection.user?.name ?? '',
    vhost: connection.vhost?.name ?? '',
  };
  const stats = messageStats(CHANNEL_MESSAGE_STATS.names, CHANNEL_MESSAGE_STATS.read(channel), ctx.sampler, channel);
  if (stats) view.message_stats = stats;
  return view;
}

/** GET /api/channels/{name}: the listing's fields plus the channel's consumers. */
export function channelDetailView(ctx: ControlContext, channel: Channel): JsonObject {
  const view = channelView(ctx, channel);
  view.consumer_details = [...channel.consumers.values()].map((consumer) => consumerView(ctx, consumer));
  view.deliveries = [];
  view.publishes = [];
  return view;
}

/** One consumer as GET /api/consumers lists it. */
export function consumerView(ctx: ControlContext, consumer: ChannelConsumer): JsonObject {
  const channel = consumer.channel;
  const connection = channel.connection;
  return {
    arguments: tableToJson(consumer.arguments),
    ack_required: !consumer.noAck,
    active: true,
    activity_status: 'up',
    channel_details: {
      connection_name: connection.name,
      name: channelName(channel),
      node: ctx.node,
      number: channel.id,
      peer_host: connection.socket.remoteAddress ?? '',
      peer_port: connection.socket.remotePort ?? 0,
      user: connection.user?.name ?? '',
    },
    consumer_tag: consumer.tag,
    exclusive: consumer.exclusive,
    prefetch_count: consumer.prefetch,
    queue: { name: consumer.queue.name, vhost: consumer.queue.vhostName },
  };
}
