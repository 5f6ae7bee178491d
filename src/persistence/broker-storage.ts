import { existsSync } from 'node:fs';
import type { AccessControl } from '../auth/access-control.js';
import type { Binding } from '../broker/binding.js';
import type { BrokerCore, DurabilityPort } from '../broker/broker-core.js';
import type { Exchange } from '../broker/exchange.js';
import type { Policy, PolicyKind } from '../broker/policies.js';
import { isQueueTypeName, type Queue } from '../broker/queues/queue.js';
import type { QueueStore, QueueStoreFactory, RecoveredStore, StoreSpec } from '../broker/queues/store.js';
import type { VirtualHost } from '../broker/vhost.js';
import type { Json } from '../storage/definitions-store.js';
import type { Storage } from '../storage/storage.js';
import {
  bindingRecord,
  bindingRecordKey,
  exchangeKey,
  exchangeRecord,
  isDurableBinding,
  Kind,
  permissionKey,
  policyKey,
  policyRecord,
  queueKey,
  queueRecord,
  tableFromBase64,
  type BindingRecord,
  type ExchangeRecord,
  type PermissionRecord,
  type PolicyRecord,
  type QueueRecord,
  type UserRecord,
  type VhostRecord,
} from './definition-records.js';
import { LogQueueStore, type QueueWindow } from './log-queue-store.js';

const DEFAULT_WINDOW: QueueWindow = { messages: 4096, bytes: 8 * 1024 * 1024 };
/** The least window a store gets, so a level of a 256-level queue still reads back in useful batches. */
const MIN_WINDOW: QueueWindow = { messages: 64, bytes: 256 * 1024 };

/**
 * The broker's side of storage: queue stores over segment logs, the definitions
 * recreated at startup, and every later durable change journaled as it happens
 * (by listening to the domain's and the access control's events).
 */
export class BrokerStorage {
  private readonly window: QueueWindow;
  /** Messages found in queue logs at startup (for the recovery log lines). */
  private recoveredMessages = 0;

  constructor(
    private readonly storage: Storage,
    window?: QueueWindow,
  ) {
    this.window = window ?? DEFAULT_WINDOW;
  }

  /** The domain's view of group commits: a ticket is durable once its epoch has synced. */
  readonly durability: DurabilityPort = {
    whenDurable: (ticket, done) => {
      if (ticket <= this.storage.syncedEpoch) return done(true);
      this.durableWaiters.push({ ticket, done });
      this.stopWaiting ??= this.storage.onSynced((outcome) => {
        // Taken out first: a waiter may ask to wait again while this runs.
        for (const waiter of this.durableWaiters.splice(0)) {
          if (waiter.ticket <= outcome.epoch) waiter.done(outcome.ok);
          else this.durableWaiters.push(waiter);
        }
      });
    },
  };
  private readonly durableWaiters: { ticket: number; done: (ok: boolean) => void }[] = [];
  private stopWaiting: (() => void) | undefined;

  /** Queue stores over segment logs, for new queues and for those found on disk. */
  readonly stores: QueueStoreFactory = {
    create: (spec) => this.createStore(spec),
    recover: (spec) => this.recoverStore(spec),
    openStream: (vhostName, name, options) => {
      const stream = this.storage.openStream(vhostName, name, options);
      for (const torn of stream.recovery.tornTails) {
        this.storage.log.warn({ file: torn.file, offset: torn.offset, reason: torn.reason }, 'cut a torn tail while recovering stream %s', name);
      }
      return stream;
    },
  };

  private createStore(spec: StoreSpec): QueueStore {
    const { storage } = this;
    const window = this.windowFor(spec);
    if (spec.durable) {
      return new LogQueueStore({
        durable: true,
        persistsEveryMessage: spec.persistsEveryMessage,
        openLog: () => storage.openDurableLog(spec.vhostName, spec.name, spec.part),
        window,
        budget: storage.budget,
        marks: storage.deliveredMarks,
        log: storage.log,
      });
    }
    // A non-durable queue touches the disk only if it outgrows memory.
    return new LogQueueStore({
      durable: false,
      persistsEveryMessage: false,
      openLog: () => ({ log: storage.openScratchLog() }),
      window,
      budget: storage.budget,
      log: storage.log,
    });
  }

  /** A store's share of a queue's window (a priority level gets a slice), never below a useful minimum. */
  private windowFor(spec: StoreSpec): QueueWindow {
    if (spec.memoryShare >= 1) return this.window;
    return {
      messages: Math.max(MIN_WINDOW.messages, Math.ceil(this.window.messages * spec.memoryShare)),
      bytes: Math.max(MIN_WINDOW.bytes, Math.ceil(this.window.bytes * spec.memoryShare)),
    };
  }

