import { randomBytes } from 'node:crypto';
import type { Events } from '../events.js';
import type { FieldTable } from '../amqp/field-table.js';
import type { BrokerEventMap, DurabilityPort } from './broker-core.js';
import { bindingKey, type Binding, type Destination } from './binding.js';
import { deadLetter, type DeadLetterOutcome } from './dead-letter.js';
import { fieldValuesEqual } from './field-values.js';
import { accessRefused, commandInvalid, notFound, preconditionFailed, resourceLocked } from './errors.js';
import type { DirectReplyTarget } from './direct-reply.js';
import type { Exchange } from './exchange.js';
import { DefaultExchange } from './exchanges/default.js';
import { validateHeadersBinding } from './exchanges/headers.js';
import { createExchange, isExchangeType } from './exchanges/index.js';
import type { Message } from './message.js';
import { assertEquivalentArguments } from './queues/arguments.js';
import { MEMORY_STORES } from './queues/memory-store.js';
import type { AppliedPolicies, DeathReason, Queue, QueuedMessage, QueueHost, QueueOwner, QueueTypeName } from './queues/queue.js';
import type { QueueParts, QueueType } from './queues/queue-type.js';
import { queueTypeFor, queueTypeNamed, storedQueueType, withDefaultQueueType } from './queues/registry.js';
import { effectiveSettings } from './queues/settings.js';
import { reachedLimit, type Limits } from './limits.js';
import { appliedPolicies, NO_POLICIES, PolicySet, type Policy, type PolicyKind } from './policies.js';
import type { QueueStoreFactory } from './queues/store.js';
import { Routes } from './routes.js';
import type { GlobalStats } from './stats.js';

export interface ExchangeDeclaration {
  name: string;
  type: string;
  passive: boolean;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: FieldTable;
}

export interface QueueDeclaration {
  /** Empty asks the server for a name. */
  name: string;
  passive: boolean;
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  arguments: FieldTable;
}

const PREDECLARED: ReadonlyArray<readonly [string, string]> = [
  ['amq.direct', 'direct'],
  ['amq.fanout', 'fanout'],
  ['amq.topic', 'topic'],
  ['amq.headers', 'headers'],
  ['amq.match', 'headers'],
];

const isReserved = (name: string) => name.startsWith('amq.');



/**
 * One virtual host: its exchanges, queues and bindings, and the rules for changing
 * them, as RabbitMQ applies them (reply codes and the order of checks included).
 * `owner` arguments identify the calling connection, for exclusive queues.
 */
export class VirtualHost implements QueueHost {
  readonly exchanges = new Map<string, Exchange>();
  readonly queues = new Map<string, Queue>();
  readonly defaultExchange: DefaultExchange;
  /** Direct reply-to consumers by the key in their `amq.rabbitmq.reply-to.<key>` address. */
  readonly directReplyTargets = new Map<string, DirectReplyTarget>();
  /** Operators' description and tags (shown by the management API, kept with the definitions). */
  description = '';
  tags: string[] = [];
  /** The type of queues declared without x-queue-type (RabbitMQ's default_queue_type). */
  defaultQueueType: QueueTypeName | undefined;
  /** max-connections, max-queues (RabbitMQ's vhost limits). */
  limits: Limits = {};
  /** Policies and operator policies, matched against every queue and exchange here. */
  readonly policies = new PolicySet();
  readonly operatorPolicies = new PolicySet();
  private readonly routes = new Routes();
  private readonly internalRoutes = new Routes();

  constructor(
    readonly name: string,
    private readonly events: Events<BrokerEventMap>,
    /** The broker's message counters (RabbitMQ's global totals). */
    readonly stats: GlobalStats,
    private readonly durability: DurabilityPort,
    private readonly stores: QueueStoreFactory = MEMORY_STORES,
  ) {
    this.defaultExchange = new DefaultExchange(name, this.queues);
    this.exchanges.set('', this.defaultExchange);
    for (const [exchangeName, type] of PREDECLARED) {
      this.exchanges.set(
        exchangeName,
        createExchange(type, name, exchangeName, { durable: true, autoDelete: false, internal: false, arguments: {} }),
      );
    }
  }

  // --- policies ----------------------------------------------------------------

