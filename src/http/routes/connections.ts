import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control/control-plane.js';
import { DEFAULT_CLOSE_REASON } from '../../control/connections.js';
import type { JsonObject } from '../../control/json-table.js';
import { listing, noContent, register, type ApiRequest } from '../api.js';
import { notAuthorised } from '../errors.js';

/**
 * RabbitMQ's rule for one connection or channel: its own user may see and close it;
 * monitoring users may see anyone's, administrators also close them.
 */
function checkOwner(req: ApiRequest, view: JsonObject, closing: boolean): JsonObject {
  const caller = req.caller;
  const allowed = view.user === caller.name || caller.has(closing ? 'administrator' : 'monitoring');
  if (!allowed) throw notAuthorised('User not authorised to access object');
  return view;
}

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
    handler: (req) => checkOwner(req, connections.get(req.params.name), false),
  });
  register(app, control, {
    method: 'DELETE',
    url: '/api/connections/:name',
    level: 'management',
    handler: (req, reply) => {
      const reason = req.headers['x-reason'];
      checkOwner(req, connections.get(req.params.name), true);
      connections.close(req.params.name, typeof reason === 'string' && reason !== '' ? reason : DEFAULT_CLOSE_REASON);
      return noContent(reply);
    },
  });
  register(app, control, {
    method: 'GET',
    url: '/api/connections/:name/channels',
    level: 'management',
    handler: (req) => {
      checkOwner(req, connections.get(req.params.name), false);
      return listing(req, connections.channelsOf(req.params.name));
    },
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
    handler: (req) => checkOwner(req, connections.channel(req.params.name), false),
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
