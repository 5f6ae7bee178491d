import { isQueueTypeName, type QueueTypeName } from '../broker/queues/queue.js';
import type { VirtualHost } from '../broker/vhost.js';
import type { ClientConnection } from '../broker/clients.js';
import type { ControlContext } from './context.js';
import { QUEUE_MESSAGE_STATS, withDetails } from './counters.js';
import { badRequest, objectNotFound } from './errors.js';
import type { JsonObject } from './json-table.js';

export type VhostFilter = (vhost: string) => boolean;
export const ALL_VHOSTS: VhostFilter = () => true;

/** Names of a vhost's aggregated counters, in the order the rate sampler records them. */
const VHOST_GAUGES = ['messages', 'messages_ready', 'messages_unacknowledged', 'recv_oct', 'send_oct'] as const;

/** Virtual hosts: read models and the add / describe / delete commands. */
export class VhostsControl {
  constructor(private readonly ctx: ControlContext) {}

  list(filter: VhostFilter = ALL_VHOSTS): JsonObject[] {
    const traffic = this.trafficByVhost();
    return [...this.ctx.core.vhosts.values()]
      .filter((vhost) => filter(vhost.name))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((vhost) => this.view(vhost, traffic.get(vhost.name)));
  }

  get(name: string): JsonObject {
    const vhost = this.require(name);
    return this.view(vhost, this.trafficByVhost().get(name));
  }

  require(name: string): VirtualHost {
    const vhost = this.ctx.core.vhost(name);
    if (!vhost) throw objectNotFound();
    return vhost;
  }

  /**
   * Creates the vhost (true) or updates it (false). As in RabbitMQ, a PUT sets the
   * description and tags it carries and resets those it leaves out. Like RabbitMQ's
   * management API, whoever creates a vhost gets full permissions on it.
   */
  put(name: string, metadata: { description?: string; tags?: string[]; defaultQueueType?: string }, actingUser?: string): boolean {
    const { core, access } = this.ctx;
    const requestedType = metadata.defaultQueueType;
    if (requestedType !== undefined && !isQueueTypeName(requestedType)) {
      throw badRequest(`invalid_queue_type: default queue type '${requestedType}' is not one of classic, quorum, stream`);
    }
    const existing = core.vhost(name);
    const vhost = existing ?? core.addVhost(name);
    const description = metadata.description ?? '';
    const tags = metadata.tags ?? [];
    // Left out, the default queue type stays as it was.
    const defaultQueueType = (requestedType as QueueTypeName | undefined) ?? vhost.defaultQueueType;
    if (description !== vhost.description || tags.join(',') !== vhost.tags.join(',') || defaultQueueType !== vhost.defaultQueueType) {
      core.describeVhost(vhost, { description, tags, defaultQueueType });
    }
    if (!existing && actingUser !== undefined && access.users.get(actingUser)) {
      access.setPermissions(actingUser, name, { configure: '.*', write: '.*', read: '.*' });
    }
    return !existing;
  }

  /** Deletes the vhost with everything in it; its clients are disconnected (320 CONNECTION_FORCED). */
  delete(name: string): void {
    this.require(name);
    for (const connection of this.ctx.connections()) {
      if (connection.vhostName === name) connection.closeForced(`vhost '${name}' is deleted`);
    }
    this.ctx.core.deleteVhost(name);
    this.ctx.access.vhostDeleted(name);
  }

  /** Counters the rate sampler records for a vhost (message stats, then gauges). */
  vector(vhost: VirtualHost, traffic: readonly [number, number] = [0, 0]): number[] {
    const totals = new Array<number>(QUEUE_MESSAGE_STATS.names.length).fill(0);
    let ready = 0;
    let unacked = 0;
    for (const queue of vhost.queues.values()) {
      const values = QUEUE_MESSAGE_STATS.read(queue);
      for (let i = 0; i < values.length; i++) totals[i] += values[i];
      ready += queue.messageCount;
      unacked += queue.unackedMessageCount;
    }
    // Publishes count where they entered the vhost: at its exchanges, routed or not.
    let published = 0;
    for (const exchange of vhost.exchanges.values()) published += exchange.stats.publishIn;
    totals[QUEUE_MESSAGE_STATS.names.indexOf('publish')] = published;
    return [...totals, ready + unacked, ready, unacked, traffic[0], traffic[1]];
  }

  trafficByVhost(): Map<string, [number, number]> {
    const traffic = new Map<string, [number, number]>();
    for (const connection of this.ctx.connections()) addTraffic(traffic, connection);
    return traffic;
  }

  private view(vhost: VirtualHost, traffic: readonly [number, number] | undefined): JsonObject {
    const { sampler, node } = this.ctx;
    const vector = this.vector(vhost, traffic);
    const statsCount = QUEUE_MESSAGE_STATS.names.length;
    const view: JsonObject = {
      cluster_state: { [node]: 'running' },
      // RabbitMQ says 'undefined' for a vhost without one, and puts it in metadata only when set.
      default_queue_type: vhost.defaultQueueType ?? 'undefined',
      description: vhost.description,
      metadata:
        vhost.defaultQueueType === undefined
          ? { description: vhost.description, tags: vhost.tags }
          : { default_queue_type: vhost.defaultQueueType, description: vhost.description, tags: vhost.tags },
      name: vhost.name,
      tags: vhost.tags,
      tracing: false,
    };
    if (vector.slice(0, statsCount).some((value) => value !== 0)) {
      view.message_stats = withDetails({}, QUEUE_MESSAGE_STATS.names, vector, sampler, vhost);
    }
    withDetails(view, VHOST_GAUGES, vector.slice(statsCount), sampler, vhost, statsCount);
    return view;
  }
}

function addTraffic(traffic: Map<string, [number, number]>, connection: ClientConnection): void {
  const name = connection.vhostName;
  const entry = traffic.get(name) ?? [0, 0];
  entry[0] += connection.bytesReceived;
  entry[1] += connection.bytesSent;
  traffic.set(name, entry);
}
