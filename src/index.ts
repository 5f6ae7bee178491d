import { UserStore } from './auth/user-store.js';
import { BrokerCore } from './broker/broker-core.js';
import type { BrokerOptions } from './config/options.js';
import { createLogger, type Logger } from './log.js';
import { NO_DURABILITY } from './server/durability.js';
import { DurabilityWaiters } from './server/durability-waiters.js';
import { FlushScheduler } from './server/flush-scheduler.js';
import { AmqpListener } from './server/listener.js';
import { serverSettings } from './server/settings.js';
import { VERSION } from './version.js';

export type { BrokerOptions };

/** A running broker embedded in this process. */
export class Broker {
  private constructor(
    /** amqp://guest:guest@host:port/ for clients. */
    readonly url: string,
    /** The port actually listened on (useful with port: 0). */
    readonly port: number,
    /** The broker's structured logger (pino). */
    readonly log: Logger,
    private readonly listener: AmqpListener,
  ) {}

  /** Starts a broker and resolves once it accepts connections. */
  static async start(options: BrokerOptions = {}): Promise<Broker> {
    const host = options.host ?? '127.0.0.1';
    const log = createLogger(options.logLevel ?? 'silent');
    const durability = NO_DURABILITY;
    const listener = new AmqpListener({
      core: new BrokerCore(),
      users: new UserStore(),
      settings: serverSettings(options),
      log,
      flushScheduler: new FlushScheduler(),
      durability,
      durabilityWaiters: new DurabilityWaiters(durability),
    });
    const port = await listener.listen(options.port ?? 5672, host);
    log.info({ host, port, version: VERSION }, 'Warren %s accepting AMQP 0-9-1 on %s:%d', VERSION, host, port);
    const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return new Broker(`amqp://guest:guest@${urlHost}:${port}/`, port, log, listener);
  }

  /** Closes every connection and the listener; resolves when done. */
  close(): Promise<void> {
    return this.listener.close();
  }
}
