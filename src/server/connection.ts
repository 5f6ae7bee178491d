import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { ByteReader } from '../amqp/byte-reader.js';
import { AmqpError } from '../amqp/errors.js';
import type { FieldTable } from '../amqp/field-table.js';
import { FrameReader, type FrameHandler } from '../amqp/frame-reader.js';
import { FrameWriter } from '../amqp/frame-writer.js';
import {
  decodeMethod,
  MethodId,
  ReplyCode,
  type ConnectionClose,
  type ConnectionOpen,
  type ConnectionStartOk,
  type ConnectionTuneOk,
  type Method,
} from '../amqp/spec.generated.js';
import type { User } from '../auth/user-store.js';
import type { ClientConnection, ClientState } from '../broker/clients.js';
import { reachedLimit } from '../broker/limits.js';
import type { Queue } from '../broker/queues/queue.js';
import type { VirtualHost } from '../broker/vhost.js';
import { Channel } from './channel.js';
import type { ServerContext } from './context.js';
import { toAmqpError } from './errors.js';
import { MECHANISMS, negotiateTuning, parseCredentials, PROTOCOL_HEADER, serverProperties } from './handshake.js';

type Phase = 'header' | 'start-ok' | 'tune-ok' | 'open-wait' | 'open' | 'closing' | 'closed';

/** Bytes buffered for one socket beyond which consumers on it pause until it drains. */
const WRITE_HIGH_WATER = 1 << 20;
/** How long to wait for the client's close-ok before dropping the socket anyway. */
const CLOSE_OK_TIMEOUT_MS = 3000;
/** Longest a publisher is held by flow control before being read again regardless. */
const FLOW_HOLD_MAX_MS = 1000;

let lastConnectionId = 0;

/**
 * One client connection: the handshake, frames to and from the socket, heartbeats,
 * and its channels. Connection-level errors close the whole connection; channel-level
 * errors are handled by the channel.
 */
export class Connection implements FrameHandler, ClientConnection {
  readonly protocol = 'AMQP 0-9-1';
  readonly id = ++lastConnectionId;
  readonly writer: FrameWriter;
  private childLog: Logger | undefined;
  readonly connectedAt = Date.now();
  user: User | undefined;
  vhost: VirtualHost | undefined;
  clientProperties: FieldTable = {};
  /** Capabilities the client announced (consumer_cancel_notify, connection.blocked, ...). */
  clientCapabilities: FieldTable = {};
  heartbeat = 0;
  channelMax: number;
  /** The SASL mechanism the client logged in with (PLAIN or AMQPLAIN). */
  authMechanism = '';
  /** Traffic counters (RabbitMQ's recv_oct / send_oct / recv_cnt / send_cnt). */
  bytesReceived = 0;
  bytesSent = 0;
  reads = 0;
  writes = 0;

  private phase: Phase = 'header';
  private readonly reader: FrameReader;
  private readonly methodReader = new ByteReader(Buffer.alloc(0), 0, 0);
  private readonly channels = new Map<number, Channel>();
  private dirty = false;
  private writeStarved = false;
  private readonly confirming = new Set<Channel>();
  private handshakeTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  private receivedSinceCheck = true;
  private sentSinceCheck = false;
  private missedHeartbeats = 0;
  private blocked = false;
  private held = false;
  /** Input received past the turn's budget (see IngressPacer), handled before anything newer. */
  private deferredInput: Buffer[] | undefined;

