import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ControlPlane } from '../../control/control-plane.js';
import type { HealthResult } from '../../control/health.js';
import { nodeView } from '../../control/overview.js';
import { objectNotFound } from '../../control/errors.js';
import { register } from '../api.js';

/** /api/overview, /api/nodes, /api/extensions, and the health checks. */
export function nodeRoutes(app: FastifyInstance, control: ControlPlane): void {
  const { health } = control;
  register(app, control, {
    method: 'GET',
    url: '/api/overview',
    level: 'management',
    handler: (req) => control.overview(req.caller.vhostFilter, req.caller.connectionUser),
  });
  register(app, control, { method: 'GET', url: '/api/nodes', level: 'monitoring', handler: () => [nodeView(control.context)] });
  register(app, control, {
    method: 'GET',
    url: '/api/nodes/:node',
    level: 'monitoring',
    handler: (req) => {
      if (req.params.node !== control.node) throw objectNotFound();
      return nodeView(control.context);
    },
  });
  register(app, control, { method: 'GET', url: '/api/extensions', level: 'management', handler: () => [] });
  register(app, control, { method: 'GET', url: '/api/cluster-name', level: 'management', handler: () => ({ name: control.node }) });

  const check = (url: string, run: (params: Record<string, string>) => HealthResult) =>
    register(app, control, { method: 'GET', url, level: 'management', handler: (req, reply) => answer(reply, run(req.params)) });
  check('/api/aliveness-test/:vhost', (p) => health.aliveness(p.vhost));
  check('/api/healthchecks/node', () => health.alarms());
  check('/api/healthchecks/node/:node', (p) => {
    if (p.node !== control.node) throw objectNotFound();
    return health.alarms();
  });
  check('/api/health/checks/alarms', () => health.alarms());
  check('/api/health/checks/local-alarms', () => health.alarms());
  check('/api/health/checks/virtual-hosts', () => health.virtualHosts());
  check('/api/health/checks/port-listener/:port', (p) => health.portListener(Number(p.port)));
  check('/api/health/checks/protocol-listener/:protocol', (p) => health.protocolListener(p.protocol));
  check('/api/health/checks/node-is-quorum-critical', () => health.singleNode());
  check('/api/health/checks/node-is-mirror-sync-critical', () => health.singleNode());
  check('/api/health/checks/certificate-expiration/:within/:unit', () => health.virtualHosts());
}

/** 200 with the check's body, or 503 when it failed (RabbitMQ's health check statuses). */
function answer(reply: FastifyReply, result: HealthResult): FastifyReply {
  return reply.code(result.ok ? 200 : 503).send(result.body);
}
