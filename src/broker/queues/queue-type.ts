import type { FieldTable } from '../../amqp/field-table.js';
import type { AppliedPolicies, Queue, QueueCapabilities, QueueHost, QueueOwner, QueueTypeName } from './queue.js';
import type { SettingsRules } from './settings.js';
import type { QueueStoreFactory } from './store.js';

/** What a declaration asks for, as the type checks it. */
export interface DeclarationFacts {
  /** True when the client asked the server to name the queue. */
  readonly serverNamed: boolean;
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly autoDelete: boolean;
  readonly arguments: FieldTable;
}

/** Everything a queue type needs to make a queue. */
export interface QueueParts {
  readonly vhostName: string;
  readonly name: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly exclusiveOwner: QueueOwner | null;
  readonly arguments: FieldTable;
  readonly policies: AppliedPolicies;
  readonly host: QueueHost;
  readonly stores: QueueStoreFactory;
}

/**
 * A kind of queue (RabbitMQ's rabbit_queue_type): what it accepts at declare time, which
 * arguments and policy keys it honours, which consumer arguments it takes, what
 * protocols may do with it, and how to make one. The registry picks it by x-queue-type.
 */
export interface QueueType {
  readonly name: QueueTypeName;
  readonly capabilities: QueueCapabilities;
  /** Which settings it acts on and its defaults; everything else in arguments and policies does not apply. */
  readonly settingsRules: SettingsRules;
  /**
   * Policy keys it cannot take (RabbitMQ's unsupported_policies): a policy holding any of
   * them does not apply to a queue of this type at all, and the next matching one does.
   */
  readonly refusedPolicyKeys: ReadonlySet<string>;
  /** Refuses (BrokerError, RabbitMQ's code and text) a declaration this type cannot honour. */
  checkDeclaration(declaration: DeclarationFacts, resource: string): void;
  /** Refuses consumer arguments this type cannot honour. */
  checkConsumerArguments(args: FieldTable, resource: string): void;
  /** A new queue. */
  create(parts: QueueParts): Queue;
  /** A durable queue found in storage at startup, with its messages. */
  recover(parts: QueueParts): Queue;
}
