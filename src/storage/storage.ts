import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AccessControl, AccessObserver } from '../auth/access-control.js';
import type { Binding } from '../broker/binding.js';
import type { BrokerCore } from '../broker/broker-core.js';
import type { Exchange } from '../broker/exchange.js';
import type { Queue } from '../broker/queue.js';
import type { QueueStore, QueueStoreFactory } from '../broker/queue-store.js';
import type { VhostObserver, VirtualHost } from '../broker/vhost.js';
import type { Logger } from '../log.js';
import type { Durability, SyncOutcome } from '../server/durability.js';
import { lockDataDir } from './data-dir-lock.js';
import {
  bindingRecord,
  bindingRecordKey,
  exchangeKey,
  exchangeRecord,
  isDurableBinding,
  Kind,
  permissionKey,
  queueKey,
  queueRecord,
  tableFromBase64,
  type BindingRecord,
  type ExchangeRecord,
  type PermissionRecord,
  type QueueRecord,
  type UserRecord,
  type VhostRecord,
} from './definition-records.js';
import { DefinitionsStore, type Json } from './definitions-store.js';
import { LogQueueStore, type QueueWindow } from './log-queue-store.js';
import { MemoryBudget } from './memory-budget.js';
import { SegmentLog } from './segment-log.js';
import { SyncScheduler } from './sync-scheduler.js';
import { DeliveredMark, DeliveredMarks } from './watermark.js';

export interface StorageOptions {
  dataDir: string;
  log: Logger;
  /** Group-commit window: one fdatasync per dirty file per window. */
  syncIntervalMs: number;
  window?: QueueWindow;
  /** Message bytes all queues together keep in memory before paging new ones to disk. */
  memoryBudgetBytes?: number;
}

const DEFAULT_WINDOW: QueueWindow = { messages: 4096, bytes: 8 * 1024 * 1024 };
const DEFAULT_MEMORY_BUDGET = 256 * 1024 * 1024;
const DELIVERED_MARK_FILE = 'delivered.mark';

/**
 * Everything Warren keeps on disk, in one data folder:
 *   warren.lock                     one broker per folder
 *   definitions.json / .journal     durable exchanges, queues and bindings (later users, vhosts...)
 *   queues/<hash>/                  each durable queue's segment log and delivered mark
 *   transient/                      messages of non-durable queues paged out of memory (wiped at start)
 */
export class Storage implements Durability {
  readonly deliveredMarks = new DeliveredMarks();
  private readonly sync: SyncScheduler;
  private readonly definitions: DefinitionsStore;
  private readonly budget: MemoryBudget;
  private readonly window: QueueWindow;
  private readonly lock: { release(): void };
  private lastDefinitionsEpoch = 0;

  private constructor(private readonly options: StorageOptions) {
    this.lock = lockDataDir(options.dataDir);
    try {
      rmSync(this.transientDir, { recursive: true, force: true });
      mkdirSync(join(options.dataDir, 'queues'), { recursive: true });
      this.sync = new SyncScheduler({ intervalMs: options.syncIntervalMs, log: options.log });
      this.definitions = DefinitionsStore.open(options.dataDir, { sync: this.sync, log: options.log });
    } catch (error) {
      this.lock.release();
      throw error;
    }
    this.budget = new MemoryBudget(options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET);
    this.window = options.window ?? DEFAULT_WINDOW;
  }

  static open(options: StorageOptions): Storage {
    return new Storage(options);
  }

  // --- Durability ------------------------------------------------------------------

  get syncedEpoch(): number {
    return this.sync.syncedEpoch;
  }

  get pendingDefinitionsEpoch(): number {
    return this.lastDefinitionsEpoch > this.sync.syncedEpoch ? this.lastDefinitionsEpoch : 0;
  }

  onSynced(listener: (outcome: SyncOutcome) => void): () => void {
    return this.sync.onSynced(listener);
  }

  // --- queues ------------------------------------------------------------------------

  /** Stores for queues declared from now on. */
  readonly storeFor: QueueStoreFactory = ({ vhostName, name, durable }) => {
    if (durable) {
      const dir = this.queueDir(vhostName, name);
      return this.durableStore(dir, 0, () => this.openQueueLog(dir));
    }
    // A non-durable queue touches the disk only if it outgrows memory.
    const dir = join(this.transientDir, randomBytes(8).toString('hex'));
    return new LogQueueStore({
      durable: false,
      openLog: () => SegmentLog.open(dir, { sync: this.sync, log: this.options.log, durable: false }),
      window: this.window,
      budget: this.budget,
      log: this.options.log,
    });
  };

