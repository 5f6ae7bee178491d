import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control/control-plane.js';
import { register } from '../api.js';
import { definitionsBody } from '../schemas.js';

/**
 * /api/definitions[/{vhost}]: RabbitMQ's export format both ways. Beyond RabbitMQ, an
 * import answers 200 with what it imported and, item by item, what it skipped and why.
 */
export function definitionRoutes(app: FastifyInstance, control: ControlPlane): void {
  register(app, control, { method: 'GET', url: '/api/definitions', level: 'administrator', handler: () => control.exportDefinitions() });
  register(app, control, {
    method: 'GET',
    url: '/api/definitions/:vhost',
    level: 'administrator',
    handler: (req) => control.exportDefinitions(req.params.vhost),
  });
  register(app, control, {
    method: 'POST',
    url: '/api/definitions',
    level: 'administrator',
    body: definitionsBody,
    handler: (req) => control.importDefinitions(req.body),
  });
  register(app, control, {
    method: 'POST',
    url: '/api/definitions/:vhost',
    level: 'administrator',
    body: definitionsBody,
    handler: (req) => control.importDefinitions(req.body, req.params.vhost),
  });
}
