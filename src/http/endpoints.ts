import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { AccessControl } from '../auth/access-control.js';
import type { ControlPlane } from '../control/control-plane.js';
import type { Logger } from '../log.js';
import { createMetricsServer, listenMetrics } from '../metrics/metrics-server.js';
import { createManagementApi, listenOn } from './management-server.js';

/** The HTTP side of a running broker: the management API and the Prometheus endpoint, each optional. */
export interface HttpEndpoints {
  /** http://host:port of the management API (its routes are under /api), or undefined when off. */
  httpUrl: string | undefined;
  /** http://host:port/metrics, or undefined when off. */
  metricsUrl: string | undefined;
  close(): Promise<void>;
}

export interface EndpointOptions {
  host: string;
  /** null or undefined: off; 0: a free port. */
  httpPort: number | null | undefined;
  metricsPort: number | null | undefined;
}

/** Starts what is asked for, on the AMQP host; if one fails to listen, the other is closed again. */
export async function startHttpEndpoints(
  control: ControlPlane,
  access: AccessControl,
  log: Logger,
  options: EndpointOptions,
): Promise<HttpEndpoints> {
  const urlHost = urlHostOf(options.host);
  let api: FastifyInstance | undefined;
  let metrics: Server | undefined;
  const close = async () => {
    await api?.close();
    if (metrics) {
      const server = metrics;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  };
  try {
    let httpUrl: string | undefined;
    let metricsUrl: string | undefined;
    if (options.httpPort !== null && options.httpPort !== undefined) {
      api = createManagementApi(control, access, log);
      const port = await listenOn(api, options.httpPort, options.host).catch((error: unknown) => {
        throw explained(error, 'management HTTP API', options.host, options.httpPort!, '--http-port (WARREN_HTTP_PORT)');
      });
      control.listeners.push({ protocol: 'http', ip_address: options.host, port });
      httpUrl = `http://${urlHost}:${port}`;
      log.info({ port }, 'management API on %s/api', httpUrl);
    }
    if (options.metricsPort !== null && options.metricsPort !== undefined) {
      metrics = createMetricsServer(control.context, log);
      const port = await listenMetrics(metrics, options.metricsPort, options.host).catch((error: unknown) => {
        throw explained(error, 'Prometheus metrics', options.host, options.metricsPort!, '--metrics-port (WARREN_METRICS_PORT)');
      });
      control.listeners.push({ protocol: 'prometheus', ip_address: options.host, port });
      metricsUrl = `http://${urlHost}:${port}/metrics`;
      log.info({ port }, 'Prometheus metrics on %s', metricsUrl);
    }
    return { httpUrl, metricsUrl, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A host as it goes in a URL: any-address binds are reached on loopback; IPv6 in brackets. */
export function urlHostOf(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** A listen failure that says which endpoint and how to get past it. */
function explained(error: unknown, what: string, host: string, port: number, setting: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === 'EADDRINUSE' ? 'is already in use' : code === 'EACCES' ? 'may not be used by this user' : `failed (${(error as Error).message})`;
  const wrapped = new Error(`${what} port ${host}:${port} ${why}: choose another with ${setting}, or 0 to turn it off`);
  (wrapped as NodeJS.ErrnoException).code = code;
  return wrapped;
}