  /** Adds or replaces a (validated) policy and applies it at once to everything it matches. */
  putPolicy(kind: PolicyKind, policy: Policy): void {
    this.policySet(kind).put(policy);
    this.events.emit('policyPut', this, kind, policy);
    this.applyPolicies();
  }

  deletePolicy(kind: PolicyKind, name: string): boolean {
    if (!this.policySet(kind).delete(name)) return false;
    this.events.emit('policyRemoved', this, kind, name);
    this.applyPolicies();
    return true;
  }

  policySet(kind: PolicyKind): PolicySet {
    return kind === 'operator' ? this.operatorPolicies : this.policies;
  }

  /** Matches every queue and exchange again: their effective settings follow the policies now in force. */
  private applyPolicies(): void {
    for (const queue of this.queues.values()) {
      const type = queueTypeNamed(queue.type);
      const policies = this.policiesForQueue(queue.name, type);
      queue.applySettings(effectiveSettings(queue.arguments, policies.definition, type.settingsRules), policies);
    }
    for (const exchange of this.exchanges.values()) exchange.policies = this.policiesForExchange(exchange.name);
  }

  private policiesForQueue(name: string, type: QueueType): AppliedPolicies {
    if (this.policies.size === 0 && this.operatorPolicies.size === 0) return NO_POLICIES;
    const target = { kind: 'queue', name, type: type.name } as const;
    return appliedPolicies(this.policies.match(target, type.refusedPolicyKeys), this.operatorPolicies.match(target, type.refusedPolicyKeys));
  }

  private policiesForExchange(name: string): AppliedPolicies {
    if (this.policies.size === 0 && this.operatorPolicies.size === 0) return NO_POLICIES;
    const target = { kind: 'exchange', name } as const;
    return appliedPolicies(this.policies.match(target), this.operatorPolicies.match(target));
  }

  // --- limits ------------------------------------------------------------------

  /** Replaces the vhost's limits (validated by validateLimits); existing connections and queues stay. */
  setLimits(limits: Limits): void {
    this.limits = limits;
    this.events.emit('vhostUpdated', this);
  }

  // --- exchanges -------------------------------------------------------------

  declareExchange(request: ExchangeDeclaration): Exchange {
    // RabbitMQ's order of checks: type, default exchange, existence, reserved name, equivalence.
    if (!request.passive && !isExchangeType(request.type)) {
      throw commandInvalid(`unknown exchange type '${request.type}'`);
    }
    if (request.name === '') throw accessRefused('operation not permitted on the default exchange');
    const existing = this.exchanges.get(request.name);
    if (request.passive) {
      if (!existing) throw notFound(`no exchange '${request.name}' in vhost '${this.name}'`);
      return existing;
    }
    if (isReserved(request.name) && !existing) {
      throw accessRefused(`exchange name '${request.name}' contains reserved prefix 'amq.*'`);
    }
    if (existing) {
      this.assertEquivalentExchange(existing, request);
      return existing;
    }
    const exchange = createExchange(request.type, this.name, request.name, {
      durable: request.durable,
      autoDelete: request.autoDelete,
      internal: request.internal,
      arguments: request.arguments,
    });
    exchange.policies = this.policiesForExchange(exchange.name);
    this.exchanges.set(exchange.name, exchange);
    this.events.emit('exchangeAdded', exchange);
    return exchange;
  }

  deleteExchange(name: string, ifUnused: boolean): void {
    if (name === '') throw accessRefused('operation not permitted on the default exchange');
    if (isReserved(name)) {
      throw accessRefused(`deletion of system exchange '${name}' in vhost '${this.name}' not allowed`);
    }
    const exchange = this.exchanges.get(name);
    if (!exchange) return;
    if (ifUnused && exchange.bindings.size > 0) {
      throw preconditionFailed(`exchange '${name}' in vhost '${this.name}' in use`);
    }
    this.removeExchange(exchange);
  }

  /** The exchange a publish names: 404 if missing, 403 if internal. */
  exchangeForPublish(name: string): Exchange {
    const exchange = this.exchanges.get(name);
    if (!exchange) throw notFound(`no exchange '${name}' in vhost '${this.name}'`);
    if (exchange.internal) {
      throw accessRefused(`cannot publish to internal exchange '${name}' in vhost '${this.name}'`);
    }
    return exchange;
  }