  /** A stored queue's log (or one part of it) reopened, torn tails cut; undefined when there is none. */
  private recoverStore(spec: StoreSpec): RecoveredStore | undefined {
    const { storage } = this;
    if (spec.part !== '' && !existsSync(storage.durableDir(spec.vhostName, spec.name, spec.part))) return undefined;
    const { log: segmentLog, mark } = storage.openDurableLog(spec.vhostName, spec.name, spec.part);
    const report = segmentLog.recovery;
    for (const torn of report.tornTails) {
      storage.log.warn({ file: torn.file, offset: torn.offset, reason: torn.reason }, 'skipped a torn tail while recovering queue %s', spec.name);
    }
    this.recoveredMessages += report.unackedRecords;
    const store = new LogQueueStore(
      {
        durable: true,
        persistsEveryMessage: spec.persistsEveryMessage,
        openLog: () => ({ log: segmentLog, mark }),
        window: this.windowFor(spec),
        budget: storage.budget,
        marks: storage.deliveredMarks,
        log: storage.log,
      },
      { log: segmentLog, mark, readyRecords: report.unackedRecords, readyBodyBytes: report.unackedBodyBytes },
    );
    return { store, lastSeq: Math.max(report.maxSeq, mark.value) };
  }

  /**
   * Recreates vhosts, users, permissions, durable exchanges, queues (with their messages)
   * and bindings, then follows every change. A new data folder gets RabbitMQ's first-boot
   * defaults: vhost `/` and guest/guest with full permissions on it.
   */
  restore(core: BrokerCore, access: AccessControl): void {
    const { storage } = this;
    const log = storage.log;
    const started = Date.now();
    if (storage.getDefinition(Kind.Meta, 'initialized') === undefined) {
      log.info('new data folder: creating vhost / and user guest');
      const stop = this.follow(core, access);
      core.addVhost('/');
      access.addDefaults();
      storage.putDefinition(Kind.Meta, 'initialized', new Date().toISOString());
      stop();
    }
    for (const [, value] of storage.definitionEntries(Kind.Vhost)) {
      const record = value as unknown as VhostRecord;
      const vhost = core.addVhost(record.name);
      vhost.description = record.description ?? '';
      vhost.tags = record.tags ?? [];
      if (record.defaultQueueType !== undefined && isQueueTypeName(record.defaultQueueType)) vhost.defaultQueueType = record.defaultQueueType;
      vhost.limits = record.limits ?? {};
    }
    for (const [, value] of storage.definitionEntries(Kind.User)) {
      const record = value as unknown as UserRecord;
      access.users.put({ name: record.name, passwordHash: record.passwordHash, tags: record.tags, limits: record.limits });
    }
    for (const [, value] of storage.definitionEntries(Kind.Permission)) {
      const record = value as unknown as PermissionRecord;
      access.setPermissions(record.user, record.vhost, record);
    }
    this.restoreTopology(core);
    this.follow(core, access);
    log.info({ ms: Date.now() - started }, 'definitions restored');
  }

  private restoreTopology(core: BrokerCore): void {
    const { storage } = this;
    const log = storage.log;
    const started = Date.now();
    // Policies first, so that exchanges and queues come back with their effective settings.
    for (const [kind, recordKind] of [['policy', Kind.Policy], ['operator', Kind.OperatorPolicy]] as const) {
      for (const [, value] of storage.definitionEntries(recordKind)) {
        const record = value as unknown as PolicyRecord;
        const policy = { ...record, applyTo: record.applyTo as Policy['applyTo'] };
        core.vhost(record.vhost)?.putPolicy(kind, policy);
      }
    }
    let queues = 0;
    for (const [, value] of storage.definitionEntries(Kind.Exchange)) {
      const record = value as unknown as ExchangeRecord;
      core.addVhost(record.vhost).declareExchange({
        name: record.name,
        type: record.type,
        passive: false,
        durable: true,
        autoDelete: record.autoDelete,
        internal: record.internal,
        arguments: tableFromBase64(record.arguments),
      });
    }
    const queueRecords = storage.definitionEntries(Kind.Queue);
    for (const [, value] of queueRecords) {
      const record = value as unknown as QueueRecord;
      const before = this.recoveredMessages;
      core.addVhost(record.vhost).restoreQueue(record.name, record.autoDelete, tableFromBase64(record.arguments));
      queues++;
      if (queues % 100 === 0 || this.recoveredMessages - before >= 100_000) {
        log.info({ queues, of: queueRecords.length, messages: this.recoveredMessages, ms: Date.now() - started }, 'recovering queues');
      }
    }
    // Stands for "a connection" in exclusive-queue checks: stored queues are never exclusive.
    const owner = { name: 'recovery', peerHost: '', peerPort: 0 };
    for (const [, value] of storage.definitionEntries(Kind.Binding)) {
      const record = value as unknown as BindingRecord;
      const vhost = core.vhost(record.vhost);
      if (!vhost) continue;
      const args = tableFromBase64(record.arguments);
      try {
        if (record.destinationKind === 'queue') vhost.bindQueue(record.destination, record.source, record.routingKey, args, owner);
        else vhost.bindExchange(record.destination, record.source, record.routingKey, args);
      } catch (error) {
        log.warn({ err: error, binding: record }, 'dropped a stored binding whose source or destination is gone');
      }
    }
    const messages = this.recoveredMessages;
    log.info({ queues, messages, ms: Date.now() - started }, 'recovered %d durable queues with %d messages', queues, messages);
  }

