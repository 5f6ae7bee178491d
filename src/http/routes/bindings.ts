import type { FastifyInstance } from 'fastify';
import type { BindingPath, BindingRequest, DestinationType } from '../../control/bindings.js';
import type { ControlPlane } from '../../control/control-plane.js';
import { created, listing, noContent, register, type ApiRequest } from '../api.js';
import { bindingBody } from '../schemas.js';

const DESTINATIONS: ReadonlyArray<readonly [string, DestinationType]> = [
  ['q', 'queue'],
  ['e', 'exchange'],
];

/** /api/bindings, and /api/bindings/{vhost}/e/{source}/{q|e}/{destination}[/{props}]. */
export function bindingRoutes(app: FastifyInstance, control: ControlPlane): void {
  const { bindings } = control;
  register(app, control, { method: 'GET', url: '/api/bindings', level: 'management', handler: (req) => listing(req, bindings.list(req.caller.vhostFilter)) });
  register(app, control, { method: 'GET', url: '/api/bindings/:vhost', level: 'management', handler: (req) => listing(req, bindings.listIn(req.params.vhost)) });
  for (const [letter, destinationType] of DESTINATIONS) {
    const base = `/api/bindings/:vhost/e/:source/${letter}/:destination`;
    const path = (req: ApiRequest): BindingPath => ({
      vhost: req.params.vhost,
      source: req.params.source,
      destinationType,
      destination: req.params.destination,
    });
    register(app, control, { method: 'GET', url: base, level: 'management', handler: (req) => listing(req, bindings.between(path(req))) });
    register(app, control, {
      method: 'POST',
      url: base,
      level: 'management',
      body: bindingBody,
      // RabbitMQ's Location is relative, {destination}/{props}, with props percent-encoded once more.
      handler: (req, reply) => {
        const props = bindings.bind(path(req), req.body as BindingRequest, req.caller.name);
        return created(reply, `${encodeURIComponent(req.params.destination)}/${encodeURIComponent(props)}`);
      },
    });
    register(app, control, { method: 'GET', url: `${base}/:props`, level: 'management', handler: (req) => bindings.get(path(req), req.params.props) });
    register(app, control, {
      method: 'DELETE',
      url: `${base}/:props`,
      level: 'management',
      handler: (req, reply) => {
        bindings.unbind(path(req), req.params.props, req.caller.name);
        return noContent(reply);
      },
    });
  }
}
