import { preconditionFailed } from '../errors.js';
import { checkConsumerArguments, validateQueueArguments } from './arguments.js';
import { messageQueueOf } from './message-queue.js';
import type { QueueParts, QueueType } from './queue-type.js';
import type { SettingsRules } from './settings.js';
import type { StoreSpec } from './store.js';

/** RabbitMQ 4.0's default: a message returned 20 times is dead-lettered (or dropped). */
const DEFAULT_DELIVERY_LIMIT = 20;

const SETTINGS: SettingsRules = {
  honours: new Set([
    'messageTtl',
    'expires',
    'deadLetterExchange',
    'deadLetterRoutingKey',
    'maxLength',
    'maxLengthBytes',
    'overflow',
    'deliveryLimit',
    'deadLetterStrategy',
    'consumerTimeout',
    'singleActiveConsumer',
  ]),
  defaults: { deliveryLimit: DEFAULT_DELIVERY_LIMIT },
  rejectPublishDlxIsDropHead: true,
  policyWins: new Set(['overflow']),
};

/**
 * RabbitMQ's quorum queue, on one node: always durable, every message kept on disk,
 * returns counted against a delivery limit (poison messages dead-lettered), no global
 * prefetch. Replication across nodes is the cluster's business; this type is its seam.
 */
export const QUORUM: QueueType = {
  name: 'quorum',
  capabilities: { globalQos: false, getWithSingleActiveConsumer: false },
  settingsRules: SETTINGS,
  refusedPolicyKeys: new Set([
    'max-priority',
    'queue-mode',
    'single-active-consumer',
    'ha-mode',
    'ha-params',
    'ha-sync-mode',
    'ha-sync-batch-size',
    'ha-promote-on-shutdown',
    'ha-promote-on-failure',
    'queue-master-locator',
    'max-age',
    'stream-max-segment-size-bytes',
    'initial-cluster-size',
  ]),
  checkDeclaration(declaration, resource) {
    // Server-named quorum queues were refused (registry) before anything else.
    validateQueueArguments(declaration.arguments, 'quorum', resource);
    if (declaration.autoDelete) throw preconditionFailed(`invalid property 'auto-delete' for ${resource}`);
    if (declaration.exclusive) throw preconditionFailed(`invalid property 'exclusive-owner' for ${resource}`);
    if (!declaration.durable) throw preconditionFailed(`invalid property 'non-durable' for ${resource}`);
  },
  checkConsumerArguments: checkConsumerArguments,
  create: (parts) => messageQueueOf(QUORUM, parts, storeSpec(parts), true, (spec) => ({ store: parts.stores.create(spec), lastSeq: 0 })),
  recover: (parts) =>
    messageQueueOf(QUORUM, parts, storeSpec(parts), true, (spec) => parts.stores.recover(spec) ?? { store: parts.stores.create(spec), lastSeq: 0 }),
};

function storeSpec(parts: QueueParts): StoreSpec {
  return { vhostName: parts.vhostName, name: parts.name, durable: true, persistsEveryMessage: true, part: '', memoryShare: 1 };
}
