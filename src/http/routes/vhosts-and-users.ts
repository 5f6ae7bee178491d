import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control/control-plane.js';
import type { UserChange } from '../../control/users.js';
import { parseTags } from '../../control/users.js';
import { createdOrNoContent, listing, noContent, register } from '../api.js';
import { bulkDeleteBody, permissionsBody, userBody, vhostBody } from '../schemas.js';

/** /api/vhosts, /api/users, /api/permissions. */
export function vhostAndUserRoutes(app: FastifyInstance, control: ControlPlane): void {
  const { vhosts, users, connections } = control;

  register(app, control, { method: 'GET', url: '/api/vhosts', level: 'management', handler: (req) => listing(req, vhosts.list(req.caller.vhostListFilter)) });
  register(app, control, { method: 'GET', url: '/api/vhosts/:vhost', level: 'administrator', handler: (req) => vhosts.get(req.params.vhost) });
  register(app, control, {
    method: 'PUT',
    url: '/api/vhosts/:vhost',
    level: 'administrator',
    body: vhostBody,
    handler: (req, reply) => {
      const body = req.body as { description?: string; tags?: string | string[]; default_queue_type?: string; defaultqueuetype?: string };
      const isNew = vhosts.put(
        req.params.vhost,
        {
          description: body.description,
          tags: body.tags === undefined ? undefined : parseTags(body.tags),
          // RabbitMQ 3.12+ reads default_queue_type; 3.10 read defaultqueuetype. Both work here.
          defaultQueueType: body.default_queue_type ?? body.defaultqueuetype,
        },
        req.caller.name,
      );
      return createdOrNoContent(reply, isNew);
    },
  });
  register(app, control, {
    method: 'DELETE',
    url: '/api/vhosts/:vhost',
    level: 'administrator',
    handler: (req, reply) => {
      vhosts.delete(req.params.vhost);
      return noContent(reply);
    },
  });
  register(app, control, {
    method: 'GET',
    url: '/api/vhosts/:vhost/permissions',
    level: 'administrator',
    handler: (req) => {
      vhosts.require(req.params.vhost);
      return listing(req, users.permissions({ vhost: req.params.vhost }));
    },
  });
  register(app, control, {
    method: 'GET',
    url: '/api/vhosts/:vhost/connections',
    level: 'management',
    handler: (req) => listing(req, connections.list({ vhost: req.params.vhost, user: req.caller.connectionUser })),
  });
  register(app, control, {
    method: 'GET',
    url: '/api/vhosts/:vhost/channels',
    level: 'management',
    handler: (req) => listing(req, connections.channels({ vhost: req.params.vhost, user: req.caller.connectionUser })),
  });

  register(app, control, { method: 'GET', url: '/api/whoami', level: 'management', handler: (req) => users.whoami(req.caller.user) });
  register(app, control, { method: 'GET', url: '/api/users', level: 'administrator', handler: (req) => listing(req, users.list()) });
  register(app, control, {
    method: 'GET',
    url: '/api/users/without-permissions',
    level: 'administrator',
    handler: (req) => listing(req, users.withoutPermissions()),
  });
  register(app, control, {
    method: 'POST',
    url: '/api/users/bulk-delete',
    level: 'administrator',
    body: bulkDeleteBody,
    handler: (req, reply) => {
      users.deleteAll((req.body as { users: string[] }).users);
      return noContent(reply);
    },
  });
  register(app, control, { method: 'GET', url: '/api/users/:user', level: 'administrator', handler: (req) => users.get(req.params.user) });
  register(app, control, {
    method: 'PUT',
    url: '/api/users/:user',
    level: 'administrator',
    body: userBody,
    handler: (req, reply) => createdOrNoContent(reply, users.put(req.params.user, req.body as UserChange)),
  });
  register(app, control, {
    method: 'DELETE',
    url: '/api/users/:user',
    level: 'administrator',
    handler: (req, reply) => {
      users.delete(req.params.user);
      return noContent(reply);
    },
  });
  register(app, control, {
    method: 'GET',
    url: '/api/users/:user/permissions',
    level: 'administrator',
    handler: (req) => {
      users.require(req.params.user);
      return listing(req, users.permissions({ user: req.params.user }));
    },
  });

  register(app, control, { method: 'GET', url: '/api/permissions', level: 'administrator', handler: (req) => listing(req, users.permissions()) });
  register(app, control, {
    method: 'GET',
    url: '/api/permissions/:vhost/:user',
    level: 'administrator',
    handler: (req) => users.permission(req.params.vhost, req.params.user),
  });
  register(app, control, {
    method: 'PUT',
    url: '/api/permissions/:vhost/:user',
    level: 'administrator',
    body: permissionsBody,
    handler: (req, reply) => {
      const body = req.body as { configure: string; write: string; read: string };
      const set = { configure: body.configure, write: body.write, read: body.read };
      return createdOrNoContent(reply, users.setPermissions(req.params.vhost, req.params.user, set));
    },
  });
  register(app, control, {
    method: 'DELETE',
    url: '/api/permissions/:vhost/:user',
    level: 'administrator',
    handler: (req, reply) => {
      users.clearPermissions(req.params.vhost, req.params.user);
      return noContent(reply);
    },
  });
}
