import { createServer, type Server } from 'node:http';
import type { ControlContext } from '../control/context.js';
import type { Logger } from '../log.js';
import { renderMetrics } from './rabbitmq-metrics.js';

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * The Prometheus endpoint, on plain node:http: it serves two GET paths with no auth
 * (as RabbitMQ's rabbitmq_prometheus plugin), so a router would add nothing.
 *   /metrics             aggregated (RabbitMQ 3.10's default)
 *   /metrics/per-object  one sample per queue, with vhost and queue labels
 */
export function createMetricsServer(ctx: ControlContext, log: Logger): Server {
  return createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const perObject = path === '/metrics/per-object';
    if ((path !== '/metrics' && !perObject) || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found: metrics are at /metrics and /metrics/per-object\n');
      return;
    }
    try {
      const body = renderMetrics(ctx, perObject);
      response.writeHead(200, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      log.error({ err: error }, 'rendering metrics failed');
      response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed; see the broker log\n');
    }
  });
}

/** Listens and resolves with the port bound (useful with port 0). */
export function listenMetrics(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
