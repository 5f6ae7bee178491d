import { checkConsumerArguments, validateQueueArguments } from './arguments.js';
import { messageQueueOf } from './message-queue.js';
import { PriorityStore } from './priority-store.js';
import type { QueueParts, QueueType } from './queue-type.js';
import type { SettingsRules } from './settings.js';
import type { StoreSpec } from './store.js';

const SETTINGS: SettingsRules = {
  honours: new Set([
    'messageTtl',
    'expires',
    'deadLetterExchange',
    'deadLetterRoutingKey',
    'maxLength',
    'maxLengthBytes',
    'overflow',
    'consumerTimeout',
    'maxPriority',
    'singleActiveConsumer',
  ]),
};

/**
 * RabbitMQ's classic queue: a FIFO (or, with x-max-priority above 0, one FIFO per
 * priority level) of messages that are durable when persistent and the queue is durable.
 */
export const CLASSIC: QueueType = {
  name: 'classic',
  capabilities: { globalQos: true, getWithSingleActiveConsumer: true },
  settingsRules: SETTINGS,
  refusedPolicyKeys: new Set([
    'max-age',
    'stream-max-segment-size-bytes',
    'queue-leader-locator',
    'initial-cluster-size',
    'delivery-limit',
    'dead-letter-strategy',
  ]),
  checkDeclaration(declaration, resource) {
    validateQueueArguments(declaration.arguments, 'classic', resource);
  },
  checkConsumerArguments: checkConsumerArguments,
  create: (parts) =>
    messageQueueOf(CLASSIC, parts, storeSpec(parts), false, (spec, { maxPriority }) =>
      maxPriority ? { store: PriorityStore.create(parts.stores, spec, maxPriority), lastSeq: 0 } : { store: parts.stores.create(spec), lastSeq: 0 },
    ),
  recover: (parts) =>
    messageQueueOf(CLASSIC, parts, storeSpec(parts), false, (spec, { maxPriority }) =>
      maxPriority ? PriorityStore.recover(parts.stores, spec, maxPriority) : (parts.stores.recover(spec) ?? { store: parts.stores.create(spec), lastSeq: 0 }),
    ),
};

function storeSpec(parts: QueueParts): StoreSpec {
  // Exclusive queues never outlive their connection, so nothing of theirs is kept durably.
  const durable = parts.durable && parts.exclusiveOwner === null;
  return { vhostName: parts.vhostName, name: parts.name, durable, persistsEveryMessage: false, part: '', memoryShare: 1 };
}
