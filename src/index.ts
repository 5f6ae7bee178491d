import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessControl } from './auth/access-control.js';
import { BrokerCore } from './broker/broker-core.js';
import type { BrokerOptions } from './config/options.js';
import { ControlPlane } from './control/control-plane.js';
import { startHttpEndpoints, urlHostOf, type HttpEndpoints } from './http/endpoints.js';
import { createLogger, type Logger } from './log.js';
import { DEFAULT_DISK_FREE_LIMIT, ResourceAlarms } from './server/alarms.js';
import { DurabilityWaiters } from './server/durability-waiters.js';
import { FlushScheduler } from './server/flush-scheduler.js';
import { AmqpListener } from './server/listener.js';
import { serverSettings } from './server/settings.js';
import { BrokerStorage } from './persistence/broker-storage.js';
import { Storage } from './storage/storage.js';
import { StreamListener } from './stream/server/listener.js';
import { VERSION } from './version.js';

export type { BrokerOptions };

/** A running broker embedded in this process. */
export class Broker {
  private closing: Promise<void> | undefined;

  private constructor(
    /** amqp://guest:guest@host:port/ for clients. */
    readonly url: string,
    /** The port actually listened on (useful with port: 0). */
    readonly port: number,
    /** The stream protocol's port, when it listens. */
    readonly streamPort: number | undefined,
    /** The broker's structured logger (pino). */
    readonly log: Logger,
    /** The data folder in use. */
    readonly dataDir: string,
    /** Users, vhost access and permissions; changes are durable and apply at once. */
    readonly access: AccessControl,
    /** The control plane: read models and operator commands (what the HTTP API serves). */
    readonly control: ControlPlane,
    private readonly endpoints: HttpEndpoints,
    private readonly parts: {
      listener: AmqpListener;
      streams: StreamListener | undefined;
      core: BrokerCore;
      storage: Storage;
      alarms: ResourceAlarms;
      removeDataDir: boolean;
    },
  ) {}

  /**
   * Starts a broker and resolves once it accepts connections. Without `dataDir` it uses a
   * fresh temporary folder that close() removes: embedded test brokers leave nothing behind.
   */
  static async start(options: BrokerOptions = {}): Promise<Broker> {
    const host = options.host ?? '127.0.0.1';
    const log = createLogger(options.logLevel ?? 'silent');
    const removeDataDir = options.dataDir === undefined;
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'warren-'));
    const storage = Storage.open({ dataDir, log, syncIntervalMs: options.syncIntervalMs ?? 2 });
    const brokerStorage = new BrokerStorage(storage);
    const core = new BrokerCore(brokerStorage.stores, brokerStorage.durability);
    const access = new AccessControl();
    const alarms = new ResourceAlarms(log);
    alarms.watchWrites(storage);
    alarms.watchDiskSpace(dataDir, options.diskFreeLimit ?? DEFAULT_DISK_FREE_LIMIT);
    let listener: AmqpListener;
    const stats = core.stats;
    try {
      brokerStorage.restore(core, access);
      listener = new AmqpListener({
        core,
        access,
        settings: serverSettings(options),
        log,
        flushScheduler: new FlushScheduler(() => storage.deliveredMarks.writeAll()),
        durability: storage,
        durabilityWaiters: new DurabilityWaiters(storage),
        alarms,
        stats,
      });
    } catch (error) {
      alarms.close();
      await storage.close();
      throw error;
    }
    const control = new ControlPlane({
      core,
      access,
      stats,
      connections: () => core.clients,
      alarms: () => alarms.raisedAlarms,
      dataDir,
      diskFreeLimit: options.diskFreeLimit ?? DEFAULT_DISK_FREE_LIMIT,
      log,
    });
    const giveUp = async (error: unknown): Promise<never> => {
      alarms.close();
      core.close();
      await storage.close();
      if (removeDataDir) rmSync(dataDir, { recursive: true, force: true });
      throw error;
    };
    // The API and metrics listen first: once AMQP accepts connections, they answer too
    // (scripts that wait for the AMQP port can call the API straight away).
    let endpoints: HttpEndpoints;
    try {
      endpoints = await startHttpEndpoints(control, access, log, { host, httpPort: options.httpPort, metricsPort: options.metricsPort });
    } catch (error) {
      return giveUp(error);
    }
    let port: number;
    let streams: StreamListener | undefined;
    let streamPort: number | undefined;
    try {
      if (options.streamPort !== undefined && options.streamPort !== null) {
        streams = new StreamListener({
          core,
          access,
          log,
          alarms,
          durability: storage,
          settings: {
            frameMax: 1_048_576,
            heartbeat: options.heartbeat ?? 60,
            handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
            advertisedHost: options.streamAdvertisedHost,
            advertisedPort: options.streamAdvertisedPort,
          },
        });
        streamPort = await streams.listen(options.streamPort, host);
      }
      port = await listener.listen(options.port ?? 5672, host);
    } catch (error) {
      await streams?.close();
      await endpoints.close();
      return giveUp(error);
    }
    control.listeners.unshift({ protocol: 'amqp', ip_address: host, port });
    if (streamPort !== undefined) {
      control.listeners.push({ protocol: 'stream', ip_address: host, port: streamPort });
      log.info({ host, port: streamPort }, 'accepting the RabbitMQ stream protocol on %s:%d', host, streamPort);
    }
    control.start();
    log.info({ host, port, dataDir, version: VERSION }, 'Warren %s accepting AMQP 0-9-1 on %s:%d', VERSION, host, port);
    const url = `amqp://guest:guest@${urlHostOf(host)}:${port}/`;
    return new Broker(url, port, streamPort, log, dataDir, access, control, endpoints, { listener, streams, core, storage, alarms, removeDataDir });
  }

  /** http://host:port of the management API (routes under /api), or undefined when it is off. */
  get httpUrl(): string | undefined {
    return this.endpoints.httpUrl;
  }

  /** http://host:port/metrics (Prometheus; per queue at /metrics/per-object), or undefined when off. */
  get metricsUrl(): string | undefined {
    return this.endpoints.metricsUrl;
  }

  /** Closes every connection, writes what is durable, and releases the data folder. */
  close(): Promise<void> {
    return (this.closing ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    const { listener, streams, core, storage, alarms, removeDataDir } = this.parts;
    this.control.stop();
    await this.endpoints.close();
    alarms.close();
    await streams?.close();
    await listener.close();
    core.close();
    await storage.close();
    if (removeDataDir) rmSync(this.dataDir, { recursive: true, force: true });
    this.log.info('stopped');
  }
}
