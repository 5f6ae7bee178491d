/** Shared bits for the storage tests: temp folders, a log that records what it was told, records. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { MessageRecord } from '../../src/storage/record.js';
import { RecordFlag } from '../../src/storage/record.js';
import { SyncScheduler } from '../../src/storage/sync-scheduler.js';

export interface LogLine {
  level: number;
  msg: string;
  file?: string;
  offset?: number;
  reason?: string;
  [key: string]: unknown;
}

/** A pino logger whose lines are kept (parsed) instead of printed. */
export function captureLog(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = pino({ level: 'trace' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { log, lines };
}

/** A fresh temp folder, removed when the test ends. */
export function tempDir(t: { after(fn: () => void): void }, prefix = 'warren-storage-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A scheduler with a short window, closed when the test ends. */
export function scheduler(t: { after(fn: () => Promise<void> | void): void }, log: Logger, intervalMs = 1): SyncScheduler {
  const s = new SyncScheduler({ intervalMs, log });
  t.after(() => s.close().catch(() => {}));
  return s;
}

export function message(seq: number, bodySize = 16, overrides: Partial<MessageRecord> = {}): MessageRecord {
  const body = Buffer.alloc(bodySize);
  for (let i = 0; i < bodySize; i++) body[i] = (seq * 31 + i) & 0xff;
  return {
    flags: RecordFlag.Persistent,
    seq,
    expiresAt: 0,
    exchange: 'amq.direct',
    routingKey: `key.${seq}`,
    header: Buffer.from([0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, bodySize & 0xff, 0x10, 0, 2]),
    body,
    ...overrides,
  };
}
