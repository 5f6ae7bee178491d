import type { FieldTable } from '../amqp/field-table.js';
import type { Binding } from './binding.js';
import type { Message } from './message.js';
import type { Routes } from './routes.js';
import { NO_POLICIES } from './policies.js';
import type { AppliedPolicies } from './queues/queue.js';
import { ExchangeStats } from './stats.js';

export interface ExchangeOptions {
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: FieldTable;
}

/**
 * An exchange routes a message to destinations by its bindings; each type decides how.
 * Bindings whose destination is another exchange are followed by the vhost's router.
 */
export abstract class Exchange {
  readonly kind = 'exchange' as const;
  abstract readonly type: string;
  /** Bindings where this exchange is the source, by binding key. */
  readonly bindings = new Map<string, Binding>();
  /** Bindings where this exchange is the destination (exchange-to-exchange). */
  readonly incoming = new Set<Binding>();
  routeMark = 0;
  readonly stats = new ExchangeStats();
  /** The policies in effect (the vhost matches them). */
  policies: AppliedPolicies = NO_POLICIES;

  constructor(
    readonly vhostName: string,
    readonly name: string,
    readonly options: ExchangeOptions,
  ) {}

  get durable(): boolean {
    return this.options.durable;
  }
  get autoDelete(): boolean {
    return this.options.autoDelete;
  }
  get internal(): boolean {
    return this.options.internal;
  }
  get arguments(): FieldTable {
    return this.options.arguments;
  }
  /** Where unroutable messages go: the argument, else the policy's (RabbitMQ: the argument wins). */
  get alternateExchange(): string | undefined {
    const fromArgument = this.options.arguments['alternate-exchange'];
    if (typeof fromArgument === 'string') return fromArgument;
    const fromPolicy = this.policies.definition['alternate-exchange'];
    return typeof fromPolicy === 'string' ? fromPolicy : undefined;
  }

  /** Adds the binding to the type's index. Returns false if it already existed. */
  addBinding(binding: Binding): boolean {
    if (this.bindings.has(binding.key)) return false;
    this.bindings.set(binding.key, binding);
    this.indexBinding(binding);
    return true;
  }

  removeBinding(binding: Binding): boolean {
    if (!this.bindings.delete(binding.key)) return false;
    this.unindexBinding(binding);
    return true;
  }

  /** Adds every destination `message` reaches through this exchange's own bindings. */
  abstract route(message: Message, routingKey: string, routes: Routes): void;

  protected abstract indexBinding(binding: Binding): void;
  protected abstract unindexBinding(binding: Binding): void;
}