  private durableStore(dir: string, delivered: number, openLog: () => SegmentLog, recovered?: { log: SegmentLog; readyRecords: number }): QueueStore {
    return new LogQueueStore(
      {
        durable: true,
        openLog,
        window: this.window,
        budget: this.budget,
        delivered: { mark: new DeliveredMark(join(dir, DELIVERED_MARK_FILE), delivered), marks: this.deliveredMarks },
        log: this.options.log,
      },
      recovered,
    );
  }

  private openQueueLog(dir: string): SegmentLog {
    return SegmentLog.open(dir, { sync: this.sync, log: this.options.log, durable: true });
  }

  private queueDir(vhost: string, name: string): string {
    const hash = createHash('sha1').update(vhost).update('\u0000').update(name).digest('hex');
    return join(this.options.dataDir, 'queues', hash);
  }

  private get transientDir(): string {
    return join(this.options.dataDir, 'transient');
  }

  // --- definitions ----------------------------------------------------------------

  /**
   * Recreates vhosts, users, permissions, durable exchanges, queues (with their messages)
   * and bindings, then follows every change. A new data folder gets RabbitMQ's first-boot
   * defaults: vhost `/` and guest/guest with full permissions on it.
   */
  restore(core: BrokerCore, access: AccessControl): void {
    const log = this.options.log;
    const started = Date.now();
    if (this.definitions.get(Kind.Meta, 'initialized') === undefined) {
      log.info('new data folder: creating vhost / and user guest');
      core.observer = this.coreObserver();
      access.observer = this.accessObserver();
      core.addVhost('/');
      access.addDefaults();
      this.noteEpoch(this.definitions.put(Kind.Meta, 'initialized', new Date().toISOString()));
      core.observer = {};
      access.observer = {};
    }
    for (const [, value] of this.definitions.entries(Kind.Vhost)) {
      const record = value as unknown as VhostRecord;
      const vhost = core.addVhost(record.name);
      vhost.description = record.description ?? '';
      vhost.tags = record.tags ?? [];
    }
    for (const [, value] of this.definitions.entries(Kind.User)) {
      const record = value as unknown as UserRecord;
      access.users.put({ name: record.name, passwordHash: record.passwordHash, tags: record.tags });
    }
    for (const [, value] of this.definitions.entries(Kind.Permission)) {
      const record = value as unknown as PermissionRecord;
      access.setPermissions(record.user, record.vhost, record);
    }
    this.restoreTopology(core);
    core.observer = this.coreObserver();
    access.observer = this.accessObserver();
    log.info({ ms: Date.now() - started }, 'definitions restored');
  }

