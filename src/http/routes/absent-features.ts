import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control/control-plane.js';
import { badRequest, objectNotFound } from '../../control/errors.js';
import { type AccessLevel } from '../auth.js';
import { register, type ApiRequest } from '../api.js';

/**
 * RabbitMQ features Warren does not have (runtime parameters, topic permissions),
 * answered honestly so that scripts listing them work: listings are empty,
 * one item is 404, and a change is 400 with a reason saying what to do instead.
 */
const ABSENT: ReadonlyArray<{ base: string; params: string[]; read: AccessLevel; write: AccessLevel; reason: string }> = [
  { base: '/api/parameters', params: ['component', 'vhost', 'name'], read: 'management', write: 'policymaker', reason: 'Warren has no runtime parameters (no federation or shovel plugins)' },
  { base: '/api/global-parameters', params: ['name'], read: 'administrator', write: 'administrator', reason: 'Warren has no global runtime parameters' },
  { base: '/api/topic-permissions', params: ['vhost', 'user'], read: 'administrator', write: 'administrator', reason: 'Warren does not check topic permissions: restrict write access to the topic exchange with set_permissions instead' },
];

export function absentFeatureRoutes(app: FastifyInstance, control: ControlPlane): void {
  for (const { base, params, read, write, reason } of ABSENT) {
    // Every prefix of the path parameters is a listing; the full path is one item.
    for (let depth = 0; depth < params.length; depth++) {
      const url = [base, ...params.slice(0, depth).map((p) => `:${p}`)].join('/');
      register(app, control, { method: 'GET', url, level: read, handler: (req) => (checkVhost(control, req), []) });
    }
    const item = [base, ...params.map((p) => `:${p}`)].join('/');
    register(app, control, {
      method: 'GET',
      url: item,
      level: read,
      handler: () => {
        throw objectNotFound();
      },
    });
    register(app, control, {
      method: 'PUT',
      url: item,
      level: write,
      handler: () => {
        throw badRequest(reason);
      },
    });
    register(app, control, {
      method: 'DELETE',
      url: item,
      level: write,
      handler: () => {
        throw objectNotFound();
      },
    });
  }
  const emptyList = (url: string, level: AccessLevel) => register(app, control, { method: 'GET', url, level, handler: () => [] });
  emptyList('/api/users/:user/topic-permissions', 'administrator');
  emptyList('/api/vhosts/:vhost/topic-permissions', 'administrator');
  emptyList('/api/feature-flags', 'administrator');
}

/** A listing scoped to a vhost that does not exist is 404, as in RabbitMQ. */
function checkVhost(control: ControlPlane, req: ApiRequest): void {
  const vhost = req.params.vhost;
  if (vhost !== undefined) control.vhosts.require(vhost);
}
