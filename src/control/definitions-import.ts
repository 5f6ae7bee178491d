import { BrokerError } from '../broker/errors.js';
import { isExchangeType } from '../broker/exchanges/index.js';
import type { ControlContext } from './context.js';
import { badRequest, ControlError } from './errors.js';
import type { ExchangesControl } from './exchanges.js';
import type { BindingsControl } from './bindings.js';
import type { QueuesControl } from './queues.js';
import { PASSWORD_HASHING_ALGORITHM } from '../auth/user-store.js';
import { checkedHash, parseTags } from './users.js';
import type { UsersControl } from './users.js';
import type { VhostsControl } from './vhosts.js';
import type { LimitsControl } from './limits.js';
import type { PoliciesControl } from './policies.js';

/**
 * Something in the file that Warren did not import, and why. `unsupported`: a RabbitMQ
 * feature Warren does not have (RabbitMQ would have imported it); `invalid`: the item is
 * wrong (RabbitMQ would have refused the file too, e.g. a queue in a vhost that does not exist).
 */
export interface SkippedDefinition {
  kind: string;
  name: string;
  vhost?: string;
  cause: 'unsupported' | 'invalid';
  reason: string;
}

/** Thrown by an item's import when Warren lacks the feature it needs. */
class Unsupported extends Error {}

/** What an import did: counts of what it applied, and each item it could not honour. */
export interface ImportReport {
  imported: Record<string, number>;
  skipped: SkippedDefinition[];
}

type Item = Record<string, unknown>;

/** Queue types Warren does not have; their queues are reported, not silently made classic. */
const UNSUPPORTED_QUEUE_TYPES = new Set(['stream']);

/**
 * Imports RabbitMQ definitions (POST /api/definitions), applying everything Warren can
 * honour, in RabbitMQ's order: users (with their limits), vhosts (with theirs), permissions,
 * runtime parameters (vhost limits), policies, operator policies, queues, exchanges, bindings.
 * With `vhost` set, the file is one vhost's (RabbitMQ's per-vhost format) and every
 * queue, exchange and binding goes there. Nothing is rolled back when an item fails:
 * the report lists each item left out and why.
 */
export class DefinitionsImporter {
  private readonly report: ImportReport = {
    imported: { users: 0, vhosts: 0, permissions: 0, parameters: 0, policies: 0, operator_policies: 0, queues: 0, exchanges: 0, bindings: 0 },
    skipped: [],
  };

  constructor(
    private readonly ctx: ControlContext,
    private readonly parts: {
      users: UsersControl;
      vhosts: VhostsControl;
      queues: QueuesControl;
      exchanges: ExchangesControl;
      bindings: BindingsControl;
      policies: PoliciesControl;
      operatorPolicies: PoliciesControl;
      limits: LimitsControl;
    },
    private readonly vhost?: string,
  ) {}

  run(definitions: unknown): ImportReport {
    if (typeof definitions !== 'object' || definitions === null || Array.isArray(definitions)) {
      throw badRequest('definitions must be a JSON object, as GET /api/definitions returns');
    }
    const file = definitions as Item;
    if (this.vhost === undefined) {
      this.each(file, 'users', 'user', (item) => this.importUser(item));
      this.each(file, 'vhosts', 'vhost', (item) => this.importVhost(item));
      this.each(file, 'permissions', 'permission', (item) => this.importPermission(item));
      this.unsupported(file, 'topic_permissions', 'topic_permission', 'Warren does not check topic permissions');
      this.unsupported(file, 'global_parameters', 'global_parameter', 'Warren has no global runtime parameters');
    }
    this.each(file, 'parameters', 'parameter', (item) => this.importParameter(item));
    // Policies before queues and exchanges, as RabbitMQ imports them: what they match is made under them.
    this.each(file, 'policies', 'policy', (item) => this.importPolicy(item, this.parts.policies, 'policies'));
    this.each(file, 'operator_policies', 'operator_policy', (item) => this.importPolicy(item, this.parts.operatorPolicies, 'operator_policies'));
    this.each(file, 'queues', 'queue', (item) => this.importQueue(item));
    this.each(file, 'exchanges', 'exchange', (item) => this.importExchange(item));
    this.each(file, 'bindings', 'binding', (item) => this.importBinding(item));
    return this.report;
  }