  /** Journals every durable change from now on; returns the function that stops it. */
  private follow(core: BrokerCore, access: AccessControl): () => void {
    const { storage } = this;
    const put = (kind: string, key: string, value: unknown) => storage.putDefinition(kind, key, value as Json);
    const remove = (kind: string, key: string) => storage.deleteDefinition(kind, key);
    const vhostRecord = (vhost: VirtualHost): VhostRecord => ({
      name: vhost.name,
      description: vhost.description,
      tags: vhost.tags,
      defaultQueueType: vhost.defaultQueueType,
      limits: { ...vhost.limits },
    });
    const policyKind = (kind: PolicyKind) => (kind === 'operator' ? Kind.OperatorPolicy : Kind.Policy);
    const storedQueue = (queue: Queue) => queue.durable && queue.exclusiveOwner === null;
    const events = core.events;
    const stops = [
      events.on('vhostAdded', (vhost) => put(Kind.Vhost, vhost.name, vhostRecord(vhost))),
      events.on('vhostUpdated', (vhost) => put(Kind.Vhost, vhost.name, vhostRecord(vhost))),
      events.on('vhostRemoved', (vhost) => remove(Kind.Vhost, vhost.name)),
      events.on('exchangeAdded', (exchange: Exchange) => {
        if (exchange.durable) put(Kind.Exchange, exchangeKey(exchange.vhostName, exchange.name), exchangeRecord(exchange));
      }),
      events.on('exchangeRemoved', (exchange: Exchange) => {
        if (exchange.durable) remove(Kind.Exchange, exchangeKey(exchange.vhostName, exchange.name));
      }),
      events.on('queueAdded', (queue: Queue) => {
        if (storedQueue(queue)) put(Kind.Queue, queueKey(queue.vhostName, queue.name), queueRecord(queue));
      }),
      events.on('queueRemoved', (queue: Queue) => {
        if (storedQueue(queue)) remove(Kind.Queue, queueKey(queue.vhostName, queue.name));
      }),
      events.on('bindingAdded', (binding: Binding) => {
        const vhost = binding.source.vhostName;
        if (isDurableBinding(binding)) put(Kind.Binding, bindingRecordKey(vhost, binding), bindingRecord(vhost, binding));
      }),
      events.on('bindingRemoved', (binding: Binding) => {
        if (isDurableBinding(binding)) remove(Kind.Binding, bindingRecordKey(binding.source.vhostName, binding));
      }),
      events.on('policyPut', (vhost, kind, policy) => put(policyKind(kind), policyKey(vhost.name, policy.name), policyRecord(policy))),
      events.on('policyRemoved', (vhost, kind, name) => remove(policyKind(kind), policyKey(vhost.name, name))),
      access.events.on('userPut', (user) => {
        const record: UserRecord = { name: user.name, passwordHash: user.passwordHash, tags: user.tags };
        if (user.limits !== undefined && Object.keys(user.limits).length > 0) record.limits = { ...user.limits };
        put(Kind.User, user.name, record);
      }),
      access.events.on('userDeleted', (name) => remove(Kind.User, name)),
      access.events.on('permissionsPut', (vhost, user, set) => {
        const record: PermissionRecord = { vhost, user, configure: set.configure, write: set.write, read: set.read };
        put(Kind.Permission, permissionKey(vhost, user), record);
      }),
      access.events.on('permissionsDeleted', (vhost, user) => remove(Kind.Permission, permissionKey(vhost, user))),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  }
}
