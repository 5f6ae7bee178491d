import type { AccessKind } from '../../auth/permissions.js';
import type { Queue, StreamAccess } from '../../broker/queues/queue.js';
import { ResponseCode } from '../protocol/index.js';
import type { StreamConnection } from './connection.js';
import { StreamRefusal } from './errors.js';

/** The stream named `name` in the connection's vhost, if the user may `kind` it. */
export function streamFor(connection: StreamConnection, name: string, kind: AccessKind): StreamAccess {
  return streamQueueFor(connection, name, kind).stream!;
}

export function streamQueueFor(connection: StreamConnection, name: string, kind: AccessKind): Queue {
  checkAccess(connection, kind, 'queue', name);
  const queue = connection.vhost!.queues.get(name);
  if (queue === undefined || queue.stream === undefined) throw new StreamRefusal(ResponseCode.STREAM_DOES_NOT_EXIST, `stream '${name}' does not exist`);
  return queue;
}

export function checkAccess(connection: StreamConnection, kind: AccessKind, resource: 'queue' | 'exchange', name: string): void {
  const user = connection.userName;
  const vhost = connection.vhostName;
  if (!connection.context.access.allows(user, vhost, kind, name)) {
    throw new StreamRefusal(ResponseCode.ACCESS_REFUSED, `${kind} access to ${resource} '${name}' in vhost '${vhost}' refused for user '${user}'`);
  }
}

