import { preconditionFailed } from '../../errors.js';
import type { FieldTable } from '../../../amqp/field-table.js';
import { kindOf, validateQueueArguments } from '../arguments.js';
import type { QueueParts, QueueType } from '../queue-type.js';
import { effectiveSettings, type SettingsRules } from '../settings.js';
import { AMQP10_STREAM_FORMAT } from './amqp10-format.js';
import type { StreamMessageFormat } from './message-format.js';
import { StreamQueue } from './stream-queue.js';

/** RabbitMQ's ?MAX_STREAM_MAX_SEGMENT_SIZE. */
const MAX_SEGMENT_SIZE = 3_000_000_000;
/** osiris' default segment size and chunk filter size. */
const DEFAULT_SEGMENT_SIZE = 500_000_000;
const DEFAULT_FILTER_SIZE = 16;
const INTEGER_TYPES = new Set(['byte', 'short', 'signedint', 'long', 'unsignedbyte', 'unsignedshort', 'unsignedint']);

const SETTINGS: SettingsRules = {
  honours: new Set(['maxLengthBytes', 'maxAgeMs', 'streamMaxSegmentSizeBytes', 'streamFilterSizeBytes']),
  // A stream's policy beats its arguments (rabbit_stream_queue's policy_precedence).
  policyWins: new Set(['maxLengthBytes', 'maxAgeMs', 'streamMaxSegmentSizeBytes', 'streamFilterSizeBytes']),
};

/**
 * RabbitMQ's stream: durable, never exclusive or auto-delete, an append-only log read
 * from offsets. Retention by size and age (per segment); nothing else removes messages,
 * so TTLs, length limits by count, priorities and dead-lettering do not apply and are
 * refused by name at declare time.
 */
export function streamQueueType(format: StreamMessageFormat): QueueType {
  const type: QueueType = {
    name: 'stream',
    capabilities: { globalQos: false, getWithSingleActiveConsumer: false },
    settingsRules: SETTINGS,
    refusedPolicyKeys: new Set([
      'expires',
      'message-ttl',
      'dead-letter-exchange',
      'dead-letter-routing-key',
      'max-length',
      'max-in-memory-length',
      'max-in-memory-bytes',
      'max-priority',
      'overflow',
      'queue-mode',
      'delivery-limit',
      'ha-mode',
      'ha-params',
      'ha-sync-mode',
      'ha-promote-on-shutdown',
      'ha-promote-on-failure',
      'queue-master-locator',
      'dead-letter-strategy',
    ]),
    checkDeclaration(declaration, resource) {
      validateQueueArguments(declaration.arguments, 'stream', resource);
      if (declaration.autoDelete) throw preconditionFailed(`invalid property 'auto-delete' for ${resource}`);
      if (declaration.exclusive) throw preconditionFailed(`invalid property 'exclusive-owner' for ${resource}`);
      if (!declaration.durable) throw preconditionFailed(`invalid property 'non-durable' for ${resource}`);
      const args = declaration.arguments;
      const segment = args['x-stream-max-segment-size-bytes'];
      if (segment !== undefined && Number(segment) > MAX_SEGMENT_SIZE) {
        throw preconditionFailed('Exceeded max value for x-stream-max-segment-size-bytes');
      }
      const filterSize = args['x-stream-filter-size-bytes'];
      if (filterSize !== undefined) {
        if (!INTEGER_TYPES.has(kindOf(filterSize, args, 'x-stream-filter-size-bytes'))) throw preconditionFailed('Invalid type for x-stream-filter-size-bytes');
        if (Number(filterSize) < 16 || Number(filterSize) > 255) throw preconditionFailed('Invalid value for x-stream-filter-size-bytes');
      }
    },
    checkConsumerArguments: checkStreamConsumerArguments,
    create: (parts) => streamQueue(type, parts, format),
    recover: (parts) => streamQueue(type, parts, format),
  };
  return type;
}

function streamQueue(type: QueueType, parts: QueueParts, format: StreamMessageFormat): StreamQueue {
  const settings = effectiveSettings(parts.arguments, parts.policies.definition, type.settingsRules);
  const store = parts.stores.openStream(parts.vhostName, parts.name, {
    maxSegmentBytes: settings.streamMaxSegmentSizeBytes ?? DEFAULT_SEGMENT_SIZE,
    filterSize: settings.streamFilterSizeBytes ?? DEFAULT_FILTER_SIZE,
  });
  return new StreamQueue({
    vhostName: parts.vhostName,
    name: parts.name,
    arguments: parts.arguments,
    policies: parts.policies,
    settings,
    capabilities: type.capabilities,
    store,
    format,
    checkConsumerArguments: type.checkConsumerArguments,
  });
}

/** Consumer arguments RabbitMQ knows but streams do not take (refused by name, as RabbitMQ does). */
const REFUSED_CONSUMER_ARGUMENTS = new Set(['x-priority', 'x-cancel-on-ha-failover', 'x-consumer-timeout']);

/**
 * basic.consume arguments of a stream consumer. Where RabbitMQ 4 quietly turns filtering
 * off for a malformed x-stream-filter, Warren refuses it.
 */
function checkStreamConsumerArguments(args: FieldTable, resource: string): void {
  for (const key of Object.keys(args)) {
    if (REFUSED_CONSUMER_ARGUMENTS.has(key)) throw preconditionFailed(`invalid arg '${key}' for ${resource} of queue type rabbit_stream_queue`);
  }
  const filter = args['x-stream-filter'];
  if (filter !== undefined && typeof filter !== 'string' && !(Array.isArray(filter) && filter.every((v) => typeof v === 'string'))) {
    throw preconditionFailed(`invalid arg 'x-stream-filter' for ${resource}: expected a string or an array of strings, got ${kindOf(filter, args, 'x-stream-filter')}`);
  }
  for (const key of ['x-stream-match-unfiltered', 'x-stream-automatic-offset-tracking']) {
    const value = args[key];
    if (value !== undefined && typeof value !== 'boolean') throw preconditionFailed(`invalid arg '${key}' for ${resource}: expected a boolean, got ${kindOf(value, args, key)}`);
  }
}

/** The stream type as the registry knows it: messages in the AMQP 1.0 format. */
export const STREAM = streamQueueType(AMQP10_STREAM_FORMAT);
