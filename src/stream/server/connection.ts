import { hostname } from 'node:os';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { FieldTable } from '../../amqp/field-table.js';
import type { User } from '../../auth/user-store.js';
import type { ClientChannel, ClientConnection, ClientState } from '../../broker/clients.js';
import { reachedLimit } from '../../broker/limits.js';
import type { ConsumerSession, Queue } from '../../broker/queues/queue.js';
import type { VirtualHost } from '../../broker/vhost.js';
import type { BlockablePublisher } from '../../server/alarms.js';
import type { SyncOutcome } from '../../storage/durability.js';
import {
  CommandKey,
  DEFAULT_FRAME_MAX,
  deliverVersionFor,
  FrameReader,
  FrameWriter,
  INITIAL_FRAME_MAX,
  PublishReader,
  ResponseCode,
  responseCodeName,
  StreamProtocolError,
  decodeCommand,
  commandName,
  type ClientCommand,
  type OffsetSpec,
} from '../protocol/index.js';
import { VERSION } from '../../version.js';
import type { StreamContext } from './context.js';
import { handleOpenedCommand, handlePublish } from './commands.js';
import type { Publisher } from './publishers.js';
import type { Subscription } from './subscription.js';

type Phase = 'peer-properties' | 'sasl-handshake' | 'sasl-authenticate' | 'tune' | 'open' | 'opened' | 'closing' | 'closed';

/** The socket buffer past which deliveries wait for it to drain. */
const HIGH_WATER_MARK = 1024 * 1024;
/**
 * Publisher flow control, RabbitMQ's credits: past this many unconfirmed messages the
 * connection stops reading until confirms bring it under the lower mark.
 */
const UNCONFIRMED_PAUSE = 50_000;
const UNCONFIRMED_RESUME = 12_500;
/** The version a stream client sees: clients turn on 3.13 features (filtering, super streams, Deliver v2) from it. */
export const STREAM_PROTOCOL_RABBITMQ_VERSION = '4.0.0';

/**
 * One stream-protocol connection: the handshake (peer properties, SASL PLAIN, tune, open
 * a vhost), then commands on the domain's streams. Output is batched into one socket
 * write per event-loop turn.
 */
export class StreamConnection implements ClientConnection, BlockablePublisher, ConsumerSession {
  readonly protocol = 'stream';
  readonly connectedAt = Date.now();
  readonly name: string;
  readonly log: Logger;
  readonly writer = new FrameWriter();
  readonly publishes = new PublishReader();
  readonly publishers = new Map<number, Publisher>();
  readonly subscriptions = new Map<number, Subscription>();
  /** Where each subscription asked to start (a single active consumer starts there unless told otherwise). */
  readonly startOffsets = new Map<Subscription, OffsetSpec>();
  /** ConsumerUpdate requests sent and not answered yet, by correlation id. */
  private readonly consumerUpdates = new Map<number, Subscription>();
  private nextCorrelationId = 1;
  clientProperties: FieldTable = {};
  /** The logged-in user's record. */
  account: User | undefined;
  vhost: VirtualHost | undefined;
  deliverVersion: 1 | 2 = 1;
  frameMax = DEFAULT_FRAME_MAX;
  heartbeat = 0;
  bytesReceived = 0;
  bytesSent = 0;
  reads = 0;
  writes = 0;
  authMechanism = '';
  private phase: Phase = 'peer-properties';
  private readonly reader: FrameReader;
  private flushScheduled = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private lastReceivedAt = Date.now();
  private blockedBy: string | undefined;
  private pausedForConfirms = false;
  private readonly stopQueueWatch: () => void;
  /** Streams deleted under a subscription, until the deletion's event tells the client. */
  private readonly lostStreams = new Set<Queue>();

