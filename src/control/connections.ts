import type { ClientChannel, ClientConnection } from '../broker/clients.js';
import { channelDetailView, channelView, connectionView, consumerView } from './connection-views.js';
import type { ControlContext } from './context.js';
import { objectNotFound } from './errors.js';
import { requireVhost } from './exchanges.js';
import type { JsonObject } from './json-table.js';

/** Which connections a caller may see: everyone's, or only one user's (RabbitMQ's rule for non-monitoring users). */
export interface ConnectionFilter {
  vhost?: string;
  user?: string;
}

/** The text a management close sends when no X-Reason is given (RabbitMQ's). */
export const DEFAULT_CLOSE_REASON = 'Closed via management plugin';

/** Client connections of every protocol, their channels and consumers: read models and forced close. */
export class ConnectionsControl {
  constructor(private readonly ctx: ControlContext) {}

  list(filter: ConnectionFilter = {}): JsonObject[] {
    if (filter.vhost !== undefined) requireVhost(this.ctx, filter.vhost);
    return this.open(filter).map((connection) => connectionView(this.ctx, connection));
  }

  get(name: string, filter: ConnectionFilter = {}): JsonObject {
    return connectionView(this.ctx, this.require(name, filter));
  }

  /** Closes the connection (AMQP: 320 CONNECTION_FORCED) with the reason given. */
  close(name: string, reason = DEFAULT_CLOSE_REASON, filter: ConnectionFilter = {}): void {
    this.require(name, filter).closeForced(reason);
  }

  channels(filter: ConnectionFilter = {}): JsonObject[] {
    if (filter.vhost !== undefined) requireVhost(this.ctx, filter.vhost);
    return this.allChannels(filter).map((channel) => channelView(this.ctx, channel));
  }

  channelsOf(connectionName: string, filter: ConnectionFilter = {}): JsonObject[] {
    const connection = this.require(connectionName, filter);
    return [...connection.listChannels()].map((channel) => channelView(this.ctx, channel));
  }

  channel(name: string, filter: ConnectionFilter = {}): JsonObject {
    const channel = this.allChannels(filter).find((c) => c.channelName === name);
    if (!channel) throw objectNotFound();
    return channelDetailView(this.ctx, channel);
  }

  consumers(filter: ConnectionFilter = {}): JsonObject[] {
    if (filter.vhost !== undefined) requireVhost(this.ctx, filter.vhost);
    const views: JsonObject[] = [];
    for (const channel of this.allChannels(filter)) {
      for (const consumer of channel.listConsumers()) views.push(consumerView(this.ctx, consumer));
    }
    return views;
  }

  private require(name: string, filter: ConnectionFilter): ClientConnection {
    const connection = this.open(filter).find((c) => c.name === name);
    if (!connection) throw objectNotFound();
    return connection;
  }

  /** Open connections (RabbitMQ lists a connection once its handshake is done). */
  private open(filter: ConnectionFilter): ClientConnection[] {
    const list: ClientConnection[] = [];
    for (const connection of this.ctx.connections()) {
      if (filter.vhost !== undefined && connection.vhostName !== filter.vhost) continue;
      if (filter.user !== undefined && connection.userName !== filter.user) continue;
      list.push(connection);
    }
    return list;
  }

  private allChannels(filter: ConnectionFilter): ClientChannel[] {
    return this.open(filter).flatMap((connection) => [...connection.listChannels()]);
  }
}
