import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control/control-plane.js';
import { listing, noContent, register } from '../api.js';
import { limitValueBody } from '../schemas.js';

/** /api/vhost-limits and /api/user-limits: RabbitMQ's paths and answers (204 for every change). */
export function limitRoutes(app: FastifyInstance, control: ControlPlane): void {
  const { limits } = control;
  register(app, control, { method: 'GET', url: '/api/vhost-limits', level: 'management', handler: (req) => listing(req, limits.vhostLimits(req.caller.vhostFilter)) });
  register(app, control, { method: 'GET', url: '/api/vhost-limits/:vhost', level: 'management', handler: (req) => listing(req, limits.vhostLimitsOf(req.params.vhost)) });
  register(app, control, {
    method: 'PUT',
    url: '/api/vhost-limits/:vhost/:name',
    level: 'administrator',
    body: limitValueBody,
    handler: (req, reply) => {
      limits.setVhostLimit(req.params.vhost, req.params.name, (req.body as { value: unknown }).value);
      return noContent(reply);
    },
  });
  register(app, control, {
    method: 'DELETE',
    url: '/api/vhost-limits/:vhost/:name',
    level: 'administrator',
    handler: (req, reply) => {
      limits.clearVhostLimit(req.params.vhost, req.params.name);
      return noContent(reply);
    },
  });

  register(app, control, { method: 'GET', url: '/api/user-limits', level: 'administrator', handler: (req) => listing(req, limits.userLimits()) });
  register(app, control, { method: 'GET', url: '/api/user-limits/:user', level: 'administrator', handler: (req) => listing(req, limits.userLimitsOf(req.params.user)) });
  register(app, control, {
    method: 'PUT',
    url: '/api/user-limits/:user/:name',
    level: 'administrator',
    body: limitValueBody,
    handler: (req, reply) => {
      limits.setUserLimits(req.params.user, { [req.params.name]: (req.body as { value: unknown }).value });
      return noContent(reply);
    },
  });
  register(app, control, {
    method: 'DELETE',
    url: '/api/user-limits/:user/:name',
    level: 'administrator',
    handler: (req, reply) => {
      limits.clearUserLimit(req.params.user, req.params.name);
      return noContent(reply);
    },
  });
}
