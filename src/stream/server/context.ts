import type { Logger } from 'pino';
import type { AccessControl } from '../../auth/access-control.js';
import type { BrokerCore } from '../../broker/broker-core.js';
import type { ResourceAlarms } from '../../server/alarms.js';
import type { Durability } from '../../storage/durability.js';
import type { StreamConnection } from './connection.js';

/** Settings of the stream listener, with RabbitMQ's defaults. */
export interface StreamSettings {
  /** Largest frame offered in Tune (bytes). */
  readonly frameMax: number;
  /** Heartbeat offered in Tune (seconds; 0 = none). */
  readonly heartbeat: number;
  /** Time allowed from connect to Open. */
  readonly handshakeTimeoutMs: number;
  /** Where clients are told to connect (Metadata, Open): by default the listener's own address. */
  readonly advertisedHost: string | undefined;
  readonly advertisedPort: number | undefined;
}

/** What every stream connection shares. */
export interface StreamContext {
  readonly core: BrokerCore;
  readonly access: AccessControl;
  readonly log: Logger;
  readonly alarms: ResourceAlarms;
  readonly durability: Durability;
  readonly settings: StreamSettings;
  /** The address the listener is bound to (what is advertised unless settings say otherwise). */
  readonly address: { host: string; port: number };
  /** The connection has publishers waiting for confirms: tell it about the next group commits. */
  awaitSync(connection: StreamConnection): void;
}
