import type { AccessControl } from '../auth/access-control.js';
import type { BrokerCore } from '../broker/broker-core.js';
import type { GlobalStats } from '../broker/stats.js';
import type { ClientConnection } from '../broker/clients.js';
import type { Logger } from '../log.js';
import type { RateSampler } from './rates.js';

/** A port the node listens on, as /api/overview lists it. */
export interface ListenerInfo {
  protocol: 'amqp' | 'http' | 'prometheus' | 'stream';
  ip_address: string;
  port: number;
}

/** What the control plane reads and changes: the running broker's parts. */
export interface ControlContext {
  readonly core: BrokerCore;
  readonly access: AccessControl;
  readonly stats: GlobalStats;
  /** Open client connections, of every protocol. */
  connections(): Iterable<ClientConnection>;
  readonly sampler: RateSampler;
  /** The node name shown everywhere RabbitMQ shows one (warren@host). */
  readonly node: string;
  readonly listeners: ListenerInfo[];
  readonly startedAt: number;
  /** Names of the resource alarms in effect (disk, memory), for health checks and nodes. */
  alarms(): string[];
  /** The data folder (for disk_free) and the free-space limit below which the disk alarm goes off. */
  readonly dataDir: string;
  readonly diskFreeLimit: number;
  /** Where warnings about accepted-but-ineffective settings go. */
  readonly log?: Logger;
}

/** RabbitMQ's timestamps in management JSON: 2026-11-23T22:31:59.651+00:00. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}
