#!/usr/bin/env node
import { Command } from 'commander';
import { envName, fromConfigFile, fromEnvironment, resolveOptions, type RawSettings } from '../config/resolve.js';
import { Broker } from '../index.js';
import { VERSION } from '../version.js';

const DEFAULT_DATA_DIR = './warren-data';
/** RabbitMQ's ports for its management API and Prometheus endpoint. */
const DEFAULT_HTTP_PORT = 15672;
const DEFAULT_METRICS_PORT = 15692;
/** RabbitMQ's stream protocol port. */
const DEFAULT_STREAM_PORT = 5552;

const program = new Command('warren')
  .description('Warren: an AMQP 0-9-1 broker that RabbitMQ clients use unchanged')
  .version(VERSION)
  .option('-p, --port <port>', `AMQP port (default 5672; ${envName('port')})`)
  .option('--host <address>', `interface to listen on (default 127.0.0.1; 0.0.0.0 for all; ${envName('host')})`)
  .option('-d, --data-dir <dir>', `data folder, created if missing (default ${DEFAULT_DATA_DIR}; ${envName('dataDir')})`)
  .option('-c, --config <file>', 'JSON config file with the same settings (WARREN_CONFIG)')
  .option('--log-level <level>', `trace, debug, info, warn, error, fatal or silent (default info; ${envName('logLevel')})`)
  .option('--http-port <port>', `management HTTP API port, 0 = off (default ${DEFAULT_HTTP_PORT}; ${envName('httpPort')})`)
  .option('--metrics-port <port>', `Prometheus metrics port, 0 = off (default ${DEFAULT_METRICS_PORT}; ${envName('metricsPort')})`)
  .option('--stream-port <port>', `RabbitMQ stream protocol port, 0 = off (default ${DEFAULT_STREAM_PORT}; ${envName('streamPort')})`)
  .option('--stream-advertised-host <host>', `host stream clients are told to connect to (default: the listener's; ${envName('streamAdvertisedHost')})`)
  .option('--stream-advertised-port <port>', `port stream clients are told to connect to (${envName('streamAdvertisedPort')})`)
  .option('--heartbeat <seconds>', 'heartbeat the server proposes, 0 = off (default 60)')
  .option('--frame-max <bytes>', 'largest frame size (default 131072)')
  .option('--channel-max <n>', 'most channels per connection (default 2047)')
  .option('--consumer-timeout <ms>', `longest a delivery may stay unacknowledged, 0 = none (default 1800000; ${envName('consumerTimeoutMs')})`)
  .option(
    '--consumer-timeout-mode <mode>',
    `close-channel (RabbitMQ's) or cancel-consumer (only the late consumer goes) (${envName('consumerTimeoutMode')})`,
  )
  .option(
    '--server-property <key=value>',
    'override a connection.start server property, e.g. product=RabbitMQ (repeatable)',
    (value: string, previous: string[] = []) => [...previous, value],
  )
  .parse();

const flags = program.opts<Record<string, string | string[] | undefined>>();
const fromFlags: RawSettings = {
  port: flags.port,
  host: flags.host,
  dataDir: flags.dataDir,
  logLevel: flags.logLevel,
  heartbeat: flags.heartbeat,
  frameMax: flags.frameMax,
  channelMax: flags.channelMax,
  serverProperties: flags.serverProperty,
  httpPort: flags.httpPort,
  metricsPort: flags.metricsPort,
  streamPort: flags.streamPort,
  streamAdvertisedHost: flags.streamAdvertisedHost,
  streamAdvertisedPort: flags.streamAdvertisedPort,
  consumerTimeoutMs: flags.consumerTimeout,
  consumerTimeoutMode: flags.consumerTimeoutMode,
};

/** For the command, 0 turns a listener off (for the embedding API, 0 means any free port). */
const zeroMeansOff = (port: number | null | undefined) => (port === 0 ? null : port);

async function main(): Promise<void> {
  const configPath = (flags.config as string | undefined) ?? process.env.WARREN_CONFIG;
  const resolved = resolveOptions(
    { dataDir: DEFAULT_DATA_DIR, logLevel: 'info', httpPort: DEFAULT_HTTP_PORT, metricsPort: DEFAULT_METRICS_PORT, streamPort: DEFAULT_STREAM_PORT },
    configPath ? fromConfigFile(configPath) : {},
    fromEnvironment(process.env),
    fromFlags,
  );
  const options = {
    ...resolved,
    httpPort: zeroMeansOff(resolved.httpPort),
    metricsPort: zeroMeansOff(resolved.metricsPort),
    streamPort: zeroMeansOff(resolved.streamPort),
  };
  const broker = await Broker.start(options);
  const stop = (signal: string) => {
    broker.log.info('%s received, shutting down', signal);
    broker.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: Error) => {
  console.error(`warren: ${error.message}`);
  process.exit(1);
});