  constructor(
    readonly socket: Socket,
    readonly context: StreamContext,
    private readonly closed: (connection: StreamConnection) => void,
  ) {
    this.name = `${socket.remoteAddress}:${socket.remotePort} -> ${socket.localAddress}:${socket.localPort}`;
    this.log = context.log.child({ connection: this.name, protocol: 'stream' });
    this.reader = new FrameReader({ onFrame: (key, version, buf, start, end) => this.onFrame(key, version, buf, start, end) }, INITIAL_FRAME_MAX);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('drain', () => this.resumeDeliveries());
    socket.on('error', (error) => this.log.debug({ err: error }, 'socket error'));
    socket.on('close', () => this.cleanUp());
    this.handshakeTimer = setTimeout(() => {
      this.log.warn('stream handshake not finished within %d ms; closing', context.settings.handshakeTimeoutMs);
      this.socket.destroy();
    }, context.settings.handshakeTimeoutMs);
    this.stopQueueWatch = context.core.events.on('queueRemoved', (queue) => this.queueRemoved(queue));
  }

  // --- ClientConnection, for listings and limits ------------------------------------

  get peerHost(): string {
    return this.socket.remoteAddress ?? '';
  }
  get peerPort(): number {
    return this.socket.remotePort ?? 0;
  }
  get localHost(): string {
    return this.socket.localAddress ?? '';
  }
  get localPort(): number {
    return this.socket.localPort ?? 0;
  }
  get userName(): string {
    return this.account?.name ?? '';
  }
  get user(): string {
    return this.userName;
  }
  get vhostName(): string {
    return this.vhost?.name ?? '';
  }
  get state(): ClientState {
    if (this.phase === 'closing') return 'closing';
    if (this.phase === 'closed') return 'closed';
    if (this.blockedBy !== undefined) return 'blocked';
    return this.phase === 'opened' ? 'running' : 'starting';
  }
  get channelMax(): number {
    return 0;
  }
  get sendPending(): number {
    return this.socket.writableLength;
  }
  get channelCount(): number {
    return 0;
  }
  listChannels(): Iterable<ClientChannel> {
    return [];
  }

  // --- ConsumerSession: how listings name a subscription's place ----------------------

  get connectionName(): string {
    return this.name;
  }
  get channelName(): string {
    return this.name;
  }
  get channelNumber(): number {
    return 0;
  }
  get session(): ConsumerSession {
    return this;
  }

