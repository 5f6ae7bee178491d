import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control/control-plane.js';
import type { PoliciesControl } from '../../control/policies.js';
import type { PolicyInput } from '../../broker/policy-validation.js';
import { createdOrNoContent, listing, noContent, register } from '../api.js';
import type { AccessLevel } from '../auth.js';
import { policyBody } from '../schemas.js';

/**
 * /api/policies (policymakers) and /api/operator-policies (administrators): RabbitMQ's
 * paths, 201 for a new policy, 204 for a change or a delete.
 */
export function policyRoutes(app: FastifyInstance, control: ControlPlane): void {
  policyRoutesAt(app, control, '/api/policies', control.policies, 'policymaker', 'User not authorised to access object');
  policyRoutesAt(app, control, '/api/operator-policies', control.operatorPolicies, 'administrator');
}

function policyRoutesAt(
  app: FastifyInstance,
  control: ControlPlane,
  base: string,
  policies: PoliciesControl,
  writeLevel: AccessLevel,
  refusal?: string,
): void {
  // Listings are for every management user, of the vhosts they may use (RabbitMQ's
  // is_authorized_vhost and filter_vhost); reading one item needs the write tag.
  register(app, control, {
    method: 'GET',
    url: base,
    level: 'management',
    handler: (req) => listing(req, policies.list(req.caller.vhostFilter)),
  });
  register(app, control, {
    method: 'GET',
    url: `${base}/:vhost`,
    level: 'management',
    handler: (req) => listing(req, policies.listIn(req.params.vhost)),
  });
  // One policy, or a change: an outsider to the vhost hears RabbitMQ's "access to object" wording.
  const vhostRefusal = 'User not authorised to access object';
  register(app, control, {
    method: 'GET',
    url: `${base}/:vhost/:name`,
    level: writeLevel,
    refusal,
    vhostRefusal,
    handler: (req) => policies.get(req.params.vhost, req.params.name),
  });
  register(app, control, {
    method: 'PUT',
    url: `${base}/:vhost/:name`,
    level: writeLevel,
    refusal,
    vhostRefusal,
    body: policyBody,
    handler: (req, reply) => createdOrNoContent(reply, policies.put(req.params.vhost, req.params.name, req.body as PolicyInput)),
  });
  register(app, control, {
    method: 'DELETE',
    url: `${base}/:vhost/:name`,
    level: writeLevel,
    refusal,
    vhostRefusal,
    handler: (req, reply) => {
      policies.delete(req.params.vhost, req.params.name);
      return noContent(reply);
    },
  });
}
