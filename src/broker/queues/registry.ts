import { preconditionFailed } from '../errors.js';
import { CLASSIC } from './classic.js';
import type { QueueTypeName } from './queue.js';
import type { QueueType } from './queue-type.js';
import { QUORUM } from './quorum.js';

const TYPES: Partial<Record<QueueTypeName, QueueType>> = { classic: CLASSIC, quorum: QUORUM };

/**
 * The queue type a declaration asks for: its x-queue-type, else the vhost's default type
 * (exclusive queues are always classic, as in RabbitMQ). Streams come with their own issue:
 * until then they are refused, never quietly made classic.
 */
export function queueTypeFor(requested: unknown, vhostDefault: QueueTypeName, exclusive: boolean, resource: string): QueueType {
  const name = typeof requested === 'string' ? requested : exclusive ? 'classic' : vhostDefault;
  const type = TYPES[name as QueueTypeName];
  if (type !== undefined) return type;
  if (name === 'stream') {
    throw preconditionFailed(`invalid arg 'x-queue-type' for ${resource}: stream queues are not supported by Warren yet`);
  }
  throw preconditionFailed(`invalid arg 'x-queue-type' for ${resource}: {invalid_value,<<"${name}">>}`);
}

/** The type a stored queue was declared with. */
export function storedQueueType(args: { 'x-queue-type'?: unknown }): QueueType {
  return TYPES[(args['x-queue-type'] as QueueTypeName | undefined) ?? 'classic'] ?? CLASSIC;
}