  private importPolicy(item: Item, policies: PoliciesControl, counter: string): void {
    const name = text(item.name, 'name');
    policies.put(this.vhostOf(item), name, item);
    this.report.imported[counter]++;
  }

  /** Runtime parameters: vhost limits are Warren's to honour; federation, shovels and the rest are not (yet). */
  private importParameter(item: Item): void {
    if (item.component !== 'vhost-limits') {
      throw new Unsupported(`runtime parameters of component '${String(item.component)}' need a RabbitMQ plugin Warren does not have`);
    }
    this.parts.limits.setVhostLimits(this.vhostOf(item), item.value);
    this.report.imported.parameters++;
  }

  private importUser(item: Item): void {
    const name = text(item.name, 'name');
    const algorithm = item.hashing_algorithm === undefined ? undefined : text(item.hashing_algorithm, 'hashing_algorithm');
    if (algorithm !== undefined && algorithm !== PASSWORD_HASHING_ALGORITHM && typeof item.password !== 'string') {
      throw new Unsupported(
        `unsupported hashing_algorithm '${algorithm}': Warren checks ${PASSWORD_HASHING_ALGORITHM} hashes only; set the user's password again`,
      );
    }
    const tags = parseTags((item.tags as string | string[] | undefined) ?? []);
    if (typeof item.password === 'string') {
      this.parts.users.put(name, { password: item.password, tags });
    } else {
      const hash = checkedHash(item.password_hash === undefined ? '' : text(item.password_hash, 'password_hash'), algorithm);
      this.parts.users.put(name, { password_hash: hash, tags });
    }
    if (item.limits !== undefined && Object.keys(item.limits as object).length > 0) this.parts.limits.setUserLimits(name, item.limits);
    this.report.imported.users++;
  }

  private importVhost(item: Item): void {
    const name = text(item.name, 'name');
    const metadata = (item.metadata ?? {}) as Item;
    const description = item.description ?? metadata.description;
    const tags = item.tags ?? metadata.tags;
    const defaultQueueType = item.default_queue_type ?? metadata.default_queue_type ?? item.defaultqueuetype;
    this.parts.vhosts.put(name, {
      description: typeof description === 'string' ? description : undefined,
      tags: tags === undefined ? undefined : parseTags(tags as string | string[]),
      defaultQueueType: typeof defaultQueueType === 'string' && defaultQueueType !== 'undefined' ? defaultQueueType : undefined,
    });
    // rabbitmqctl's export has limits as [[key, value]] pairs; Warren's as an object.
    const limits = Array.isArray(item.limits) ? Object.fromEntries(item.limits as [string, number][]) : item.limits;
    if (limits !== undefined && Object.keys(limits as object).length > 0) this.parts.limits.setVhostLimits(name, limits);
    this.report.imported.vhosts++;
  }

  private importPermission(item: Item): void {
    this.parts.users.setPermissions(text(item.vhost, 'vhost'), text(item.user, 'user'), {
      configure: text(item.configure, 'configure'),
      write: text(item.write, 'write'),
      read: text(item.read, 'read'),
    });
    this.report.imported.permissions++;
  }

  private importQueue(item: Item): void {
    const args = (item.arguments ?? {}) as Item;
    const type = args['x-queue-type'];
    if (typeof type === 'string' && UNSUPPORTED_QUEUE_TYPES.has(type)) {
      throw new Unsupported(`${type} queues are not supported by Warren; declare it as a classic queue to keep its messages flowing`);
    }
    this.parts.queues.declare(this.vhostOf(item), text(item.name, 'name'), {
      durable: item.durable === undefined ? true : item.durable === true,
      auto_delete: item.auto_delete === true,
      arguments: args,
    });
    this.report.imported.queues++;
  }