  // --- input --------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    this.reads++;
    this.lastReceivedAt = Date.now();
    try {
      this.reader.push(chunk);
    } catch (error) {
      if (error instanceof StreamProtocolError) this.closeWithError(error.code, error.message);
      else this.internalError(error);
    }
  }

  private onFrame(key: number, version: number, buf: Buffer, start: number, end: number): void {
    if (this.phase === 'closed') return;
    if (key === CommandKey.Publish) {
      if (this.phase !== 'opened') return this.closeWithError(ResponseCode.UNKNOWN_FRAME, 'publish before the connection is open');
      handlePublish(this, version, buf, start, end);
      return;
    }
    let command: ClientCommand;
    try {
      command = decodeCommand(key, version, buf, start, end);
    } catch (error) {
      if (error instanceof StreamProtocolError) {
        // RabbitMQ closes silently before authentication, with UNKNOWN_FRAME after.
        if (this.phase !== 'opened') return this.destroy(`bad frame before open: ${error.message}`);
        return this.closeWithError(error.code, error.message);
      }
      throw error;
    }
    try {
      this.onCommand(command);
    } catch (error) {
      this.internalError(error);
    }
  }

  private onCommand(command: ClientCommand): void {
    switch (command.key) {
      case CommandKey.Heartbeat:
        return;
      case CommandKey.Close:
        this.writer.response(CommandKey.Close, command.correlationId, ResponseCode.OK);
        this.markDirty();
        this.log.info({ code: command.closingCode, reason: command.closingReason }, 'client closed the stream connection');
        this.phase = 'closing';
        this.flush();
        this.socket.end();
        return;
    }
    if (this.phase === 'closing') {
      // The answer to our Close (or anything crossing it): the connection ends now.
      if (command.key === CommandKey.Close + 0x8000) this.socket.end();
      return;
    }
    if (this.phase !== 'opened') return this.onHandshake(command);
    handleOpenedCommand(this, command);
  }

  // --- the handshake ----------------------------------------------------------------

  private onHandshake(command: ClientCommand): void {
    const out = this.writer;
    switch (command.key) {
      case CommandKey.PeerProperties:
        if (this.phase !== 'peer-properties') break;
        this.clientProperties = { ...command.properties };
        out.peerPropertiesResponse(command.correlationId, ResponseCode.OK, this.serverProperties());
        this.phase = 'sasl-handshake';
        return this.markDirty();
      case CommandKey.SaslHandshake:
        if (this.phase !== 'sasl-handshake' && this.phase !== 'sasl-authenticate') break;
        out.saslHandshakeResponse(command.correlationId, ResponseCode.OK, ['PLAIN']);
        this.phase = 'sasl-authenticate';
        return this.markDirty();
      case CommandKey.SaslAuthenticate:
        if (this.phase !== 'sasl-authenticate') break;
        return this.authenticate(command.correlationId, command.mechanism, command.saslData);
      case CommandKey.Tune:
        if (this.phase !== 'tune') break;
        this.frameMax = negotiate(command.frameMax, this.context.settings.frameMax);
        this.heartbeat = negotiate(command.heartbeat, this.context.settings.heartbeat);
        this.phase = 'open';
        return;
      case CommandKey.Open:
        if (this.phase !== 'open') break;
        return this.open(command.correlationId, command.virtualHost);
      case CommandKey.ExchangeCommandVersions:
        return handleOpenedCommand(this, command);
    }
    this.destroy(`unexpected ${commandName(command.key)} during the handshake (${this.phase})`);
  }

  private serverProperties(): Record<string, string> {
    return {
      product: 'Warren',
      version: STREAM_PROTOCOL_RABBITMQ_VERSION,
      warren_version: VERSION,
      cluster_name: `warren@${hostname()}`,
      platform: `Node.js ${process.version}`,
      copyright: 'Copyright (c) Warren developers',
      information: 'Licensed under the MIT License',
    };
  }

  private authenticate(correlationId: number, mechanism: string, data: Buffer | null): void {
    const credentials = parseSasl(mechanism, data);
    if (credentials === undefined) {
      const code = mechanism === 'PLAIN' ? ResponseCode.SASL_ERROR : ResponseCode.SASL_MECHANISM_NOT_SUPPORTED;
      this.log.warn({ mechanism }, 'stream login refused: unsupported mechanism or malformed response');
      return this.refuse(CommandKey.SaslAuthenticate, correlationId, code);
    }
    const result = this.context.access.login(credentials.username, credentials.password, this.socket.remoteAddress);
    if (!result.ok) {
      this.log.warn('stream login refused: %s', result.reason);
      const loopback = result.reason.includes('only connect via localhost');
      return this.refuse(CommandKey.SaslAuthenticate, correlationId, loopback ? ResponseCode.SASL_AUTHENTICATION_FAILURE_LOOPBACK : ResponseCode.AUTHENTICATION_FAILURE);
    }
    this.account = result.user;
    this.authMechanism = mechanism;
    this.writer.response(CommandKey.SaslAuthenticate, correlationId, ResponseCode.OK);
    this.writer.tune(this.context.settings.frameMax, this.context.settings.heartbeat);
    this.phase = 'tune';
    this.markDirty();
  }

  private open(correlationId: number, vhostName: string): void {
    const user = this.account!;
    const vhost = this.context.core.vhost(vhostName);
    const clients = this.context.core.clients;
    let problem: string | undefined;
    if (vhost === undefined) problem = `vhost '${vhostName}' does not exist`;
    else if (reachedLimit(vhost.limits, 'max-connections', clients.countInVhost(vhost.name)) !== undefined) problem = `connection limit of vhost '${vhostName}' is reached`;
    else if (reachedLimit(user.limits, 'max-connections', clients.countOfUser(user.name)) !== undefined) problem = `user '${user.name}' connection limit is reached`;
    else if (!this.context.access.canAccessVhost(user.name, vhost.name)) problem = `access to vhost '${vhostName}' refused for user '${user.name}'`;
    if (problem !== undefined || vhost === undefined) {
      this.log.warn('opening the stream connection failed: %s', problem);
      this.writer.openResponse(correlationId, ResponseCode.VHOST_ACCESS_FAILURE, {});
      return this.endAfterFlush();
    }
    this.vhost = vhost;
    const advertised = this.advertised;
    this.writer.openResponse(correlationId, ResponseCode.OK, { advertised_host: advertised.host, advertised_port: String(advertised.port) });
    this.phase = 'opened';
    this.reader.frameMax = this.frameMax;
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    clients.add(this);
    this.startHeartbeats();
    this.markDirty();
    this.log.info({ user: user.name, vhost: vhost.name }, 'stream connection opened');
  }

  /** Where clients are told the broker is (Metadata, Open). */
  get advertised(): { host: string; port: number } {
    const { settings, address } = this.context;
    return { host: settings.advertisedHost ?? address.host, port: settings.advertisedPort ?? address.port };
  }

  /** A handshake step failed: the answer goes out, then the connection closes (as RabbitMQ does). */
  private refuse(key: number, correlationId: number, code: number): void {
    this.writer.response(key, correlationId, code);
    this.endAfterFlush();
  }

  private endAfterFlush(): void {
    this.flush();
    this.phase = 'closed';
    this.socket.end();
  }

  // --- the opened connection's helpers ----------------------------------------------------

  /** Sets the Deliver version from the client's ExchangeCommandVersions. */
  useDeliverVersionFrom(versions: Parameters<typeof deliverVersionFor>[0]): void {
    this.deliverVersion = deliverVersionFor(versions);
  }

  get canWrite(): boolean {
    return this.phase === 'opened' && this.socket.writableLength + this.writer.pendingBytes < HIGH_WATER_MARK;
  }

  /** A group commit completed: publishers with ids waiting get their confirms. */
  synced(outcome: SyncOutcome): void {
    if (this.phase !== 'opened') return;
    let wrote = false;
    for (const publisher of this.publishers.values()) {
      if (!publisher.waiting) continue;
      if (outcome.ok) publisher.confirm(this.writer, outcome.epoch);
      else publisher.fail(this.writer, outcome.epoch, ResponseCode.INTERNAL_ERROR);
      wrote = true;
    }
    if (wrote) this.markDirty();
    if (this.pausedForConfirms && this.unconfirmed < UNCONFIRMED_RESUME) {
      this.pausedForConfirms = false;
      if (this.blockedBy === undefined) this.socket.resume();
    }
  }

  /** Publishers now wait for a group commit; too many unconfirmed messages pause reading. */
  awaitSync(): void {
    if (!this.waitsForSync) return;
    this.context.awaitSync(this);
    if (!this.pausedForConfirms && this.unconfirmed > UNCONFIRMED_PAUSE) {
      this.pausedForConfirms = true;
      this.socket.pause();
    }
  }

  private get unconfirmed(): number {
    let total = 0;
    for (const publisher of this.publishers.values()) total += publisher.unconfirmed;
    return total;
  }

  get waitsForSync(): boolean {
    for (const publisher of this.publishers.values()) if (publisher.waiting) return true;
    return false;
  }

  private resumeDeliveries(): void {
    for (const subscription of this.subscriptions.values()) subscription.pump();
  }

  /** A single active consumer became active: ConsumerUpdate asks the client where it starts. */
  askWhereToStart(subscription: Subscription): void {
    if (this.phase !== 'opened' || this.subscriptions.get(subscription.id) !== subscription) return;
    const correlationId = this.nextCorrelationId++;
    this.consumerUpdates.set(correlationId, subscription);
    this.writer.consumerUpdate(correlationId, subscription.id, true);
    this.markDirty();
  }

  takeConsumerUpdate(correlationId: number): Subscription | undefined {
    const subscription = this.consumerUpdates.get(correlationId);
    this.consumerUpdates.delete(correlationId);
    return subscription !== undefined && this.subscriptions.get(subscription.id) === subscription ? subscription : undefined;
  }

  /** The stream went away under a subscription (the queue tells its consumers before its removal event). */
  subscriptionLost(subscription: Subscription): void {
    if (this.subscriptions.get(subscription.id) !== subscription) return;
    this.subscriptions.delete(subscription.id);
    this.lostStreams.add(subscription.queue);
  }

  /** A stream was deleted: its publishers and subscriptions here are gone, and the client is told once. */
  private queueRemoved(queue: Queue): void {
    if (queue.vhostName !== this.vhostName || queue.stream === undefined) return;
    let affected = this.lostStreams.delete(queue);
    for (const [id, publisher] of this.publishers) {
      if (publisher.queue !== queue) continue;
      this.publishers.delete(id);
      affected = true;
    }
    if (affected) this.sendMetadataUpdate(queue.name);
  }

  sendMetadataUpdate(stream: string): void {
    if (this.phase !== 'opened') return;
    this.writer.metadataUpdate(ResponseCode.STREAM_NOT_AVAILABLE, stream);
    this.markDirty();
  }

  // --- output ------------------------------------------------------------------------

  /** Output is waiting: write it at the end of this turn (one write for everything). */
  markDirty(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.flushScheduled = false;
    const buffers = this.writer.take();
    if (buffers === null || this.socket.destroyed) return;
    this.socket.cork();
    for (const buffer of buffers) {
      this.bytesSent += buffer.length;
      this.socket.write(buffer);
    }
    this.socket.uncork();
    this.writes++;
  }

  // --- flow control (resource alarms) --------------------------------------------------

  block(reason: string): void {
    this.blockedBy = reason;
    this.socket.pause();
    this.log.warn('stream connection blocked: %s', reason);
  }

  unblock(): void {
    this.blockedBy = undefined;
    if (!this.pausedForConfirms) this.socket.resume();
  }

  // --- heartbeats and closing ------------------------------------------------------

  private startHeartbeats(): void {
    if (this.heartbeat <= 0) return;
    const intervalMs = this.heartbeat * 1000;
    this.heartbeatTimer = setInterval(() => {
      if (Date.now() - this.lastReceivedAt > 2 * intervalMs) {
        this.log.warn('missed heartbeats from the client (%d s); closing', this.heartbeat);
        this.destroy('heartbeat timeout');
        return;
      }
      this.writer.heartbeat();
      this.markDirty();
    }, intervalMs);
    this.heartbeatTimer.unref();
  }

  /** Closes with a Close frame carrying `code` and the reason, then waits for the client's answer. */
  closeWithError(code: number, reason: string): void {
    if (this.phase === 'closing' || this.phase === 'closed') return;
    this.log.warn({ code: responseCodeName[code] ?? code }, 'closing the stream connection: %s', reason);
    this.writer.close(1, code, reason.slice(0, 255));
    this.phase = 'closing';
    this.flush();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /**
   * Server shutdown, or an operator closing it: the socket closes without a Close frame,
   * as RabbitMQ does it (and rabbitmq-stream-js-client cannot decode a server's Close).
   */
  closeForced(reason: string): void {
    this.flush();
    this.log.info('closing the stream connection: %s', reason);
    this.phase = 'closed';
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private internalError(error: unknown): void {
    this.log.error({ err: error }, 'stream connection failed');
    this.closeWithError(ResponseCode.INTERNAL_ERROR, 'internal error');
  }

  private destroy(reason: string): void {
    this.log.info('closing the stream connection: %s', reason);
    this.phase = 'closed';
    this.socket.destroy();
  }

  private cleanUp(): void {
    if (this.phase !== 'closed') this.phase = 'closed';
    clearTimeout(this.handshakeTimer);
    clearInterval(this.heartbeatTimer);
    this.stopQueueWatch();
    for (const subscription of this.subscriptions.values()) subscription.close();
    this.subscriptions.clear();
    this.publishers.clear();
    this.context.alarms.forget(this);
    this.context.core.clients.remove(this);
    this.closed(this);
  }
}

/** 0 on either side means "no limit" there: the other side's value holds. */
function negotiate(client: number, server: number): number {
  if (client === 0) return server;
  if (server === 0) return client;
  return Math.min(client, server);
}

/** PLAIN credentials: authzid NUL user NUL password. */
function parseSasl(mechanism: string, data: Buffer | null): { username: string; password: string } | undefined {
  if (data === null) return undefined;
  if (mechanism === 'PLAIN') {
    const parts = data.toString('utf8').split('\u0000');
    return parts.length === 3 ? { username: parts[1]!, password: parts[2]! } : undefined;
  }
  return undefined;
}
