import { copyTable, type FieldTable } from '../../amqp/field-table.js';
import { preconditionFailed } from '../errors.js';
import { queueTypeProblem, typeModuleName } from './arguments.js';
import { CLASSIC } from './classic.js';
import type { QueueTypeName } from './queue.js';
import type { DeclarationFacts, QueueType } from './queue-type.js';
import { QUORUM } from './quorum.js';
import { STREAM } from './stream/stream-type.js';

const TYPES: Record<QueueTypeName, QueueType> = { classic: CLASSIC, quorum: QUORUM, stream: STREAM };

/**
 * A new queue's arguments with the vhost's default queue type filled in, as RabbitMQ's
 * augment_declare_args does: only when the client named no type and the declaration
 * suits the default (a quorum queue must be durable, not exclusive, not auto-delete).
 */
export function withDefaultQueueType(args: FieldTable, vhostDefault: QueueTypeName, declaration: Pick<DeclarationFacts, 'durable' | 'exclusive' | 'autoDelete'>): FieldTable {
  if (args['x-queue-type'] !== undefined || vhostDefault === 'classic') return args;
  if (!declaration.durable || declaration.exclusive || declaration.autoDelete) return args;
  const augmented = copyTable(args);
  augmented['x-queue-type'] = vhostDefault;
  return augmented;
}

/**
 * The type a new queue's arguments ask for, refusing what RabbitMQ refuses in its order:
 * a server-named queue of a type that cannot have one, then a bad x-queue-type.
 */
export function queueTypeFor(declaration: DeclarationFacts, resource: string): QueueType {
  const args = declaration.arguments;
  const requested = args['x-queue-type'];
  if (declaration.serverNamed && (requested === 'quorum' || requested === 'stream')) {
    throw preconditionFailed(`Cannot declare a server-named queue for type ${typeModuleName(requested)}`);
  }
  const problem = queueTypeProblem(requested, args);
  if (problem !== undefined) throw preconditionFailed(`invalid arg 'x-queue-type' for ${resource}: ${problem}`);
  return TYPES[(requested as QueueTypeName | undefined) ?? 'classic'];
}

/** The type of an existing queue. */
export function queueTypeNamed(name: QueueTypeName): QueueType {
  return TYPES[name];
}

/** The type a stored queue was declared with. */
export function storedQueueType(args: FieldTable): QueueType {
  return TYPES[(args['x-queue-type'] as QueueTypeName | undefined) ?? 'classic'] ?? CLASSIC;
}
