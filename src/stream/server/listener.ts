import { createServer, type Server, type Socket } from 'node:net';
import type { StreamContext } from './context.js';
import { StreamConnection } from './connection.js';

/** How long connections get to answer our Close when the broker stops. */
const SHUTDOWN_GRACE_MS = 1000;

/**
 * Accepts stream-protocol clients (RabbitMQ's port 5552) on one TCP address. One group
 * commit listener serves every connection: those with publishers waiting for confirms
 * get each completed cycle.
 */
export class StreamListener {
  readonly connections = new Set<StreamConnection>();
  private readonly server: Server;
  private readonly waiting = new Set<StreamConnection>();
  private readonly stopSynced: () => void;
  private readonly context: StreamContext;
  private readonly address = { host: '127.0.0.1', port: 0 };

  constructor(context: Omit<StreamContext, 'address' | 'awaitSync'>) {
    this.context = { ...context, address: this.address, awaitSync: (connection) => this.waiting.add(connection) };
    this.server = createServer({ noDelay: true }, (socket: Socket) => {
      const connection = new StreamConnection(socket, this.context, (c) => {
        this.connections.delete(c);
        this.waiting.delete(c);
      });
      this.connections.add(connection);
    });
    this.stopSynced = context.durability.onSynced((outcome) => {
      for (const connection of this.waiting) {
        connection.synced(outcome);
        if (!connection.waitsForSync) this.waiting.delete(connection);
      }
    });
  }

  /** Resolves with the port actually bound (useful with port 0). */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        this.address.host = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
        this.address.port = typeof address === 'object' && address ? address.port : port;
        resolve(this.address.port);
      });
    });
  }

  async close(): Promise<void> {
    this.stopSynced();
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.connections) connection.closeForced('broker shutdown');
    const deadline = Date.now() + SHUTDOWN_GRACE_MS;
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    for (const connection of this.connections) connection.socket.destroy();
    await stopped;
  }
}