  private assertEquivalentExchange(existing: Exchange, request: ExchangeDeclaration): void {
    const resource = `exchange '${existing.name}' in vhost '${this.name}'`;
    const compare = (field: string, current: string | boolean, received: string | boolean) => {
      if (current !== received) {
        throw preconditionFailed(
          `inequivalent arg '${field}' for ${resource}: received '${received}' but current is '${current}'`,
        );
      }
    };
    compare('type', existing.type, request.type);
    compare('durable', existing.durable, request.durable);
    compare('auto_delete', existing.autoDelete, request.autoDelete);
    compare('internal', existing.internal, request.internal);
    // Of the arguments, RabbitMQ compares only the alternate exchange.
    const was = existing.arguments['alternate-exchange'];
    const now = request.arguments['alternate-exchange'];
    if (!(was === undefined && now === undefined) && !fieldValuesEqual(was, now)) {
      const describe = (value: unknown) => (value === undefined ? 'none' : `'${String(value)}'`);
      throw preconditionFailed(
        `inequivalent arg 'alternate-exchange' for ${resource}: received ${describe(now)} but current is ${describe(was)}`,
      );
    }
  }

  private removeExchange(exchange: Exchange): void {
    this.exchanges.delete(exchange.name);
    for (const binding of [...exchange.bindings.values()]) this.detachBinding(binding, false);
    for (const binding of [...exchange.incoming]) this.detachBinding(binding, true);
    this.events.emit('exchangeRemoved', exchange);
  }

  // --- queues ----------------------------------------------------------------

  /**
   * Declares (or checks, when passive) a queue. `authorize` runs once the name is known
   * (server-named queues included) and before anything changes; it throws to refuse.
   */
  declareQueue(request: QueueDeclaration, owner: QueueOwner, authorize?: (name: string, isNew: boolean) => void): Queue {
    if (request.passive) {
      const queue = this.queues.get(request.name);
      if (!queue) throw notFound(`no queue '${request.name}' in vhost '${this.name}'`);
      this.assertAccessible(queue, owner);
      queue.touch();
      return queue;
    }
    const serverNamed = request.name === '';
    const args = withDefaultQueueType(request.arguments, this.defaultQueueType ?? 'classic', request);
    const name = serverNamed ? serverNamedQueue() : request.name;
    const resource = `queue '${name}' in vhost '${this.name}'`;
    // RabbitMQ refuses a server-named queue of a type that cannot have one before anything else.
    const type = serverNamed ? queueTypeFor({ ...request, serverNamed, arguments: args }, resource) : undefined;
    if (!serverNamed && isReserved(name)) {
      throw accessRefused(`queue name '${name}' contains reserved prefix 'amq.*'`);
    }
    const existing = this.queues.get(name);
    authorize?.(name, existing === undefined);
    if (existing) {
      const wantedOwner = request.exclusive ? owner : null;
      if (existing.exclusiveOwner !== wantedOwner) throw lockedError(existing);
      if (existing.durable !== request.durable) {
        throw preconditionFailed(
          `inequivalent arg 'durable' for ${resource}: received '${request.durable}' but current is '${existing.durable}'`,
        );
      }
      if (existing.autoDelete !== request.autoDelete) {
        throw preconditionFailed(
          `inequivalent arg 'auto_delete' for ${resource}: received '${request.autoDelete}' but current is '${existing.autoDelete}'`,
        );
      }
      assertEquivalentArguments(existing.arguments, args, existing.type, resource);
      existing.touch();
      return existing;
    }
    const queueLimit = reachedLimit(this.limits, 'max-queues', this.queues.size);
    if (queueLimit !== undefined) throw preconditionFailed(`cannot declare queue '${name}': queue limit in vhost '${this.name}' (${queueLimit}) is reached`);
    const facts = { serverNamed, durable: request.durable, exclusive: request.exclusive, autoDelete: request.autoDelete, arguments: args };
    const queueType = type ?? queueTypeFor(facts, resource);
    queueType.checkDeclaration(facts, resource);
    const queue = queueType.create(this.queueParts(queueType, name, request.durable, request.autoDelete, request.exclusive ? owner : null, args));
    this.queues.set(name, queue);
    this.events.emit('queueAdded', queue);
    return queue;
  }

