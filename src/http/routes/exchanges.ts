import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control/control-plane.js';
import type { ExchangeDeclaration } from '../../control/exchanges.js';
import type { PublishRequest } from '../../control/messages.js';
import { createdOrNoContent, flag, listing, noContent, register } from '../api.js';
import { exchangeBody, publishBody } from '../schemas.js';

/** /api/exchanges: listings, declare, delete, publish, and an exchange's bindings. */
export function exchangeRoutes(app: FastifyInstance, control: ControlPlane): void {
  const { exchanges, messages } = control;
  register(app, control, {
    method: 'GET',
    url: '/api/exchanges',
    level: 'management',
    handler: (req) => listing(req, exchanges.list(req.caller.vhostFilter, req.caller.name)),
  });
  register(app, control, {
    method: 'GET',
    url: '/api/exchanges/:vhost',
    level: 'management',
    handler: (req) => listing(req, exchanges.listIn(req.params.vhost, req.caller.name)),
  });
  register(app, control, {
    method: 'GET',
    url: '/api/exchanges/:vhost/:name',
    level: 'management',
    handler: (req) => exchanges.get(req.params.vhost, req.params.name, req.caller.name),
  });
  register(app, control, {
    method: 'PUT',
    url: '/api/exchanges/:vhost/:name',
    level: 'management',
    body: exchangeBody,
    handler: (req, reply) =>
      createdOrNoContent(reply, exchanges.declare(req.params.vhost, req.params.name, req.body as ExchangeDeclaration, req.caller.name)),
  });
  register(app, control, {
    method: 'DELETE',
    url: '/api/exchanges/:vhost/:name',
    level: 'management',
    handler: (req, reply) => {
      exchanges.delete(req.params.vhost, req.params.name, flag(req, 'if-unused'), req.caller.name);
      return noContent(reply);
    },
  });
  register(app, control, {
    method: 'POST',
    url: '/api/exchanges/:vhost/:name/publish',
    level: 'management',
    body: publishBody,
    handler: (req) => messages.publish(req.params.vhost, req.params.name, req.body as PublishRequest, req.caller.name),
  });
  register(app, control, {
    method: 'GET',
    url: '/api/exchanges/:vhost/:name/bindings/source',
    level: 'management',
    handler: (req) => listing(req, exchanges.sourceBindings(req.params.vhost, req.params.name)),
  });
  register(app, control, {
    method: 'GET',
    url: '/api/exchanges/:vhost/:name/bindings/destination',
    level: 'management',
    handler: (req) => listing(req, exchanges.destinationBindings(req.params.vhost, req.params.name)),
  });
}
