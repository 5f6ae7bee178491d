import { Deque } from '../broker/deque.js';
import { requeueInOrder } from '../broker/queues/memory-store.js';
import { Message } from '../broker/message.js';
import type { QueuedMessage } from '../broker/queues/queue.js';
import type { QueueStore } from '../broker/queues/store.js';
import type { Logger } from '../log.js';
import type { MemoryBudget } from '../storage/memory-budget.js';
import { RecordFlag, type MessageRecord, type StoredRecord } from '../storage/record.js';
import type { SegmentLog } from '../storage/segment-log.js';
import type { DeliveredMark, DeliveredMarks } from '../storage/watermark.js';

/** Per-queue limits of the in-memory window at the head of a queue. */
export interface QueueWindow {
  messages: number;
  bytes: number;
}

/** What one message costs in memory beyond its header and body bytes (objects, deque slot). */
const ENTRY_OVERHEAD = 160;
/** Messages read back from disk per refill: big enough to amortise the read, small enough to stay flat. */
const REFILL_RECORDS = 512;
const REFILL_BYTES = 2 * 1024 * 1024;

export interface LogQueueStoreOptions {
  /** Durable queue: persistent messages are written before they are confirmed and survive restarts. */
  durable: boolean;
  /** Every message is kept as if persistent (quorum queues), whatever its delivery mode. */
  persistsEveryMessage: boolean;
  /**
   * Opens the queue's segment log when first needed (empty queues hold no files open),
   * with its delivered mark for a durable queue.
   */
  openLog: () => { log: SegmentLog; mark?: DeliveredMark };
  window: QueueWindow;
  budget: MemoryBudget;
  /** Durable queues only: who writes raised delivered marks before sockets flush. */
  marks?: DeliveredMarks;
  log: Logger;
}

/**
 * A queue's ready messages: a window at the head in memory, the rest in the queue's
 * segment log in order. Persistent messages of a durable queue are always appended to
 * the log (their confirm waits for its sync); everything else is written only when it
 * does not fit the window, and read back in batches when the window runs dry.
 */
export class LogQueueStore implements QueueStore {
  private readonly memory = new Deque<QueuedMessage>();
  private memoryBytes = 0;
  /** Body bytes of every ready message, in memory or only on disk. */
  private readyBodyBytes = 0;
  /** Ready messages only on disk, from `cursor` to the end of the log. */
  private diskCount = 0;
  private cursor = 0;
  private segmentLog: SegmentLog | undefined;
  private mark: DeliveredMark | undefined;

  constructor(
    private readonly options: LogQueueStoreOptions,
    recovered?: { log: SegmentLog; mark?: DeliveredMark; readyRecords: number; readyBodyBytes: number },
  ) {
    if (recovered) {
      this.segmentLog = recovered.log;
      this.mark = recovered.mark;
      this.diskCount = recovered.readyRecords;
      this.readyBodyBytes = recovered.readyBodyBytes;
      this.cursor = recovered.log.start;
    }
  }

  get length(): number {
    return this.memory.length + this.diskCount;
  }

  get bytes(): number {
    return this.readyBodyBytes;
  }

  get overflowing(): boolean {
    return this.diskCount > 0;
  }

  push(entry: QueuedMessage): number {
    const message = entry.message;
    const persistent = this.options.durable && (this.options.persistsEveryMessage || message.persistent);
    const size = sizeOf(message);
    this.readyBodyBytes += message.bodySize;
    if (this.diskCount === 0 && this.fitsWindow(size)) {
      let epoch = 0;
      if (persistent) {
        const log = this.openLog();
        const appended = log.append(recordOf(entry, RecordFlag.Persistent));
        entry.position = appended.position;
        epoch = appended.epoch;
        this.cursor = log.end; // nothing on disk is waiting to be read
      }
      this.keep(entry, size);
      return epoch;
    }
    // Past the window: the message lives only on disk until its turn comes.
    const appended = this.openLog().append(recordOf(entry, persistent ? RecordFlag.Persistent : 0));
    this.diskCount++;
    return persistent ? appended.epoch : 0;
  }

  peek(): QueuedMessage | undefined {
    if (this.memory.length === 0 && this.diskCount > 0) this.refill();
    return this.memory.peek();
  }

