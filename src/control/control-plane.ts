import type { AccessControl } from '../auth/access-control.js';
import type { Logger } from '../log.js';
import type { QueueOwner } from '../broker/queues/queue.js';
import type { BrokerCore } from '../broker/broker-core.js';
import type { GlobalStats } from '../broker/stats.js';
import type { ClientConnection } from '../broker/clients.js';
import { BindingsControl } from './bindings.js';
import { ConnectionsControl } from './connections.js';
import type { ControlContext, ListenerInfo } from './context.js';
import { CHANNEL_MESSAGE_STATS, CONNECTION_TRAFFIC, EXCHANGE_MESSAGE_STATS, queueVector } from './counters.js';
import { exportDefinitions, exportVhostDefinitions } from './definitions-export.js';
import { DefinitionsImporter, type ImportReport } from './definitions-import.js';
import { ExchangesControl, requireVhost } from './exchanges.js';
import { HealthControl } from './health.js';
import type { JsonObject } from './json-table.js';
import { LimitsControl } from './limits.js';
import { MessagesControl } from './messages.js';
import { PoliciesControl } from './policies.js';
import { nodeName, overview, overviewVector } from './overview.js';
import { QueuesControl } from './queues.js';
import { DEFAULT_SAMPLE_INTERVAL_MS, RateSampler } from './rates.js';
import { UsersControl } from './users.js';
import { ALL_VHOSTS, VhostsControl, type VhostFilter } from './vhosts.js';

export interface ControlPlaneParts {
  core: BrokerCore;
  access: AccessControl;
  stats: GlobalStats;
  connections(): Iterable<ClientConnection>;
  alarms(): string[];
  dataDir: string;
  diskFreeLimit: number;
  /** How often message rates are sampled; RabbitMQ's default is 5 s. */
  sampleIntervalMs?: number;
  log?: Logger;
}

/**
 * The control plane: read models of everything the broker holds, in RabbitMQ
 * management's JSON shapes, and the commands operators use. The HTTP API and the
 * metrics endpoint sit on it; embedders and tests can use it directly (an `actor` of
 * undefined may do anything; a user name gets that user's AMQP permissions).
 */
export class ControlPlane {
  readonly vhosts: VhostsControl;
  readonly users: UsersControl;
  readonly exchanges: ExchangesControl;
  readonly queues: QueuesControl;
  readonly bindings: BindingsControl;
  readonly connections: ConnectionsControl;
  readonly messages: MessagesControl;
  readonly health: HealthControl;
  readonly policies: PoliciesControl;
  readonly operatorPolicies: PoliciesControl;
  readonly limits: LimitsControl;
  readonly sampler: RateSampler;
  /** Ports the node listens on, for /api/overview and health checks; the broker fills it in. */
  readonly listeners: ListenerInfo[] = [];
  readonly context: ControlContext;

  constructor(parts: ControlPlaneParts) {
    this.sampler = new RateSampler((record) => this.collect(record), parts.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS);
    this.context = {
      core: parts.core,
      access: parts.access,
      stats: parts.stats,
      connections: parts.connections,
      alarms: parts.alarms,
      dataDir: parts.dataDir,
      diskFreeLimit: parts.diskFreeLimit,
      log: parts.log,
      sampler: this.sampler,
      node: nodeName(),
      listeners: this.listeners,
      startedAt: Date.now(),
    };
    // Stands for the control plane in exclusive-queue checks: it owns no queue.
    const owner: QueueOwner = { name: 'management', peerHost: '', peerPort: 0 };
    this.vhosts = new VhostsControl(this.context);
    this.users = new UsersControl(this.context);
    this.exchanges = new ExchangesControl(this.context);
    this.queues = new QueuesControl(this.context, owner);
    this.bindings = new BindingsControl(this.context, owner);
    this.connections = new ConnectionsControl(this.context);
    this.messages = new MessagesControl(this.context, owner);
    this.health = new HealthControl(this.context, this.queues, this.messages);
    this.policies = new PoliciesControl(this.context, 'policy');
    this.operatorPolicies = new PoliciesControl(this.context, 'operator');
    this.limits = new LimitsControl(this.context);
  }

  get node(): string {
    return this.context.node;
  }

  /** Starts sampling message rates. */
  start(): void {
    this.sampler.start();
  }

  stop(): void {
    this.sampler.stop();
  }

  overview(filter: VhostFilter = ALL_VHOSTS, onlyUser?: string): JsonObject {
    return overview(this.context, filter, onlyUser);
  }

  exportDefinitions(vhost?: string): JsonObject {
    return vhost === undefined ? exportDefinitions(this.context) : exportVhostDefinitions(requireVhost(this.context, vhost));
  }

  /** Imports RabbitMQ definitions; the report lists what was applied and, item by item, what was not. */
  importDefinitions(definitions: unknown, vhost?: string): ImportReport {
    if (vhost !== undefined) requireVhost(this.context, vhost);
    const parts = {
      users: this.users,
      vhosts: this.vhosts,
      queues: this.queues,
      exchanges: this.exchanges,
      bindings: this.bindings,
      policies: this.policies,
      operatorPolicies: this.operatorPolicies,
      limits: this.limits,
    };
    return new DefinitionsImporter(this.context, parts, vhost).run(definitions);
  }

  /** One pass over every object whose rates the API shows. */
  private collect(record: (key: object, values: readonly number[]) => void): void {
    const { core, stats } = this.context;
    const traffic = this.vhosts.trafficByVhost();
    for (const vhost of core.vhosts.values()) {
      record(vhost, this.vhosts.vector(vhost, traffic.get(vhost.name)));
      for (const queue of vhost.queues.values()) record(queue, queueVector(queue));
      for (const exchange of vhost.exchanges.values()) record(exchange, EXCHANGE_MESSAGE_STATS.read(exchange));
    }
    for (const connection of this.context.connections()) {
      record(connection, CONNECTION_TRAFFIC.read(connection));
      for (const channel of connection.listChannels()) record(channel, CHANNEL_MESSAGE_STATS.read(channel));
    }
    record(stats, overviewVector(this.context));
  }
}
