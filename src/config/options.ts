/** Settings of one broker instance. Every field is optional; defaults mirror RabbitMQ's. */
export interface BrokerOptions {
  /** TCP port for AMQP; 0 picks a free one. Default 5672. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1 (0.0.0.0 only on request). */
  host?: string;
  /** Folder for durable state. Default for Broker.start: a fresh temporary folder removed on close. */
  dataDir?: string;
  /** Heartbeat interval the server proposes, in seconds (0 = off). Default 60. */
  heartbeat?: number;
  /** Largest frame the server accepts and proposes, in bytes. Default 131072. */
  frameMax?: number;
  /** Highest channel number the server proposes. Default 2047. */
  channelMax?: number;
  /** Time allowed for the AMQP handshake, in milliseconds. Default 10000. */
  handshakeTimeoutMs?: number;
  /** Overrides of connection.start server-properties (e.g. { product: 'RabbitMQ' }). */
  serverProperties?: Record<string, string>;
  /** Log level: trace, debug, info, warn, error, fatal, silent. Default info (silent for Broker.start). */
  logLevel?: string;
  /** Free disk space (bytes) below which publishers are blocked, as RabbitMQ's disk_free_limit. Default 50 MB. */
  diskFreeLimit?: number;
  /**
   * Port of the management HTTP API; 0 picks a free one; undefined or null = no API
   * (the embedded default; the `warren` command listens on 15672).
   */
  httpPort?: number | null;
  /** Port of the Prometheus endpoint (/metrics); 0 picks a free one; undefined or null = off (the command: 15692). */
  metricsPort?: number | null;
  /**
   * Port of the RabbitMQ stream protocol; 0 picks a free one; undefined or null = off (the
   * embedded default; the `warren` command listens on 5552).
   */
  streamPort?: number | null;
  /** Host and port stream clients are told to connect to (Metadata); default: the listener's own. */
  streamAdvertisedHost?: string;
  streamAdvertisedPort?: number;
  /** Group-commit window in ms: persistent messages written within it share one fdatasync. Default 2. */
  syncIntervalMs?: number;
  /**
   * How long a delivery may stay unacknowledged, in ms, as RabbitMQ's consumer_timeout
   * (queues may set less with x-consumer-timeout or the consumer-timeout policy key).
   * Default 1800000 (30 minutes); 0 = no timeout.
   */
  consumerTimeoutMs?: number;
  /**
   * What a timeout does: 'close-channel' (RabbitMQ's 406 on the channel, every unacked
   * message of the channel requeued; the default) or 'cancel-consumer' (only the late
   * consumer is cancelled with basic.cancel and its messages requeued, the channel
   * stays open; for clients announcing consumer_cancel_notify, else the channel closes).
   */
  consumerTimeoutMode?: 'close-channel' | 'cancel-consumer';
}
