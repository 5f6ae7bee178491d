import type { QueueOwner } from '../broker/queues/queue.js';
import type { Queue } from '../broker/queues/queue.js';
import type { VirtualHost } from '../broker/vhost.js';
import { queueBindingViews } from './binding-views.js';
import type { ControlContext } from './context.js';
import { objectNotFound } from './errors.js';
import { requireVhost, sortedVhosts } from './exchanges.js';
import { jsonToTable, type JsonObject } from './json-table.js';
import { checkAccess, type Actor } from './permissions.js';
import { queueDetailView, queueView } from './queue-views.js';
import { ALL_VHOSTS, type VhostFilter } from './vhosts.js';

/** PUT /api/queues/{vhost}/{name}. RabbitMQ's defaults: not durable, not auto-delete. */
export interface QueueDeclaration {
  durable?: boolean;
  auto_delete?: boolean;
  arguments?: Record<string, unknown>;
}

/** Queues: read models and declare / delete / purge. */
export class QueuesControl {
  constructor(
    private readonly ctx: ControlContext,
    /** Stands for "a connection" in exclusive-queue checks: never the owner of one. */
    private readonly owner: QueueOwner,
  ) {}

  list(filter: VhostFilter = ALL_VHOSTS): JsonObject[] {
    const views: JsonObject[] = [];
    for (const vhost of sortedVhosts(this.ctx, filter)) for (const queue of sortedQueues(vhost)) views.push(queueView(this.ctx, queue));
    return views;
  }

  listIn(vhostName: string): JsonObject[] {
    return sortedQueues(requireVhost(this.ctx, vhostName)).map((queue) => queueView(this.ctx, queue));
  }

  get(vhostName: string, name: string): JsonObject {
    return queueDetailView(this.ctx, this.require(vhostName, name));
  }

  require(vhostName: string, name: string): Queue {
    const queue = requireVhost(this.ctx, vhostName).queues.get(name);
    if (!queue) throw objectNotFound();
    return queue;
  }

  /** Declares the queue; true if it was created, false if an equivalent one existed. */
  declare(vhostName: string, name: string, request: QueueDeclaration, actor?: Actor): boolean {
    const vhost = requireVhost(this.ctx, vhostName);
    const existed = vhost.queues.has(name);
    const args = jsonToTable(request.arguments);
    vhost.declareQueue(
      { name, passive: false, durable: request.durable ?? false, exclusive: false, autoDelete: request.auto_delete ?? false, arguments: args },
      this.owner,
      (queueName, isNew) => {
        checkAccess(this.ctx, actor, vhostName, 'configure', 'queue', queueName);
        const deadLetterExchange = args['x-dead-letter-exchange'];
        if (isNew && typeof deadLetterExchange === 'string') {
          checkAccess(this.ctx, actor, vhostName, 'read', 'queue', queueName);
          checkAccess(this.ctx, actor, vhostName, 'write', 'exchange', deadLetterExchange);
        }
      },
    );
    return !existed;
  }

  delete(vhostName: string, name: string, conditions: { ifUnused?: boolean; ifEmpty?: boolean }, actor?: Actor): void {
    this.require(vhostName, name);
    checkAccess(this.ctx, actor, vhostName, 'configure', 'queue', name);
    requireVhost(this.ctx, vhostName).deleteQueue(name, conditions.ifUnused ?? false, conditions.ifEmpty ?? false, this.owner);
  }

  /** Drops the queue's ready messages; returns how many. */
  purge(vhostName: string, name: string, actor?: Actor): number {
    this.require(vhostName, name);
    checkAccess(this.ctx, actor, vhostName, 'read', 'queue', name);
    return requireVhost(this.ctx, vhostName).purgeQueue(name, this.owner);
  }

  bindings(vhostName: string, name: string): JsonObject[] {
    return queueBindingViews(this.require(vhostName, name));
  }
}

function sortedQueues(vhost: VirtualHost): Queue[] {
  return [...vhost.queues.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
