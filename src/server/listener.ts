import { createServer, type Server, type Socket } from 'node:net';
import { Connection } from './connection.js';
import type { ServerContext } from './context.js';
import { IngressPacer } from './ingress-pacer.js';

/** How long connections get to finish their close handshake when the broker stops. */
const SHUTDOWN_GRACE_MS = 1000;
/** Incoming bytes handled per event-loop turn, across all connections (see IngressPacer). */
const INGRESS_BYTES_PER_TURN = 1 << 20;
/** How often unacknowledged deliveries are checked against their consumer timeout. */
const CONSUMER_TIMEOUT_CHECK_MS = 250;

/** Accepts AMQP clients on one TCP address and keeps track of their connections. */
export class AmqpListener {
  readonly connections = new Set<Connection>();
  private readonly server: Server;
  /** One sweep for every connection: a channel costs a comparison unless a deadline is due. */
  private readonly timeoutSweep: NodeJS.Timeout;

  constructor(context: Omit<ServerContext, 'connectionClosed' | 'ingress'>) {
    const fullContext: ServerContext = {
      ...context,
      ingress: new IngressPacer(INGRESS_BYTES_PER_TURN),
      connectionClosed: (connection) => this.connections.delete(connection),
    };
    this.server = createServer({ noDelay: true }, (socket: Socket) => {
      this.connections.add(new Connection(socket, fullContext));
    });
    this.timeoutSweep = setInterval(() => {
      const now = Date.now();
      for (const connection of this.connections) connection.checkConsumerTimeouts(now);
    }, CONSUMER_TIMEOUT_CHECK_MS);
    this.timeoutSweep.unref();
  }

  /** Resolves with the port actually bound (useful with port 0). */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /** Stops accepting, asks every client to close (320 CONNECTION_FORCED), then drops stragglers. */
  async close(): Promise<void> {
    clearInterval(this.timeoutSweep);
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.connections) connection.closeForced('broker shutdown');
    if (this.connections.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, SHUTDOWN_GRACE_MS);
        const check = setInterval(() => {
          if (this.connections.size === 0) {
            clearTimeout(timer);
            clearInterval(check);
            resolve();
          }
        }, 5);
        timer.unref();
      });
    }
    for (const connection of this.connections) connection.socket.destroy();
    await stopped;
  }
}