  private importExchange(item: Item): void {
    const type = text(item.type, 'type');
    if (!isExchangeType(type)) {
      throw new Unsupported(`exchange type '${type}' needs a RabbitMQ plugin Warren does not have (it has direct, fanout, topic, headers)`);
    }
    this.parts.exchanges.declare(this.vhostOf(item), text(item.name, 'name'), {
      type,
      durable: item.durable === undefined ? true : item.durable === true,
      auto_delete: item.auto_delete === true,
      internal: item.internal === true,
      arguments: (item.arguments ?? {}) as Record<string, unknown>,
    });
    this.report.imported.exchanges++;
  }

  private importBinding(item: Item): void {
    const destinationType = text(item.destination_type, 'destination_type');
    if (destinationType !== 'queue' && destinationType !== 'exchange') {
      throw badRequest(`destination_type must be queue or exchange, not '${destinationType}'`);
    }
    const vhost = this.vhostOf(item);
    const destination = text(item.destination, 'destination');
    const exists = destinationType === 'queue' ? this.ctx.core.vhost(vhost)?.queues.has(destination) : this.ctx.core.vhost(vhost)?.exchanges.has(destination);
    if (!exists) throw badRequest(`its destination ${destinationType} '${destination}' was not imported or does not exist`);
    this.parts.bindings.bind(
      { vhost, source: text(item.source, 'source'), destinationType, destination },
      { routing_key: item.routing_key === undefined ? '' : text(item.routing_key, 'routing_key'), arguments: (item.arguments ?? {}) as Record<string, unknown> },
    );
    this.report.imported.bindings++;
  }

  private vhostOf(item: Item): string {
    const name = this.vhost ?? text(item.vhost, 'vhost');
    if (!this.ctx.core.vhost(name)) throw badRequest(`vhost '${name}' does not exist and is not in the file`);
    return name;
  }

  /** Applies each item of a section; a failing item is reported and the rest go on. */
  private each(file: Item, section: string, kind: string, apply: (item: Item) => void): void {
    for (const item of items(file, section)) {
      try {
        apply(item);
      } catch (error) {
        this.skip(kind, item, error instanceof Unsupported ? 'unsupported' : 'invalid', reasonOf(error));
      }
    }
  }

  private unsupported(file: Item, section: string, kind: string, reason: string): void {
    for (const item of items(file, section)) this.skip(kind, item, 'unsupported', reason);
  }

  private skip(kind: string, item: Item, cause: SkippedDefinition['cause'], reason: string): void {
    const entry: SkippedDefinition = { kind, name: describe(kind, item), cause, reason };
    const vhost = this.vhost ?? item.vhost;
    if (typeof vhost === 'string') entry.vhost = vhost;
    this.report.skipped.push(entry);
  }
}

function items(file: Item, section: string): Item[] {
  const list = file[section];
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw badRequest(`'${section}' must be a list`);
  return list.filter((item): item is Item => typeof item === 'object' && item !== null && !Array.isArray(item));
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw badRequest(`'${field}' must be a string`);
  return value;
}

/** How an item is named in the report: its name, or what it links for permissions and bindings. */
function describe(kind: string, item: Item): string {
  if (kind === 'permission' || kind === 'topic_permission') return `${String(item.user)}@${String(item.vhost)}`;
  if (kind === 'binding') return `${String(item.source)} -> ${String(item.destination)} (${String(item.routing_key ?? '')})`;
  return String(item.name ?? item.component ?? '');
}

function reasonOf(error: unknown): string {
  if (error instanceof ControlError) return error.message;
  if (error instanceof BrokerError) return error.message;
  return (error as Error).message ?? String(error);
}
