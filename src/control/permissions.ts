import type { AccessKind } from '../auth/permissions.js';
import { accessRefused } from '../broker/errors.js';
import type { ControlContext } from './context.js';

/**
 * Who asks: a user name, whose AMQP permissions apply as if they had sent the same
 * AMQP method (RabbitMQ's management API works through an internal AMQP connection),
 * or undefined for the embedding program itself, which may do anything.
 */
export type Actor = string | undefined;

/** 403 (as a domain error) unless `actor` may `kind` the named resource; the default exchange is amq.default. */
export function checkAccess(
  ctx: ControlContext,
  actor: Actor,
  vhost: string,
  kind: AccessKind,
  resource: 'queue' | 'exchange',
  name: string,
): void {
  if (actor === undefined) return;
  const resourceName = resource === 'exchange' && name === '' ? 'amq.default' : name;
  if (!ctx.access.allows(actor, vhost, kind, resourceName)) {
    throw accessRefused(`access to ${resource} '${resourceName}' in vhost '${vhost}' refused for user '${actor}'`);
  }
}
