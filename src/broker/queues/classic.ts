import { MessageQueue } from './message-queue.js';
import { PriorityStore } from './priority-store.js';
import type { Queue } from './queue.js';
import type { QueueParts, QueueType } from './queue-type.js';
import { checkConsumerArguments, validateQueueArguments } from './arguments.js';
import { effectiveSettings, type SettingsRules } from './settings.js';
import type { QueueStore, StoreSpec } from './store.js';

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
  create: (parts) => classicQueue(parts, (spec, maxPriority) =>
    !maxPriority ? { store: parts.stores.create(spec), lastSeq: 0 } : { store: PriorityStore.create(parts.stores, spec, maxPriority), lastSeq: 0 },
  ),
  recover: (parts) => classicQueue(parts, (spec, maxPriority) =>
    !maxPriority ? (parts.stores.recover(spec) ?? { store: parts.stores.create(spec), lastSeq: 0 }) : PriorityStore.recover(parts.stores, spec, maxPriority),
  ),
};

type StoreOf = (spec: StoreSpec, maxPriority: number | undefined) => { store: QueueStore; lastSeq: number };

function classicQueue(parts: QueueParts, storeOf: StoreOf): Queue {
  const settings = effectiveSettings(parts.arguments, parts.policies.definition, SETTINGS);
  // Exclusive queues never outlive their connection, so nothing of theirs is kept durably.
  const spec: StoreSpec = {
    vhostName: parts.vhostName,
    name: parts.name,
    durable: parts.durable && parts.exclusiveOwner === null,
    persistsEveryMessage: false,
    part: '',
    memoryShare: 1,
  };
  const { store, lastSeq } = storeOf(spec, settings.maxPriority);
  return new MessageQueue({
    ...parts,
    type: 'classic',
    capabilities: CLASSIC.capabilities,
    countsDeliveries: false,
    settings,
    store,
    lastSeq,
    checkConsumerArguments: CLASSIC.checkConsumerArguments,
  });
}
