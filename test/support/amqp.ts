// Helpers shared by the integration tests: unique names with cleanup,
// connections/channels that never throw unhandled 'error' events, inboxes
// for deliveries with timeouts, and assertions on channel/connection closes.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { TestContext } from 'node:test';
import amqp from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Message, Options, SocketOptions } from 'amqplib';

export type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Message };

/** Default bound for anything we wait for. */
export const WAIT_MS = 3000;
/** Bounded wait used to show that something does NOT happen. */
export const QUIET_MS = 250;

/** AMQP reply-code → the constant name RabbitMQ puts at the start of reply-text. */
export const CODE_NAMES: Record<number, string> = {
  311: 'CONTENT_TOO_LARGE',
  312: 'NO_ROUTE',
  313: 'NO_CONSUMERS',
  320: 'CONNECTION_FORCED',
  402: 'INVALID_PATH',
  403: 'ACCESS_REFUSED',
  404: 'NOT_FOUND',
  405: 'RESOURCE_LOCKED',
  406: 'PRECONDITION_FAILED',
  501: 'FRAME_ERROR',
  502: 'SYNTAX_ERROR',
  503: 'COMMAND_INVALID',
  504: 'CHANNEL_ERROR',
  505: 'UNEXPECTED_FRAME',
  506: 'RESOURCE_ERROR',
  530: 'NOT_ALLOWED',
  540: 'NOT_IMPLEMENTED',
  541: 'INTERNAL_ERROR',
};

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Rejects if `p` has not settled after `ms`. */
export function within<T>(p: Promise<T>, ms = WAIT_MS, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A unique, recognisable name (tests share one broker and run concurrently). */
export function uniqueName(prefix = 'q'): string {
  return `warren-test.${prefix}.${randomBytes(6).toString('hex')}`;
}

// ------------------------------------------------------------ connections

interface Tracked {
  errors: Error[];
  closed: Promise<Error | undefined>;
  isClosed: boolean;
}

const tracked = new WeakMap<object, Tracked>();

function track(emitter: NodeJS.EventEmitter): Tracked {
  let t = tracked.get(emitter);
  if (t) return t;
  const state: Tracked = {
    errors: [],
    isClosed: false,
    closed: new Promise((resolve) => {
      emitter.on('close', (err?: Error) => {
        state.isClosed = true;
        resolve(err ?? state.errors[0]);
      });
    }),
  };
  emitter.on('error', (err: Error) => state.errors.push(err));
  tracked.set(emitter, state);
  return state;
}

/** Opens a connection whose errors are recorded instead of thrown; closed after the test when `t` is given. */
export async function connect(url: string, t?: TestContext, socketOptions?: SocketOptions): Promise<ChannelModel> {
  const conn = await within(amqp.connect(url, socketOptions), WAIT_MS, 'connect');
  track(conn);
  if (t) t.after(() => closeQuietly(conn));
  return conn;
}

export async function closeQuietly(conn: ChannelModel): Promise<void> {
  if (track(conn).isClosed) return;
  try {
    await within(conn.close(), WAIT_MS, 'connection close');
  } catch {
    // already closed or closing: nothing to clean up
  }
}

/** True once the connection has been closed (by either side). */
export function isConnectionClosed(conn: ChannelModel): boolean {
  return track(conn).isClosed;
}

export async function channel(conn: ChannelModel): Promise<Channel> {
  const ch = await within(conn.createChannel(), WAIT_MS, 'channel open');
  track(ch);
  return ch;
}

export async function confirmChannel(conn: ChannelModel): Promise<ConfirmChannel> {
  const ch = await within(conn.createConfirmChannel(), WAIT_MS, 'confirm channel open');
  track(ch);
  return ch;
}

export function isChannelClosed(ch: Channel): boolean {
  return track(ch).isClosed;
}

/** Runs `fn` with a fresh connection, always closing it afterwards. */
export async function withConnection<T>(url: string, fn: (conn: ChannelModel) => Promise<T>): Promise<T> {
  const conn = await connect(url);
  try {
    return await fn(conn);
  } finally {
    await closeQuietly(conn);
  }
}

/** Runs `fn` with a fresh connection and channel, always closing the connection afterwards. */
export async function withChannel<T>(url: string, fn: (ch: Channel, conn: ChannelModel) => Promise<T>): Promise<T> {
  return withConnection(url, async (conn) => fn(await channel(conn), conn));
}

// ------------------------------------------------------------ names with cleanup

/**
 * Hands out unique queue/exchange names and deletes them (over a fresh
 * connection) after the test. Exclusive queues still owned by an open
 * connection (405) are deleted when that connection closes.
 */
export function names(t: TestContext, url: string) {
  const queues: string[] = [];
  const exchanges: string[] = [];
  t.after(async () => {
    if (queues.length === 0 && exchanges.length === 0) return;
    await withConnection(url, async (conn) => {
      let ch = await channel(conn);
      const attempt = async (op: (c: Channel) => Promise<unknown>) => {
        try {
          if (isChannelClosed(ch)) ch = await channel(conn);
          await within(op(ch), WAIT_MS, 'cleanup');
        } catch {
          // missing (404) or still exclusively owned (405): nothing to do
        }
      };
      for (const q of queues) await attempt((c) => c.deleteQueue(q));
      for (const x of exchanges) await attempt((c) => c.deleteExchange(x));
    });
  });
  return {
    queue(prefix = 'q'): string {
      const n = uniqueName(prefix);
      queues.push(n);
      return n;
    },
    exchange(prefix = 'x'): string {
      const n = uniqueName(prefix);
      exchanges.push(n);
      return n;
    },
    /** Registers a server-generated or otherwise given queue name for cleanup. */
    adoptQueue(n: string): string {
      queues.push(n);
      return n;
    },
  };
}

// ------------------------------------------------------------ inboxes

/** A queue of received things with timed waits. */
export class Inbox<T> {
  private items: T[] = [];
  private waiters: Array<() => void> = [];

  push = (item: T): void => {
    this.items.push(item);
    for (const w of this.waiters.splice(0)) w();
  };

  get size(): number {
    return this.items.length;
  }

  /** Everything received so far, without removing it. */
  peekAll(): T[] {
    return [...this.items];
  }

  /** Waits until at least `n` items are present, then removes and returns exactly `n`. */
  async take(n: number, timeoutMs = WAIT_MS): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.items.length < n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms: got ${this.items.length} of ${n} expected items`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        const w = () => done();
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.push(w);
      });
    }
    return this.items.splice(0, n);
  }

  async next(timeoutMs = WAIT_MS): Promise<T> {
    return (await this.take(1, timeoutMs))[0];
  }

  /** Bounded wait (≤ QUIET_MS by default) proving nothing more arrives. */
  async expectNothing(ms = QUIET_MS): Promise<void> {
    await delay(ms);
    assert.equal(this.items.length, 0, `expected nothing more, got ${this.items.length} item(s)`);
  }
}

/**
 * Starts a consumer that puts deliveries (and `null` on server cancel) into
 * an inbox — a new one, or `shared` when several consumers should feed one.
 */
export async function consume(
  ch: Channel,
  queue: string,
  options: Options.Consume = {},
  shared?: Inbox<ConsumeMessage | null>,
) {
  const inbox = shared ?? new Inbox<ConsumeMessage | null>();
  const ok = await within(ch.consume(queue, inbox.push, options), WAIT_MS, 'basic.consume');
  return { consumerTag: ok.consumerTag, inbox };
}

/** Deliveries as strings, for compact order assertions. */
export function bodies(msgs: Array<Message | null>): string[] {
  return msgs.map((m) => (m ? m.content.toString() : '<cancel>'));
}

/** A basic.return as amqplib hands it over. */
export interface Returned {
  content: Buffer;
  fields: { replyCode: number; replyText: string; exchange: string; routingKey: string };
  properties: Message['properties'];
}

/** basic.returns on a channel, as an inbox. */
export function returns(ch: Channel): Inbox<Returned> {
  const inbox = new Inbox<Returned>();
  ch.on('return', inbox.push);
  return inbox;
}

/** basic.get, with a timeout. */
export function get(ch: Channel, queue: string, options: Options.Get = {}) {
  return within(ch.get(queue, options), WAIT_MS, 'basic.get');
}

/** basic.get that must find a message (fails the test on get-empty). */
export async function getOne(ch: Channel, queue: string, options: Options.Get = {}): Promise<Message> {
  const message = await get(ch, queue, options);
  assert.ok(message, `expected a message in ${queue}, got get-empty`);
  return message;
}

/** Publishes each body to the default exchange (routing key = queue). */
export function sendAll(ch: Channel, queue: string, bodyList: string[], options: Options.Publish = {}): void {
  for (const b of bodyList) ch.sendToQueue(queue, Buffer.from(b), options);
}

/** Waits until `queue` holds `n` ready messages (polls passive declare on a throwaway channel). */
export async function waitForReady(conn: ChannelModel, queue: string, n: number, timeoutMs = WAIT_MS): Promise<void> {
  const ch = await channel(conn);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { messageCount } = await within(ch.checkQueue(queue), WAIT_MS, 'queue.declare passive');
      if (messageCount === n) return;
      if (Date.now() > deadline) assert.fail(`queue ${queue} has ${messageCount} ready messages, expected ${n}`);
      await delay(20);
    }
  } finally {
    await ch.close().catch(() => {});
  }
}

/** Makes sure everything published on `ch` before this call has been processed by the server. */
export async function sync(ch: Channel): Promise<void> {
  // Any synchronous method acts as a barrier: the server handles a channel's methods in order.
  await within(ch.checkExchange('amq.direct'), WAIT_MS, 'sync');
}

// ------------------------------------------------------------ closes

export interface CloseInfo {
  code: number;
  text: string;
  classId?: number;
  methodId?: number;
}

/** amqplib's messages end with: `with message "<reply-text>"`. */
function replyTextOf(err: Error): string {
  const m = /with message "([\s\S]*)"$/.exec(err.message);
  return m ? m[1] : err.message;
}

function checkClose(kind: string, err: Error | undefined, code: number, textPrefix: string): CloseInfo {
  assert.ok(err, `${kind} closed without an error (expected ${code})`);
  const e = err as Error & { code?: number; classId?: number; methodId?: number };
  const text = replyTextOf(e);
  assert.equal(e.code, code, `${kind} closed with ${e.code} "${text}", expected ${code}`);
  const codeName = CODE_NAMES[code];
  if (codeName) assert.ok(text.startsWith(`${codeName} - `), `reply-text "${text}" should start with "${codeName} - "`);
  assert.ok(text.startsWith(textPrefix), `reply-text "${text}" should start with "${textPrefix}"`);
  return { code, text, classId: e.classId, methodId: e.methodId };
}

/**
 * Runs `fn` (which may be an RPC that the server answers with channel.close,
 * or a fire-and-forget publish/ack) and asserts that the server closes the
 * channel with `code` and a reply-text starting with `textPrefix` (which must
 * itself start with the code's name, e.g. `PRECONDITION_FAILED - `).
 * The connection must stay open.
 */
export async function expectChannelClosed(
  ch: Channel,
  code: number,
  textPrefix: string,
  fn: () => unknown,
): Promise<CloseInfo> {
  const state = track(ch);
  let rpcError: unknown;
  try {
    await within(Promise.resolve(fn()), WAIT_MS, 'the failing operation');
  } catch (e) {
    rpcError = e;
  }
  const err = await within(state.closed, WAIT_MS, `channel.close ${code}`);
  if (rpcError && (rpcError as { code?: number }).code !== undefined) {
    assert.equal((rpcError as { code?: number }).code, code, 'the rejected operation carries the reply code');
  }
  const conn = (ch as unknown as { connection: object }).connection;
  assert.equal(tracked.get(conn)?.isClosed ?? false, false, 'a channel error must not close the connection');
  return checkClose('channel', err, code, textPrefix);
}

/** Like expectChannelClosed, for server-initiated connection.close. */
export async function expectConnectionClosed(
  conn: ChannelModel,
  code: number,
  textPrefix: string,
  fn: () => unknown,
): Promise<CloseInfo> {
  const state = track(conn);
  try {
    await within(Promise.resolve(fn()), WAIT_MS, 'the failing operation');
  } catch {
    // the pending RPC is rejected because the connection went away
  }
  const err = await within(state.closed, WAIT_MS, `connection.close ${code}`);
  return checkClose('connection', err, code, textPrefix);
}

// ------------------------------------------------------------ methods amqplib does not expose

// amqplib's method table (not in its package exports, so loaded by path).
const require = createRequire(import.meta.url);
const defs = require(path.join(path.dirname(require.resolve('amqplib')), 'lib', 'defs.js')) as Record<string, number>;

type Rpc = { rpc(method: number, fields: object, expect: number): Promise<Record<string, unknown>> };

/** tx.*, confirm.select and basic.recover(requeue) through amqplib's internal RPC. */
export const raw = {
  txSelect: (ch: Channel) => within((ch as unknown as Rpc).rpc(defs.TxSelect, {}, defs.TxSelectOk), WAIT_MS, 'tx.select'),
  txCommit: (ch: Channel) => within((ch as unknown as Rpc).rpc(defs.TxCommit, {}, defs.TxCommitOk), WAIT_MS, 'tx.commit'),
  txRollback: (ch: Channel) => within((ch as unknown as Rpc).rpc(defs.TxRollback, {}, defs.TxRollbackOk), WAIT_MS, 'tx.rollback'),
  confirmSelect: (ch: Channel) =>
    within((ch as unknown as Rpc).rpc(defs.ConfirmSelect, { nowait: false }, defs.ConfirmSelectOk), WAIT_MS, 'confirm.select'),
  recover: (ch: Channel, requeue: boolean) =>
    within((ch as unknown as Rpc).rpc(defs.BasicRecover, { requeue }, defs.BasicRecoverOk), WAIT_MS, 'basic.recover'),
};

// ------------------------------------------------------------ routing

/** Removes and returns every ready message of `queue` (basic.get, no-ack, on `ch`). */
export async function drain(ch: Channel, queue: string): Promise<Message[]> {
  const out: Message[] = [];
  for (;;) {
    const m = await get(ch, queue, { noAck: true });
    if (!m) return out;
    out.push(m);
  }
}

/**
 * Publishes one message per entry to `exchange` (body = the entry's `body`,
 * or its routing key) and returns, per queue, the bodies that arrived, in
 * order. Everything happens on `ch`, whose methods the server handles in
 * order, so the basic.get calls see every publish that routed.
 */
export async function routeAndCollect(
  ch: Channel,
  exchange: string,
  publications: Array<{ key: string; body?: string; headers?: Record<string, unknown> }>,
  queues: string[],
): Promise<string[][]> {
  for (const p of publications) {
    ch.publish(exchange, p.key, Buffer.from(p.body ?? p.key), p.headers ? { headers: p.headers } : {});
  }
  await sync(ch);
  const result: string[][] = [];
  for (const q of queues) result.push((await drain(ch, q)).map((m) => m.content.toString()));
  return result;
}