  constructor(
    readonly socket: Socket,
    readonly context: ServerContext,
  ) {
    const { settings } = context;
    this.channelMax = settings.channelMax;
    this.reader = new FrameReader(this, settings.frameMax);
    this.writer = new FrameWriter(settings.frameMax);

    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.resumeConsumers());
    socket.on('error', (error) => this.log.debug({ err: error }, 'socket error'));
    socket.on('close', () => this.onSocketClosed());
    this.handshakeTimer = setTimeout(() => {
      this.log.warn('closing connection: AMQP handshake not completed within %d ms', settings.handshakeTimeoutMs);
      this.socket.destroy();
    }, settings.handshakeTimeoutMs);
  }

  /** This connection's logger, made on first use: most connections log little, and a child logger is not free. */
  get log(): Logger {
    return (this.childLog ??= this.context.log.child({
      connection: this.id,
      peer: `${this.socket.remoteAddress}:${this.socket.remotePort}`,
    }));
  }

  get isOpen(): boolean {
    return this.phase === 'open';
  }

  get name(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort} -> ${this.socket.localAddress}:${this.socket.localPort}`;
  }

  get userName(): string {
    return this.user?.name ?? '';
  }

  get vhostName(): string {
    return this.vhost?.name ?? '';
  }

  get localHost(): string {
    return this.socket.localAddress ?? '';
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  get frameMax(): number {
    return this.writer.frameMax;
  }

  get sendPending(): number {
    return this.socket.writableLength;
  }

  get peerHost(): string {
    return this.socket.remoteAddress ?? '';
  }

  get peerPort(): number {
    return this.socket.remotePort ?? 0;
  }

  /** RabbitMQ's connection state: running, blocked (by a resource alarm), closing or closed. */
  get state(): ClientState {
    if (this.phase === 'open') return this.blocked ? 'blocked' : 'running';
    if (this.phase === 'closing' || this.phase === 'closed') return this.phase;
    return 'starting';
  }

  get channelCount(): number {
    return this.channels.size;
  }

  /** False while the socket is backed up; consumers on this connection wait for 'drain'. */
  get canWrite(): boolean {
    if (this.writer.pendingBytes + this.socket.writableLength < WRITE_HIGH_WATER) return true;
    this.writeStarved = true;
    return false;
  }

  // --- input -----------------------------------------------------------------

  private onData(chunk: Buffer): void {
    this.receivedSinceCheck = true;
    // Consumers' input (mostly acks) is never put off: it frees memory and prefetch room.
    if (this.deferredInput !== undefined || (!this.context.ingress.admit(chunk.length) && !this.hasConsumers())) {
      this.deferInput(chunk);
    } else this.handleInput(chunk);
  }

  /** Over this turn's input budget: keep the chunk, stop reading, and wait for a later turn. */
  private deferInput(chunk: Buffer): void {
    if (this.deferredInput !== undefined) {
      this.deferredInput.push(chunk);
      return;
    }
    this.deferredInput = [chunk];
    this.socket.pause();
    this.context.ingress.wait(this);
  }

  /** The pacer's call: this connection's turn to have its put-off input handled. */
  resumeInput(): void {
    const chunks = this.deferredInput;
    if (chunks === undefined) return;
    this.deferredInput = undefined;
    for (const chunk of chunks) {
      this.context.ingress.charge(chunk.length);
      this.handleInput(chunk);
    }
    this.syncReading();
  }

  private handleInput(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    this.reads++;
    try {
      this.reader.push(chunk);
    } catch (error) {
      this.fail(error, 0, undefined);
    }
  }

  /** Reads the socket unless flow control, a resource alarm or input pacing holds it. */
  private syncReading(): void {
    if (this.socket.destroyed) return;
    if (this.held || this.blocked || this.deferredInput !== undefined) this.socket.pause();
    else this.socket.resume();
  }

  onProtocolHeader(header: Buffer): void {
    if (!header.equals(PROTOCOL_HEADER)) {
      // The spec's answer to a header we do not speak: ours, then close.
      this.reader.stop();
      this.writer.raw(PROTOCOL_HEADER);
      this.flush();
      this.socket.end();
      this.phase = 'closed';
      return;
    }
    this.phase = 'start-ok';
    this.send(0, {
      id: MethodId.ConnectionStart,
      versionMajor: 0,
      versionMinor: 9,
      serverProperties: serverProperties(this.context.settings),
      mechanisms: MECHANISMS,
      locales: 'en_US',
    });
  }

  onMethod(channelId: number, buf: Buffer, start: number, end: number): void {
    let method: Method | undefined;
    try {
      if (end - start < 4) {
        throw new AmqpError(ReplyCode.FRAME_ERROR, `type 1, channel ${channelId}, ${end - start}-byte payload: unknown_frame`);
      }
      method = decodeMethod(this.methodReader.reset(buf, start, end));
      if (channelId === 0) this.onConnectionMethod(method);
      else {
        const channel = this.channels.get(channelId);
        if (channel) channel.onMethod(method);
        else this.openChannel(channelId, method);
      }
    } catch (error) {
      this.fail(error, channelId, method);
    }
  }

  onHeader(channelId: number, buf: Buffer, start: number, end: number): void {
    try {
      this.existingChannel(channelId)?.onContentHeader(buf, start, end);
    } catch (error) {
      this.fail(error, channelId, undefined);
    }
  }

  onBody(channelId: number, buf: Buffer, start: number, end: number): void {
    try {
      this.existingChannel(channelId)?.onContentBody(buf, start, end);
    } catch (error) {
      this.fail(error, channelId, undefined);
    }
  }

  onHeartbeat(): void {
    // Any incoming bytes count as liveness; nothing else to do.
  }

  /** The first method on an unused channel number must be channel.open. */
  private openChannel(channelId: number, method: Method): void {
    // A close handshake that crossed ours on the wire can leave a close-ok or close for a
    // channel we already dropped: harmless, as RabbitMQ treats it.
    if (method.id === MethodId.ChannelCloseOk) return;
    if (method.id === MethodId.ChannelClose && this.phase === 'open') {
      this.send(channelId, { id: MethodId.ChannelCloseOk });
      return;
    }
    if (this.phase !== 'open') {
      if (this.phase === 'closing') return;
      throw new AmqpError(ReplyCode.COMMAND_INVALID, 'channel frame before connection.open completed');
    }
    if (method.id !== MethodId.ChannelOpen) {
      throw new AmqpError(
        ReplyCode.CHANNEL_ERROR,
        `expected 'channel.open'`,
        method.id >>> 16,
        method.id & 0xffff,
      );
    }
    // Like RabbitMQ 3.10, channel_max limits how many channels are open, not their numbers.
    if (this.channelMax !== 0 && this.channels.size >= this.channelMax) {
      throw new AmqpError(
        ReplyCode.NOT_ALLOWED,
        `number of channels opened (${this.channels.size}) has reached the negotiated channel_max (${this.channelMax})`,
        20,
        10,
      );
    }
    const clients = this.context.core.clients;
    const userName = this.user!.name;
    // The user's limits as they are now: one set while the user is connected applies at once.
    const limits = this.context.access.users.get(userName)?.limits;
    const channelLimit = reachedLimit(limits, 'max-channels', clients.channelsOfUser(userName));
    if (channelLimit !== undefined) {
      // RabbitMQ names no method in this close (class 0, method 0).
      this.closeWithError(
        new AmqpError(
          ReplyCode.NOT_ALLOWED,
          `number of channels opened for user '${userName}' has reached the maximum allowed user limit of (${channelLimit})`,
        ),
      );
      return;
    }
    const channel = new Channel(this, channelId);
    this.channels.set(channelId, channel);
    clients.channelOpened(userName);
    this.send(channelId, { id: MethodId.ChannelOpenOk, channelId: '' });
  }

  /** The channel a content frame belongs to; undefined for frames that trail our connection.close (dropped). */
  private existingChannel(channelId: number): Channel | undefined {
    const channel = this.channels.get(channelId);
    if (channel || this.phase === 'closing') return channel;
    throw new AmqpError(ReplyCode.UNEXPECTED_FRAME, 'expected method frame, got non method frame instead');
  }

  // --- connection class --------------------------------------------------------

  private onConnectionMethod(method: Method): void {
    if (this.phase === 'closing') {
      if (method.id === MethodId.ConnectionCloseOk) this.socket.destroy();
      else if (method.id === MethodId.ConnectionClose) {
        this.send(0, { id: MethodId.ConnectionCloseOk });
        this.finishClose();
      }
      return;
    }
    switch (method.id) {
      case MethodId.ConnectionStartOk:
        return this.expect('start-ok', method, () => this.onStartOk(method));
      case MethodId.ConnectionTuneOk:
        return this.expect('tune-ok', method, () => this.onTuneOk(method));
      case MethodId.ConnectionOpen:
        return this.expect('open-wait', method, () => this.onOpen(method));
      case MethodId.ConnectionClose:
        return this.onClientClose(method);
      case MethodId.ConnectionCloseOk:
        this.socket.destroy();
        return;
      case MethodId.ConnectionUpdateSecret:
        this.send(0, { id: MethodId.ConnectionUpdateSecretOk });
        return;
      default:
        throw new AmqpError(
          ReplyCode.CHANNEL_ERROR,
          `unexpected method in connection state ${this.phase === 'open' ? 'running' : this.phase}`,
          method.id >>> 16,
          method.id & 0xffff,
        );
    }
  }

  private expect(phase: Phase, method: Method, then: () => void): void {
    if (this.phase !== phase) {
      throw new AmqpError(
        ReplyCode.COMMAND_INVALID,
        `unexpected method in connection state ${this.phase}`,
        method.id >>> 16,
        method.id & 0xffff,
      );
    }
    then();
  }

  private onStartOk(method: ConnectionStartOk): void {
    this.clientProperties = method.clientProperties;
    const capabilities = method.clientProperties.capabilities;
    if (capabilities && typeof capabilities === 'object' && !Array.isArray(capabilities) && !Buffer.isBuffer(capabilities)) {
      this.clientCapabilities = capabilities as FieldTable;
    }
    const credentials = parseCredentials(method.mechanism, Buffer.from(method.response));
    if (!credentials) {
      this.refuseLogin(`unsupported authentication mechanism '${method.mechanism}' or malformed response`, method.mechanism);
      return;
    }
    const result = this.context.access.login(credentials.username, credentials.password, this.socket.remoteAddress);
    if (!result.ok) {
      this.refuseLogin(result.reason, method.mechanism);
      return;
    }
    this.user = result.user;
    this.authMechanism = method.mechanism;
    this.phase = 'tune-ok';
    const { settings } = this.context;
    this.send(0, {
      id: MethodId.ConnectionTune,
      channelMax: settings.channelMax,
      frameMax: settings.frameMax,
      heartbeat: settings.heartbeat,
    });
  }

  /** As RabbitMQ: 403 with connection.close for clients that asked for it, otherwise just close. */
  private refuseLogin(reason: string, mechanism: string): void {
    this.log.warn('login refused: %s', reason);
    if (this.clientCapabilities.authentication_failure_close === true) {
      this.closeWithError(
        new AmqpError(
          ReplyCode.ACCESS_REFUSED,
          `Login was refused using authentication mechanism ${mechanism}. For details see the broker logfile.`,
        ),
      );
    } else {
      this.reader.stop();
      this.phase = 'closed';
      this.socket.destroy();
    }
  }

  private onTuneOk(method: ConnectionTuneOk): void {
    const tuning = negotiateTuning(this.context.settings, method);
    this.reader.frameMax = tuning.frameMax;
    this.writer.frameMax = tuning.frameMax;
    this.channelMax = tuning.channelMax;
    this.heartbeat = tuning.heartbeat;
    this.phase = 'open-wait';
    this.startHeartbeats();
  }

  private onOpen(method: ConnectionOpen): void {
    const vhost = this.context.core.vhost(method.virtualHost);
    if (!vhost) {
      throw new AmqpError(ReplyCode.NOT_ALLOWED, `vhost ${method.virtualHost} not found`, 10, 40);
    }
    // RabbitMQ's order: the vhost's connection limit, the user's, then the user's access.
    const user = this.user!.name;
    const clients = this.context.core.clients;
    const vhostLimit = reachedLimit(vhost.limits, 'max-connections', clients.countInVhost(vhost.name));
    if (vhostLimit !== undefined) {
      throw new AmqpError(
        ReplyCode.NOT_ALLOWED,
        `access to vhost '${vhost.name}' refused for user '${user}': connection limit (${vhostLimit}) is reached`,
        10,
        40,
      );
    }
    const userLimit = reachedLimit(this.user!.limits, 'max-connections', clients.countOfUser(user));
    if (userLimit !== undefined) {
      throw new AmqpError(ReplyCode.NOT_ALLOWED, `connection refused for user '${user}': user connection limit (${userLimit}) is reached`, 10, 40);
    }
    if (!this.context.access.canAccessVhost(user, vhost.name)) {
      this.log.warn({ user, vhost: vhost.name }, 'vhost access refused');
      throw new AmqpError(ReplyCode.NOT_ALLOWED, `access to vhost '${vhost.name}' refused for user '${user}'`, 10, 40);
    }
    this.vhost = vhost;
    this.phase = 'open';
    this.context.core.clients.add(this);
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.send(0, { id: MethodId.ConnectionOpenOk, knownHosts: '' });
    if (this.context.log.isLevelEnabled('info')) {
      this.log.info({ user: this.user?.name, vhost: vhost.name }, 'connection opened');
    }
  }

  private onClientClose(method: ConnectionClose): void {
    if (this.context.log.isLevelEnabled('info')) {
      this.log.info({ code: method.replyCode, text: method.replyText }, 'client closed the connection');
    }
    this.releaseChannels();
    this.send(0, { id: MethodId.ConnectionCloseOk });
    this.finishClose();
  }

  // --- heartbeats --------------------------------------------------------------

  private startHeartbeats(): void {
    if (this.heartbeat <= 0) return;
    // Send when we have been quiet for half the interval; give up after two silent intervals.
    const halfIntervalMs = (this.heartbeat * 1000) / 2;
    let ticks = 0;
    this.heartbeatTimer = setInterval(() => {
      if (!this.sentSinceCheck) {
        this.writer.heartbeat();
        this.markDirty();
      }
      this.sentSinceCheck = false;
      if (++ticks % 2 !== 0) return;
      if (this.receivedSinceCheck) {
        this.missedHeartbeats = 0;
      } else if (++this.missedHeartbeats >= 2) {
        this.log.warn('missed heartbeats from client, timeout: %ds', this.heartbeat);
        this.socket.destroy();
      }
      this.receivedSinceCheck = false;
    }, halfIntervalMs);
    this.heartbeatTimer.unref();
  }

  // --- output ------------------------------------------------------------------

  send(channelId: number, method: Method): void {
    this.writer.method(channelId, method);
    this.markDirty();
  }

  markDirty(): void {
    if (this.dirty) return;
    this.dirty = true;
    this.context.flushScheduler.mark(this);
  }

  /** A channel has publisher confirms to send before this turn's output leaves. */
  confirmPending(channel: Channel): void {
    this.confirming.add(channel);
    this.markDirty();
  }

  flush(): void {
    this.dirty = false;
    if (this.confirming.size > 0) {
      for (const channel of this.confirming) channel.writeConfirms();
      this.confirming.clear();
    }
    const chunks = this.writer.take();
    if (chunks === null || this.socket.destroyed) return;
    this.sentSinceCheck = true;
    this.writes++;
    for (let i = 0; i < chunks.length; i++) this.bytesSent += chunks[i].length;
    if (chunks.length === 1) {
      this.socket.write(chunks[0]);
    } else {
      this.socket.cork();
      for (const chunk of chunks) this.socket.write(chunk);
      this.socket.uncork();
    }
    if (this.writeStarved && !this.socket.writableNeedDrain) setImmediate(() => this.resumeConsumers());
  }

  /** Output room came back: let this connection's consumers take messages again. */
  private resumeConsumers(): void {
    if (!this.writeStarved || this.phase !== 'open') return;
    this.writeStarved = false;
    for (const channel of this.channels.values()) channel.resumeConsumers();
  }

  // --- flow control --------------------------------------------------------------

  /**
   * Publisher flow control: stop reading this connection until `queue` has worked off its
   * backlog (or FLOW_HOLD_MAX_MS passed). A connection that also consumes is never held:
   * its acks arrive on the same socket, and holding it could stall the very queue it waits for.
   */
  holdFor(queue: Queue): void {
    if (this.held || this.blocked || this.hasConsumers()) return;
    this.held = true;
    this.socket.pause();
    const release = () => {
      if (!this.held) return;
      this.held = false;
      clearTimeout(timer);
      this.syncReading();
    };
    const timer = setTimeout(release, FLOW_HOLD_MAX_MS);
    timer.unref();
    queue.whenRelieved(release);
  }

  private hasConsumers(): boolean {
    for (const channel of this.channels.values()) if (channel.consumers.size > 0 || channel.directReply) return true;
    return false;
  }

  /** Resource alarm: stop reading publishers and tell clients that asked (connection.blocked). */
  block(reason: string): void {
    if (this.blocked) return;
    this.blocked = true;
    this.socket.pause();
    if (this.clientCapabilities['connection.blocked'] === true && this.phase === 'open') {
      this.send(0, { id: MethodId.ConnectionBlocked, reason });
    }
  }

  unblock(): void {
    if (!this.blocked) return;
    this.blocked = false;
    this.syncReading();
    if (this.clientCapabilities['connection.blocked'] === true && this.phase === 'open') {
      this.send(0, { id: MethodId.ConnectionUnblocked });
    }
  }

  // --- errors and closing ---------------------------------------------------------

  /** Handles anything thrown while processing a frame: channel errors close the channel, the rest the connection. */
  private fail(error: unknown, channelId: number, method: Method | undefined): void {
    const amqpError = toAmqpError(error, method);
    if (amqpError.code === ReplyCode.INTERNAL_ERROR) {
      this.log.error({ err: error, channel: channelId }, 'internal error while handling a frame');
    }
    const channel = channelId === 0 ? undefined : this.channels.get(channelId);
    if (!amqpError.isConnectionError && channel) {
      channel.closeWithError(amqpError);
      return;
    }
    this.closeWithError(amqpError);
  }

  /** Sends connection.close with the error, then waits briefly for close-ok. */
  closeWithError(error: AmqpError): void {
    if (this.phase === 'closing' || this.phase === 'closed') return;
    this.log.warn({ code: error.code, classId: error.classId, methodId: error.methodId }, 'closing connection: %s', error.replyText);
    this.releaseChannels();
    this.phase = 'closing';
    this.send(0, {
      id: MethodId.ConnectionClose,
      replyCode: error.code,
      replyText: error.replyText.slice(0, 255),
      classId: error.classId,
      methodId: error.methodId,
    });
    this.closeTimer = setTimeout(() => this.socket.destroy(), CLOSE_OK_TIMEOUT_MS);
    this.closeTimer.unref();
  }

  /** Server-initiated close without an error (CONNECTION_FORCED), e.g. on shutdown. */
  closeForced(text: string): void {
    this.closeWithError(new AmqpError(ReplyCode.CONNECTION_FORCED, text));
  }

  /** Remove a channel once its close handshake finished. */
  channelClosed(channel: Channel): void {
    if (this.channels.get(channel.id) !== channel) return;
    this.channels.delete(channel.id);
    this.context.core.clients.channelClosed(this.userName);
  }

  /** After close-ok the client closes the socket (as with RabbitMQ); drop it ourselves only if it does not. */
  private finishClose(): void {
    this.phase = 'closed';
    this.reader.stop();
    this.flush();
    this.stopTimers();
    this.closeTimer = setTimeout(() => this.socket.destroy(), CLOSE_OK_TIMEOUT_MS);
    this.closeTimer.unref();
  }

  private releaseChannels(): void {
    for (const channel of this.channels.values()) channel.release();
    for (let i = 0; i < this.channels.size; i++) this.context.core.clients.channelClosed(this.userName);
    this.channels.clear();
    this.vhost?.ownerGone(this);
  }

  private onSocketClosed(): void {
    this.context.core.clients.remove(this);
    this.phase = 'closed';
    this.reader.stop();
    this.stopTimers();
    this.releaseChannels();
    this.context.alarms.forget(this);
    this.context.connectionClosed(this);
    if (this.context.log.isLevelEnabled('debug')) this.log.debug('socket closed');
  }

  private stopTimers(): void {
    clearTimeout(this.handshakeTimer);
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.closeTimer);
  }

  /** Closes (or cancels consumers of) channels with deliveries unacknowledged past their deadline. */
  checkConsumerTimeouts(now: number): void {
    if (this.phase !== 'open') return;
    for (const channel of this.channels.values()) channel.checkConsumerTimeouts(now);
  }

  /** Channels for management listings. */
  listChannels(): IterableIterator<Channel> {
    return this.channels.values();
  }
}
