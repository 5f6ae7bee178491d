import type { Logger } from 'pino';
import type { AccessControl } from '../auth/access-control.js';
import type { BrokerCore } from '../broker/broker-core.js';
import type { GlobalStats } from '../broker/stats.js';
import type { ResourceAlarms } from './alarms.js';
import type { Connection } from './connection.js';
import type { Durability } from '../storage/durability.js';
import type { DurabilityWaiters } from './durability-waiters.js';
import type { FlushScheduler } from './flush-scheduler.js';
import type { IngressPacer } from './ingress-pacer.js';
import type { ServerSettings } from './settings.js';

/** What every connection shares: the domain, users, settings, logging, input pacing and output batching. */
export interface ServerContext {
  readonly core: BrokerCore;
  readonly access: AccessControl;
  readonly settings: ServerSettings;
  readonly log: Logger;
  readonly flushScheduler: FlushScheduler;
  readonly ingress: IngressPacer;
  readonly durability: Durability;
  readonly durabilityWaiters: DurabilityWaiters;
  readonly alarms: ResourceAlarms;
  readonly stats: GlobalStats;
  connectionClosed(connection: Connection): void;
}