  shift(): QueuedMessage | undefined {
    if (this.memory.length === 0 && this.diskCount > 0) this.refill();
    const entry = this.memory.shift();
    if (entry !== undefined) {
      this.release(sizeOf(entry.message));
      this.readyBodyBytes -= entry.message.bodySize;
    }
    return entry;
  }

  requeue(sortedBySeq: readonly QueuedMessage[]): void {
    // Requeued messages were delivered from the window, so they come before anything on disk.
    requeueInOrder(this.memory, sortedBySeq);
    for (const entry of sortedBySeq) {
      const size = sizeOf(entry.message);
      this.memoryBytes += size;
      this.options.budget.take(size);
      this.readyBodyBytes += entry.message.bodySize;
    }
  }

  delivered(entry: QueuedMessage): void {
    const mark = this.mark;
    if (mark !== undefined && entry.position >= 0 && mark.advance(entry.seq)) this.options.marks?.raised(mark);
  }

  settle(entry: QueuedMessage): void {
    if (entry.position >= 0) this.segmentLog?.ack(entry.position);
  }

  purge(): number {
    const purged = this.length;
    for (const entry of this.memory) this.settle(entry);
    this.memory.clear();
    this.release(this.memoryBytes);
    if (this.diskCount > 0 && this.segmentLog) this.segmentLog.ackFrom(this.cursor);
    this.diskCount = 0;
    this.readyBodyBytes = 0;
    if (this.segmentLog) this.cursor = this.segmentLog.end;
    return purged;
  }

  destroy(): void {
    this.memory.clear();
    this.release(this.memoryBytes);
    this.diskCount = 0;
    this.readyBodyBytes = 0;
    this.segmentLog?.destroy();
    this.segmentLog = undefined;
    this.mark?.close();
  }

  close(): void {
    this.release(this.memoryBytes);
    this.segmentLog?.close();
    this.mark?.close();
  }

  private fitsWindow(size: number): boolean {
    const { window, budget } = this.options;
    return this.memory.length < window.messages && this.memoryBytes + size <= window.bytes && budget.fits(size);
  }

  private keep(entry: QueuedMessage, size: number): void {
    this.memory.push(entry);
    this.memoryBytes += size;
    this.options.budget.take(size);
  }

  private release(size: number): void {
    this.memoryBytes -= size;
    this.options.budget.give(size);
  }

  private openLog(): SegmentLog {
    if (this.segmentLog === undefined) {
      const { log, mark } = this.options.openLog();
      this.segmentLog = log;
      this.mark = mark;
      this.cursor = log.end;
    }
    return this.segmentLog;
  }

  /** Reads the next batch of disk-only messages into the window. */
  private refill(): void {
    const log = this.segmentLog!;
    const { records, next } = log.read(this.cursor, REFILL_RECORDS, REFILL_BYTES);
    this.cursor = next;
    if (records.length === 0) {
      // Records counted at recovery but unreadable now (damaged): nothing more is coming.
      this.options.log.warn({ missing: this.diskCount }, 'queue log ended before all recovered messages were read');
      this.diskCount = 0;
      this.readyBodyBytes = 0;
      return;
    }
    this.diskCount = Math.max(0, this.diskCount - records.length);
    const deliveredUpTo = this.mark?.value ?? 0;
    for (const record of records) {
      const entry = entryOf(record, deliveredUpTo);
      this.memory.push(entry);
      const size = sizeOf(entry.message);
      this.memoryBytes += size;
      this.options.budget.take(size);
    }
  }
}

function sizeOf(message: Message): number {
  return message.bodySize + message.header.length + ENTRY_OVERHEAD;
}

function recordOf(entry: QueuedMessage, flags: number): MessageRecord {
  const message = entry.message;
  return {
    flags,
    seq: entry.seq,
    expiresAt: entry.expiresAt,
    exchange: message.exchange,
    routingKey: message.routingKey,
    header: message.header,
    body: message.body,
    priority: entry.priority,
  };
}

function entryOf(record: StoredRecord, deliveredUpTo: number): QueuedMessage {
  return {
    message: new Message(record.exchange, record.routingKey, record.header, record.body),
    seq: record.seq,
    // Anything at or below the mark may already have reached a consumer before a restart.
    redelivered: record.seq <= deliveredUpTo,
    expiresAt: record.expiresAt,
    position: record.position,
    priority: record.priority ?? 0,
    deliveryCount: 0,
  };
}
