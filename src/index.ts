import type { BrokerOptions } from './config/options.js';

export type { BrokerOptions };

/** A running broker embedded in this process. */
export class Broker {
  private constructor(
    /** amqp://guest:guest@host:port/ for clients. */
    readonly url: string,
    /** The port actually listened on (useful with port: 0). */
    readonly port: number,
    private readonly shutdown: () => Promise<void>,
  ) {}

  /** Starts a broker and resolves once it accepts connections. */
  static async start(options: BrokerOptions = {}): Promise<Broker> {
    void options;
    throw new Error('not implemented yet');
  }

  /** Closes every connection and the listener; resolves when done. */
  close(): Promise<void> {
    return this.shutdown();
  }
}
