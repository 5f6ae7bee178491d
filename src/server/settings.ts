import type { BrokerOptions } from '../config/options.js';

/** Connection-level settings with RabbitMQ's defaults filled in. */
export interface ServerSettings {
  heartbeat: number;
  frameMax: number;
  channelMax: number;
  handshakeTimeoutMs: number;
  serverProperties: Record<string, string>;
  /** RabbitMQ's consumer_timeout (ms; 0 = none) and what a timeout does. */
  consumerTimeoutMs: number;
  consumerTimeoutMode: 'close-channel' | 'cancel-consumer';
}

/** RabbitMQ's default consumer_timeout: 30 minutes. */
export const DEFAULT_CONSUMER_TIMEOUT_MS = 1_800_000;

export const FRAME_MIN_SIZE = 4096;

export function serverSettings(options: BrokerOptions): ServerSettings {
  return {
    heartbeat: options.heartbeat ?? 60,
    frameMax: Math.max(FRAME_MIN_SIZE, options.frameMax ?? 131072),
    channelMax: options.channelMax ?? 2047,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
    serverProperties: options.serverProperties ?? {},
    consumerTimeoutMs: options.consumerTimeoutMs ?? DEFAULT_CONSUMER_TIMEOUT_MS,
    consumerTimeoutMode: options.consumerTimeoutMode ?? 'close-channel',
  };
}
