import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control/control-plane.js';
import { BrokerError, ErrorCode } from '../../broker/errors.js';
import { badRequest } from '../../control/errors.js';
import type { GetRequest } from '../../control/messages.js';
import type { QueueDeclaration } from '../../control/queues.js';
import { createdOrNoContent, flag, listing, noContent, register } from '../api.js';
import { HttpError } from '../errors.js';
import { getBody, queueBody } from '../schemas.js';

/** /api/queues: listings, declare, delete, purge, get, and a queue's bindings. */
export function queueRoutes(app: FastifyInstance, control: ControlPlane): void {
  const { queues, messages } = control;
  register(app, control, { method: 'GET', url: '/api/queues', level: 'management', handler: (req) => listing(req, queues.list(req.caller.vhostFilter)) });
  register(app, control, { method: 'GET', url: '/api/queues/:vhost', level: 'management', handler: (req) => listing(req, queues.listIn(req.params.vhost)) });
  register(app, control, { method: 'GET', url: '/api/queues/:vhost/:name', level: 'management', handler: (req) => queues.get(req.params.vhost, req.params.name) });
  register(app, control, {
    method: 'PUT',
    url: '/api/queues/:vhost/:name',
    level: 'management',
    body: queueBody,
    handler: (req, reply) =>
      createdOrNoContent(reply, queues.declare(req.params.vhost, req.params.name, req.body as QueueDeclaration, req.caller.name)),
  });
  register(app, control, {
    method: 'DELETE',
    url: '/api/queues/:vhost/:name',
    level: 'management',
    handler: (req, reply) => {
      queues.delete(req.params.vhost, req.params.name, { ifEmpty: flag(req, 'if-empty'), ifUnused: flag(req, 'if-unused') }, req.caller.name);
      return noContent(reply);
    },
  });
  register(app, control, {
    method: 'DELETE',
    url: '/api/queues/:vhost/:name/contents',
    level: 'management',
    handler: (req, reply) => {
      queues.purge(req.params.vhost, req.params.name, req.caller.name);
      return noContent(reply);
    },
  });
  register(app, control, {
    method: 'POST',
    url: '/api/queues/:vhost/:name/get',
    level: 'management',
    body: getBody,
    handler: (req) => {
      const body = req.body as GetRequest;
      if (body.encoding !== 'auto' && body.encoding !== 'base64') throw badRequest('Unsupported encoding. Please use auto or base64.');
      try {
        return messages.get(req.params.vhost, req.params.name, body, req.caller.name);
      } catch (error) {
        // Here RabbitMQ quotes its internal channel's error whole: "NOT_FOUND - no queue ...".
        if (error instanceof BrokerError && error.code === ErrorCode.NotFound) {
          throw new HttpError(404, { error: 'not_found', reason: `NOT_FOUND - ${error.message}` });
        }
        throw error;
      }
    },
  });
  register(app, control, {
    method: 'GET',
    url: '/api/queues/:vhost/:name/bindings',
    level: 'management',
    handler: (req) => listing(req, queues.bindings(req.params.vhost, req.params.name)),
  });
}