  /** A durable queue found in storage at startup: its type recovers its messages. */
  restoreQueue(name: string, autoDelete: boolean, args: FieldTable): Queue {
    const type = storedQueueType(args);
    const queue = type.recover(this.queueParts(type, name, true, autoDelete, null, args));
    this.queues.set(name, queue);
    return queue;
  }

  private queueParts(type: QueueType, name: string, durable: boolean, autoDelete: boolean, exclusiveOwner: QueueOwner | null, args: FieldTable): QueueParts {
    const policies = this.policiesForQueue(name, type);
    return { vhostName: this.name, name, durable, autoDelete, exclusiveOwner, arguments: args, policies, host: this, stores: this.stores };
  }

  /** The vhost is deleted: its policies, queues (with their messages) and exchanges go. */
  deleteEverything(): void {
    for (const kind of ['policy', 'operator'] as const) {
      for (const policy of this.policySet(kind).list()) {
        this.policySet(kind).delete(policy.name);
        this.events.emit('policyRemoved', this, kind, policy.name);
      }
    }
    for (const queue of [...this.queues.values()]) this.removeQueue(queue);
    for (const exchange of [...this.exchanges.values()]) {
      if (exchange.name !== '' && !isReserved(exchange.name)) this.removeExchange(exchange);
    }
    this.directReplyTargets.clear();
  }

  /** The broker stops: queues keep their durable state. */
  close(): void {
    for (const queue of this.queues.values()) queue.close();
  }