  private restoreTopology(core: BrokerCore): void {
    const log = this.options.log;
    const started = Date.now();
    let messages = 0;
    let queues = 0;
    for (const [, value] of this.definitions.entries(Kind.Exchange)) {
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
    const queueRecords = this.definitions.entries(Kind.Queue);
    for (const [, value] of queueRecords) {
      const record = value as unknown as QueueRecord;
      const dir = this.queueDir(record.vhost, record.name);
      const segmentLog = this.openQueueLog(dir);
      const report = segmentLog.recovery;
      for (const torn of report.tornTails) {
        log.warn({ file: torn.file, offset: torn.offset, reason: torn.reason }, 'skipped a torn tail while recovering queue %s', record.name);
      }
      const delivered = DeliveredMark.read(join(dir, DELIVERED_MARK_FILE));
      const store = this.durableStore(dir, delivered, () => segmentLog, { log: segmentLog, readyRecords: report.unackedRecords });
      core
        .addVhost(record.vhost)
        .restoreQueue(record.name, record.autoDelete, tableFromBase64(record.arguments), store, Math.max(report.maxSeq, delivered));
      queues++;
      messages += report.unackedRecords;
      if (queues % 100 === 0 || report.unackedRecords >= 100_000) {
        log.info({ queues, of: queueRecords.length, messages, ms: Date.now() - started }, 'recovering queues');
      }
    }
    for (const [, value] of this.definitions.entries(Kind.Binding)) {
      const record = value as unknown as BindingRecord;
      const vhost = core.vhost(record.vhost);
      if (!vhost) continue;
      const args = tableFromBase64(record.arguments);
      try {
        if (record.destinationKind === 'queue') vhost.bindQueue(record.destination, record.source, record.routingKey, args, this);
        else vhost.bindExchange(record.destination, record.source, record.routingKey, args);
      } catch (error) {
        log.warn({ err: error, binding: record }, 'dropped a stored binding whose source or destination is gone');
      }
    }
    for (const vhost of core.vhosts.values()) this.observe(vhost);
    log.info({ queues, messages, ms: Date.now() - started }, 'recovered %d durable queues with %d messages', queues, messages);
  }

  private coreObserver() {
    const vhostRecord = (vhost: VirtualHost): Json => ({ name: vhost.name, description: vhost.description, tags: vhost.tags });
    return {
      vhostAdded: (vhost: VirtualHost) => {
        this.noteEpoch(this.definitions.put(Kind.Vhost, vhost.name, vhostRecord(vhost)));
        this.observe(vhost);
      },
      vhostUpdated: (vhost: VirtualHost) => this.noteEpoch(this.definitions.put(Kind.Vhost, vhost.name, vhostRecord(vhost))),
      vhostRemoved: (vhost: VirtualHost) => this.noteEpoch(this.definitions.delete(Kind.Vhost, vhost.name)),
    };
  }

  private accessObserver(): AccessObserver {
    return {
      userPut: (user) => {
        const record: UserRecord = { name: user.name, passwordHash: user.passwordHash, tags: user.tags };
        this.noteEpoch(this.definitions.put(Kind.User, user.name, record as unknown as Json));
      },
      userDeleted: (name) => this.noteEpoch(this.definitions.delete(Kind.User, name)),
      permissionsPut: (vhost, user, set) => {
        const record: PermissionRecord = { vhost, user, configure: set.configure, write: set.write, read: set.read };
        this.noteEpoch(this.definitions.put(Kind.Permission, permissionKey(vhost, user), record as unknown as Json));
      },
      permissionsDeleted: (vhost, user) => this.noteEpoch(this.definitions.delete(Kind.Permission, permissionKey(vhost, user))),
    };
  }

  /** Persists this vhost's durable definition changes from now on. */
  observe(vhost: VirtualHost): void {
    vhost.observer = this.observer(vhost.name);
  }

  private observer(vhostName: string): VhostObserver {
    const put = (kind: string, key: string, value: unknown) => this.noteEpoch(this.definitions.put(kind, key, value as Json));
    const remove = (kind: string, key: string) => this.noteEpoch(this.definitions.delete(kind, key));
    const storedQueue = (queue: Queue) => queue.durable && queue.exclusiveOwner === null;
    return {
      exchangeAdded: (exchange: Exchange) => {
        if (exchange.durable) put(Kind.Exchange, exchangeKey(vhostName, exchange.name), exchangeRecord(exchange));
      },
      exchangeRemoved: (exchange: Exchange) => {
        if (exchange.durable) remove(Kind.Exchange, exchangeKey(vhostName, exchange.name));
      },
      queueAdded: (queue: Queue) => {
        if (storedQueue(queue)) put(Kind.Queue, queueKey(vhostName, queue.name), queueRecord(queue));
      },
      queueRemoved: (queue: Queue) => {
        if (storedQueue(queue)) remove(Kind.Queue, queueKey(vhostName, queue.name));
      },
      bindingAdded: (binding: Binding) => {
        if (isDurableBinding(binding)) put(Kind.Binding, bindingRecordKey(vhostName, binding), bindingRecord(vhostName, binding));
      },
      bindingRemoved: (binding: Binding) => {
        if (isDurableBinding(binding)) remove(Kind.Binding, bindingRecordKey(vhostName, binding));
      },
    };
  }

  private noteEpoch(epoch: number): void {
    this.lastDefinitionsEpoch = Math.max(this.lastDefinitionsEpoch, epoch);
    this.definitions.compactIfLarge();
  }

  /** Writes and syncs everything, then lets go of the data folder. Queues must be closed first. */
  async close(): Promise<void> {
    try {
      await this.sync.close();
      this.definitions.close();
    } finally {
      rmSync(this.transientDir, { recursive: true, force: true });
      this.lock.release();
    }
  }
}
