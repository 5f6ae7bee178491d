// A deliberately tiny AMQP 0-9-1 client over a raw TCP socket. It exists for
// the checks amqplib refuses to make: bad protocol headers, oversized or
// malformed frames, AMQPLAIN, clients that do not advertise
// authentication_failure_close, silent clients, channel.flow, and so on.
// It encodes only the handful of methods the tests need and decodes frames
// just far enough to see class/method ids and the close reasons.

import net from 'node:net';

export const FRAME_METHOD = 1;
export const FRAME_HEADER = 2;
export const FRAME_BODY = 3;
export const FRAME_HEARTBEAT = 8;
export const FRAME_END = 0xce;

export const AMQP_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]); // "AMQP" 0 0 9 1

// ---------------------------------------------------------------- encoding

export function shortstr(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  if (b.length > 255) throw new Error('shortstr too long');
  return Buffer.concat([Buffer.from([b.length]), b]);
}

export function longstr(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

export function octet(n: number): Buffer {
  return Buffer.from([n & 0xff]);
}

export function short(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

export function long(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export function longlong(n: number | bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** Packs consecutive AMQP bit fields into octets, first bit = lowest bit. */
export function bits(...flags: boolean[]): Buffer {
  const out = Buffer.alloc(Math.ceil(flags.length / 8) || 1);
  flags.forEach((f, i) => {
    if (f) out[i >> 3] |= 1 << (i & 7);
  });
  return out;
}

export type TableValue = string | boolean | number | Buffer | TableValue[] | { [k: string]: TableValue };

/** Field table with the small set of types a client handshake needs. */
export function table(fields: Record<string, TableValue>): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(shortstr(k), fieldValue(v));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([long(body.length), body]);
}

function fieldValue(v: TableValue): Buffer {
  if (typeof v === 'string') return Buffer.concat([Buffer.from('S'), longstr(v)]);
  if (typeof v === 'boolean') return Buffer.from([0x74 /* t */, v ? 1 : 0]);
  if (typeof v === 'number') {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return Buffer.concat([Buffer.from('I'), b]);
  }
  if (Buffer.isBuffer(v)) return Buffer.concat([Buffer.from('x'), longstr(v)]);
  if (Array.isArray(v)) {
    const body = Buffer.concat(v.map(fieldValue));
    return Buffer.concat([Buffer.from('A'), long(body.length), body]);
  }
  return Buffer.concat([Buffer.from('F'), table(v)]);
}

/** A whole frame: type, channel, size, payload, frame-end (overridable to test bad frame ends). */
export function frame(type: number, channel: number, payload: Buffer, frameEnd = FRAME_END): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt8(type, 0);
  head.writeUInt16BE(channel, 1);
  head.writeUInt32BE(payload.length, 3);
  return Buffer.concat([head, payload, Buffer.from([frameEnd])]);
}

export function methodPayload(classId: number, methodId: number, ...args: Buffer[]): Buffer {
  return Buffer.concat([short(classId), short(methodId), ...args]);
}

export function methodFrame(channel: number, classId: number, methodId: number, ...args: Buffer[]): Buffer {
  return frame(FRAME_METHOD, channel, methodPayload(classId, methodId, ...args));
}

/** Content header with no properties (property flags 0). */
export function contentHeaderFrame(channel: number, classId: number, bodySize: number): Buffer {
  return frame(FRAME_HEADER, channel, Buffer.concat([short(classId), short(0), longlong(bodySize), short(0)]));
}

// The methods the tests send, by name.
export const M = {
  startOk: (clientProperties: Record<string, TableValue>, mechanism: string, response: Buffer, locale = 'en_US') =>
    methodFrame(0, 10, 11, table(clientProperties), shortstr(mechanism), longstr(response), shortstr(locale)),
  tuneOk: (channelMax: number, frameMax: number, heartbeat: number) =>
    methodFrame(0, 10, 31, short(channelMax), long(frameMax), short(heartbeat)),
  open: (vhost = '/') => methodFrame(0, 10, 40, shortstr(vhost), shortstr(''), bits(false)),
  close: (code = 200, text = 'bye', classId = 0, methodId = 0) =>
    methodFrame(0, 10, 50, short(code), shortstr(text), short(classId), short(methodId)),
  closeOk: () => methodFrame(0, 10, 51),
  channelOpen: (ch: number) => methodFrame(ch, 20, 10, shortstr('')),
  channelFlow: (ch: number, active: boolean) => methodFrame(ch, 20, 20, bits(active)),
  channelClose: (ch: number, code = 200, text = 'bye') => methodFrame(ch, 20, 40, short(code), shortstr(text), short(0), short(0)),
  channelCloseOk: (ch: number) => methodFrame(ch, 20, 41),
  queueDeclare: (ch: number, name: string, opts: { passive?: boolean; durable?: boolean; exclusive?: boolean; autoDelete?: boolean } = {}) =>
    methodFrame(ch, 50, 10, short(0), shortstr(name),
      bits(!!opts.passive, !!opts.durable, !!opts.exclusive, !!opts.autoDelete, false), table({})),
  queueDelete: (ch: number, name: string) => methodFrame(ch, 50, 40, short(0), shortstr(name), bits(false, false, false)),
  basicPublish: (ch: number, exchange: string, routingKey: string, mandatory = false) =>
    methodFrame(ch, 60, 40, short(0), shortstr(exchange), shortstr(routingKey), bits(mandatory, false)),
  basicConsume: (ch: number, queue: string, consumerTag: string, opts: { noAck?: boolean; exclusive?: boolean } = {}) =>
    methodFrame(ch, 60, 20, short(0), shortstr(queue), shortstr(consumerTag),
      bits(false, !!opts.noAck, !!opts.exclusive, false), table({})),
  basicGet: (ch: number, queue: string, noAck = true) => methodFrame(ch, 60, 70, short(0), shortstr(queue), bits(noAck)),
  heartbeat: () => frame(FRAME_HEARTBEAT, 0, Buffer.alloc(0)),
};

/** PLAIN response: \0user\0password */
export function plainResponse(user: string, pass: string): Buffer {
  return Buffer.from(`\0${user}\0${pass}`, 'utf8');
}

/** AMQPLAIN response: a field table body *without* its length prefix, holding LOGIN and PASSWORD. */
export function amqplainResponse(user: string, pass: string): Buffer {
  return table({ LOGIN: user, PASSWORD: pass }).subarray(4);
}

// ---------------------------------------------------------------- decoding

export interface Frame {
  type: number;
  channel: number;
  payload: Buffer;
  /** For method frames. */
  classId?: number;
  methodId?: number;
}

export interface CloseReason {
  replyCode: number;
  replyText: string;
  classId: number;
  methodId: number;
}

/** Decodes connection.close / channel.close arguments. */
export function decodeClose(f: Frame): CloseReason {
  const p = f.payload;
  const replyCode = p.readUInt16BE(4);
  const textLen = p.readUInt8(6);
  const replyText = p.subarray(7, 7 + textLen).toString('utf8');
  const classId = p.readUInt16BE(7 + textLen);
  const methodId = p.readUInt16BE(9 + textLen);
  return { replyCode, replyText, classId, methodId };
}

/** Decodes a field table starting at `offset` (length-prefixed). Returns the table and the offset after it. */
export function decodeTable(buf: Buffer, offset: number): [Record<string, unknown>, number] {
  const len = buf.readUInt32BE(offset);
  let pos = offset + 4;
  const end = pos + len;
  const out: Record<string, unknown> = {};
  while (pos < end) {
    const klen = buf.readUInt8(pos);
    const key = buf.subarray(pos + 1, pos + 1 + klen).toString('utf8');
    pos += 1 + klen;
    const [val, next] = decodeValue(buf, pos);
    out[key] = val;
    pos = next;
  }
  return [out, end];
}

function decodeValue(buf: Buffer, pos: number): [unknown, number] {
  const t = String.fromCharCode(buf[pos]);
  pos += 1;
  switch (t) {
    case 't': return [buf[pos] !== 0, pos + 1];
    case 'b': return [buf.readInt8(pos), pos + 1];
    case 'B': return [buf.readUInt8(pos), pos + 1];
    case 's': return [buf.readInt16BE(pos), pos + 2];
    case 'u': return [buf.readUInt16BE(pos), pos + 2];
    case 'I': return [buf.readInt32BE(pos), pos + 4];
    case 'i': return [buf.readUInt32BE(pos), pos + 4];
    case 'l': return [buf.readBigInt64BE(pos), pos + 8];
    case 'f': return [buf.readFloatBE(pos), pos + 4];
    case 'd': return [buf.readDoubleBE(pos), pos + 8];
    case 'D': return [{ scale: buf[pos], value: buf.readUInt32BE(pos + 1) }, pos + 5];
    case 'T': return [buf.readBigUInt64BE(pos), pos + 8];
    case 'V': return [null, pos];
    case 'S':
    case 'x': {
      const len = buf.readUInt32BE(pos);
      const raw = buf.subarray(pos + 4, pos + 4 + len);
      return [t === 'S' ? raw.toString('utf8') : raw, pos + 4 + len];
    }
    case 'F': return decodeTable(buf, pos);
    case 'A': {
      const len = buf.readUInt32BE(pos);
      const end = pos + 4 + len;
      const arr: unknown[] = [];
      let p = pos + 4;
      while (p < end) {
        const [v, n] = decodeValue(buf, p);
        arr.push(v);
        p = n;
      }
      return [arr, end];
    }
    default:
      throw new Error(`unknown field type ${JSON.stringify(t)}`);
  }
}

export interface ConnectionStart {
  versionMajor: number;
  versionMinor: number;
  serverProperties: Record<string, unknown>;
  mechanisms: string[];
  locales: string[];
}

export function decodeStart(f: Frame): ConnectionStart {
  const p = f.payload;
  const versionMajor = p[4];
  const versionMinor = p[5];
  const [serverProperties, pos] = decodeTable(p, 6);
  const mlen = p.readUInt32BE(pos);
  const mechanisms = p.subarray(pos + 4, pos + 4 + mlen).toString('utf8').split(' ');
  const llen = p.readUInt32BE(pos + 4 + mlen);
  const locales = p.subarray(pos + 8 + mlen, pos + 8 + mlen + llen).toString('utf8').split(' ');
  return { versionMajor, versionMinor, serverProperties, mechanisms, locales };
}

export interface Tune {
  channelMax: number;
  frameMax: number;
  heartbeat: number;
}

export function decodeTune(f: Frame): Tune {
  const p = f.payload;
  return { channelMax: p.readUInt16BE(4), frameMax: p.readUInt32BE(6), heartbeat: p.readUInt16BE(10) };
}

// ---------------------------------------------------------------- the client

export type Event = Frame | { type: 'closed' };

export interface HandshakeOptions {
  user?: string;
  pass?: string;
  mechanism?: 'PLAIN' | 'AMQPLAIN';
  /** Capabilities advertised in client-properties; default advertises authentication_failure_close. */
  capabilities?: Record<string, boolean>;
  channelMax?: number;
  frameMax?: number;
  heartbeat?: number;
  vhost?: string;
}

/**
 * One raw connection. Incoming bytes are split into frames and queued;
 * `next()` waits for the next frame (or the socket closing) with a timeout.
 */
export class RawClient {
  private buf = Buffer.alloc(0);
  private queue: Event[] = [];
  private waiters: Array<(e: Event) => void> = [];
  /** Set once the socket has closed (either side). */
  isClosed = false;
  /** Resolves when the socket closes. */
  readonly closed: Promise<void>;
  /** In raw mode bytes are collected unframed (e.g. the protocol header the server sends back). */
  private rawMode = false;
  private rawBytes = Buffer.alloc(0);
  /** Heartbeat frames seen (they are not queued). */
  heartbeatsReceived = 0;
  start?: ConnectionStart;
  tune?: Tune;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => this.onData(d));
    socket.on('error', () => { /* surfaced as close */ });
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.isClosed = true;
        this.push({ type: 'closed' });
        resolve();
      });
    });
  }

  static connect(url: string): Promise<RawClient> {
    const u = new URL(url);
    const port = Number(u.port || 5672);
    const host = u.hostname || '127.0.0.1';
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => {
        s.off('error', reject);
        resolve(new RawClient(s));
      });
      s.once('error', reject);
      s.setNoDelay(true);
    });
  }

  /** Opens a socket and completes the handshake (start/start-ok/tune/tune-ok/open). */
  static async open(url: string, opts: HandshakeOptions = {}): Promise<RawClient> {
    const c = await RawClient.connect(url);
    try {
      await c.handshake(url, opts);
    } catch (e) {
      c.destroy();
      throw e;
    }
    return c;
  }

  /** Switches to raw byte mode: all bytes are collected instead of framed (used after sending a bad header). */
  collectRaw(): void {
    this.rawMode = true;
  }

  get raw(): Buffer {
    return this.rawBytes;
  }

  write(b: Buffer | string): void {
    this.socket.write(b);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private push(e: Event): void {
    const w = this.waiters.shift();
    if (w) w(e);
    else this.queue.push(e);
  }

  private onData(d: Buffer): void {
    if (this.rawMode) {
      this.rawBytes = Buffer.concat([this.rawBytes, d]);
      return;
    }
    this.buf = Buffer.concat([this.buf, d]);
    while (this.buf.length >= 7) {
      const size = this.buf.readUInt32BE(3);
      if (this.buf.length < 8 + size) break;
      const f: Frame = {
        type: this.buf[0],
        channel: this.buf.readUInt16BE(1),
        payload: Buffer.from(this.buf.subarray(7, 7 + size)),
      };
      this.buf = this.buf.subarray(8 + size);
      if (f.type === FRAME_HEARTBEAT) {
        this.heartbeatsReceived++;
        continue;
      }
      if (f.type === FRAME_METHOD) {
        f.classId = f.payload.readUInt16BE(0);
        f.methodId = f.payload.readUInt16BE(2);
      }
      this.push(f);
    }
  }

  /** Next frame or close event; rejects after `timeoutMs`. */
  next(timeoutMs = 3000): Promise<Event> {
    const q = this.queue.shift();
    if (q) return Promise.resolve(q);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`raw client: no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const w = (e: Event) => {
        clearTimeout(t);
        resolve(e);
      };
      this.waiters.push(w);
    });
  }

  /** Waits for a specific method frame; fails on any other frame or on close. */
  async expectMethod(classId: number, methodId: number, timeoutMs = 3000): Promise<Frame> {
    const e = await this.next(timeoutMs);
    if (e.type === 'closed') throw new Error(`raw client: socket closed while waiting for method ${classId}.${methodId}`);
    if (e.type !== FRAME_METHOD || e.classId !== classId || e.methodId !== methodId) {
      throw new Error(`raw client: expected method ${classId}.${methodId}, got frame type ${e.type} ` +
        `${e.classId ?? ''}.${e.methodId ?? ''} on channel ${e.channel}`);
    }
    return e;
  }

  /** Waits for connection.close from the server, answers close-ok, and returns the reason. */
  async expectConnectionClose(timeoutMs = 3000): Promise<CloseReason> {
    const f = await this.expectMethod(10, 50, timeoutMs);
    this.write(M.closeOk());
    return decodeClose(f);
  }

  /** Resolves when the socket closes; rejects after `timeoutMs`. */
  waitClosed(timeoutMs = 3000): Promise<void> {
    return Promise.race([
      this.closed,
      new Promise<void>((_, reject) =>
        setTimeout(() => reject(new Error(`raw client: socket still open after ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
  }

  /** Receives connection.start; sends start-ok/tune-ok/open as configured; waits for open-ok. */
  async handshake(url: string, opts: HandshakeOptions = {}): Promise<void> {
    await this.sendStartOk(url, opts);
    const tuneFrame = await this.expectMethod(10, 30);
    this.tune = decodeTune(tuneFrame);
    this.write(M.tuneOk(opts.channelMax ?? this.tune.channelMax, opts.frameMax ?? this.tune.frameMax, opts.heartbeat ?? 0));
    this.write(M.open(opts.vhost ?? '/'));
    await this.expectMethod(10, 41);
  }

  /** Protocol header → connection.start → start-ok. Leaves the next step (tune, close, socket close) to the caller. */
  async sendStartOk(url: string, opts: HandshakeOptions = {}): Promise<void> {
    const u = new URL(url);
    const user = opts.user ?? decodeURIComponent(u.username || 'guest');
    const pass = opts.pass ?? decodeURIComponent(u.password || 'guest');
    this.write(AMQP_HEADER);
    this.start = decodeStart(await this.expectMethod(10, 10));
    const mechanism = opts.mechanism ?? 'PLAIN';
    const response = mechanism === 'PLAIN' ? plainResponse(user, pass) : amqplainResponse(user, pass);
    const capabilities = opts.capabilities ?? { authentication_failure_close: true };
    this.write(M.startOk({ product: 'warren-raw-test-client', capabilities }, mechanism, response));
  }

  /** Opens a channel and waits for open-ok. */
  async openChannel(ch: number): Promise<void> {
    this.write(M.channelOpen(ch));
    await this.expectMethod(20, 11);
  }

  /** Polite close: connection.close, wait for close-ok, then end the socket. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.write(M.close());
    try {
      for (;;) {
        const e = await this.next(2000);
        if (e.type === 'closed') return;
        if (e.type === FRAME_METHOD && e.classId === 10 && e.methodId === 51) break;
      }
    } finally {
      this.socket.end();
      this.socket.destroy();
    }
  }
}