  /** The queue a consume, get or purge names: 404 if missing, 405 if another connection's exclusive queue. */
  queueFor(name: string, owner: object): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw notFound(`no queue '${name}' in vhost '${this.name}'`);
    this.assertAccessible(queue, owner);
    return queue;
  }

  /** Deletes a queue; returns its ready-message count. A missing queue is not an error (RabbitMQ 3.x). */
  deleteQueue(name: string, ifUnused: boolean, ifEmpty: boolean, owner: object): number {
    const queue = this.queues.get(name);
    if (!queue) return 0;
    this.assertAccessible(queue, owner);
    queue.assertDeletable(ifUnused, ifEmpty);
    return this.removeQueue(queue);
  }

  purgeQueue(name: string, owner: object): number {
    return this.queueFor(name, owner).purge();
  }

  /** The connection went away: its exclusive queues go with it. */
  ownerGone(owner: object): void {
    for (const queue of [...this.queues.values()]) {
      if (queue.exclusiveOwner === owner) this.removeQueue(queue);
    }
  }

  queueDeletedItself(queue: Queue): void {
    if (this.queues.get(queue.name) === queue) this.removeQueue(queue);
  }

  private removeQueue(queue: Queue): number {
    this.queues.delete(queue.name);
    const dropped = queue.markDeleted();
    for (const binding of [...queue.bindings]) this.detachBinding(binding, true);
    this.events.emit('queueRemoved', queue);
    return dropped;
  }

  private assertAccessible(queue: Queue, owner: object): void {
    if (queue.exclusiveOwner !== null && queue.exclusiveOwner !== owner) throw lockedError(queue);
  }

  // --- bindings ----------------------------------------------------------------

  bindQueue(queueName: string, exchangeName: string, routingKey: string, args: FieldTable, owner: object): void {
    const source = this.bindingSource(exchangeName);
    const queue = this.queueFor(queueName, owner);
    this.attachBinding(source, queue, routingKey, args);
  }

  /** Unbinding something that is not there (binding, queue or exchange) succeeds, as in RabbitMQ 3.10. */
  unbindQueue(queueName: string, exchangeName: string, routingKey: string, args: FieldTable, owner: object): void {
    if (exchangeName === '') throw accessRefused('operation not permitted on the default exchange');
    const source = this.exchanges.get(exchangeName);
    const queue = this.queues.get(queueName);
    if (!source || !queue) return;
    this.assertAccessible(queue, owner);
    const binding = source.bindings.get(bindingKey(queue, routingKey, args));
    if (binding) this.detachBinding(binding, true);
  }

  bindExchange(destinationName: string, sourceName: string, routingKey: string, args: FieldTable): void {
    const destination = this.bindingSource(destinationName);
    const source = this.bindingSource(sourceName);
    this.attachBinding(source, destination, routingKey, args);
  }

  unbindExchange(destinationName: string, sourceName: string, routingKey: string, args: FieldTable): void {
    if (destinationName === '' || sourceName === '') {
      throw accessRefused('operation not permitted on the default exchange');
    }
    const destination = this.exchanges.get(destinationName);
    const source = this.exchanges.get(sourceName);
    if (!destination || !source) return;
    const binding = source.bindings.get(bindingKey(destination, routingKey, args));
    if (binding) this.detachBinding(binding, true);
  }

  private bindingSource(name: string): Exchange {
    if (name === '') throw accessRefused('operation not permitted on the default exchange');
    const exchange = this.exchanges.get(name);
    if (!exchange) throw notFound(`no exchange '${name}' in vhost '${this.name}'`);
    return exchange;
  }

  private attachBinding(source: Exchange, destination: Destination, routingKey: string, args: FieldTable): void {
    if (source.type === 'headers') validateHeadersBinding(args);
    const binding: Binding = {
      source,
      destination,
      routingKey,
      arguments: args,
      key: bindingKey(destination, routingKey, args),
    };
    if (!source.addBinding(binding)) return;
    if (destination.kind === 'queue') destination.bindings.add(binding);
    else destination.incoming.add(binding);
    this.events.emit('bindingAdded', binding);
  }

  /** Removes a binding; an auto-delete source left with no bindings goes too (if allowed). */
  private detachBinding(binding: Binding, autoDeleteSource: boolean): void {
    const { source, destination } = binding;
    source.removeBinding(binding);
    if (destination.kind === 'queue') destination.bindings.delete(binding);
    else destination.incoming.delete(binding);
    this.events.emit('bindingRemoved', binding);
    if (
      autoDeleteSource &&
      source.autoDelete &&
      source.bindings.size === 0 &&
      this.exchanges.get(source.name) === source
    ) {
      this.removeExchange(source);
    }
  }

  // --- routing -----------------------------------------------------------------

  /**
   * The queues a message published to `exchange` reaches, following alternate exchanges.
   * The array is reused by the next call of the same kind (`internal`: dead-lettering):
   * use it before routing again.
   */
  route(exchange: Exchange, message: Message, routingKey: string, internal = false): Queue[] {
    const routes = internal ? this.internalRoutes : this.routes;
    const queues = routes.route(exchange, message, routingKey);
    return queues.length > 0 ? queues : this.routeToAlternate(routes, exchange, message, routingKey);
  }

  /**
   * RabbitMQ's alternate exchanges: a message its exchange cannot route goes to the
   * exchange named by its `alternate-exchange` argument, and on down that chain.
   */
  private routeToAlternate(routes: Routes, exchange: Exchange, message: Message, routingKey: string): Queue[] {
    const visited = new Set<Exchange>([exchange]);
    let current = exchange;
    for (;;) {
      const name = current.alternateExchange;
      const alternate = typeof name === 'string' ? this.exchanges.get(name) : undefined;
      if (alternate === undefined || visited.has(alternate)) return routes.queues;
      visited.add(alternate);
      const queues = routes.route(alternate, message, routingKey);
      if (queues.length > 0) return queues;
      current = alternate;
    }
  }

  deadLetter(queue: Queue, entry: QueuedMessage, reason: DeathReason): DeadLetterOutcome {
    return deadLetter(this, queue, entry, reason);
  }

  whenDurable(ticket: number, done: (ok: boolean) => void): void {
    this.durability.whenDurable(ticket, done);
  }
}

function lockedError(queue: Queue) {
  return resourceLocked(
    `cannot obtain exclusive access to locked ${queue.description}. It could be originally declared on ` +
      'another connection or the exclusive property value does not match that of the original declaration.',
  );
}

/** RabbitMQ's form: amq.gen- and 22 url-safe base64 characters of randomness. */
function serverNamedQueue(): string {
  return `amq.gen-${randomBytes(16).toString('base64url')}`;
}
