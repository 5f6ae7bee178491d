import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control/control-plane.js';
import { DEFAULT_CLOSE_REASON } from '../../control/connections.js';
import { listing, noContent, register } from '../api.js';

/** /api/connections, /api/channels, /api/consumers. Non-monitoring users see their own connections only. */
export function connectionRoutes(app: FastifyInstance, control: ControlPlane): void {
  const { connections } = control;
  register(app, control, {
    method: 'GET',
    url: '/api/connections',
    level: 'management',
    handler: (req) => listing(req, connections.list({ user: req.caller.connectionUser })),
  });
  register(app, control, {
    method: 'GET',
    url: '/api/connections/:name',
    level: 'management',
    handler: (req) => connections.get(req.params.name, { user: req.caller.connectionUser }),
  });
  register(app, control, {
    method: 'DELETE',
    url: '/api/connections/:name',
    level: 'management',
    handler: (req, reply) => {
      const reason = req.headers['x-reason'];
      connections.close(req.params.name, typeof reason === 'string' && reason !== '' ? reason : DEFAULT_CLOSE_REASON, {
        user: req.caller.connectionUser,
      });
      return noContent(reply);
    },
  });
  register(app, control, {
    method: 'GET',
    url: '/api/connections/:name/channels',
    level: 'management',
    handler: (req) => listing(req, connections.channelsOf(req.params.name, { user: req.caller.connectionUser })),
  });
  register(app, control, {
    method: 'GET',
    url: '/api/channels',
    level: 'management',
    handler: (req) => listing(req, connections.channels({ user: req.caller.connectionUser })),
  });
  register(app, control, {
    method: 'GET',
    url: '/api/channels/:name',
    level: 'management',
    handler: (req) => connections.channel(req.params.name, { user: req.caller.connectionUser }),
  });
  register(app, control, {
    method: 'GET',
    url: '/api/consumers',
    level: 'management',
    handler: (req) => listing(req, connections.consumers({ user: req.caller.connectionUser })),
  });
  register(app, control, {
    method: 'GET',
    url: '/api/consumers/:vhost',
    level: 'management',
    handler: (req) => listing(req, connections.consumers({ vhost: req.params.vhost, user: req.caller.connectionUser })),
  });
}
