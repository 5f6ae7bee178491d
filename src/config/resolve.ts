import { readFileSync } from 'node:fs';
import type { BrokerOptions } from './options.js';

/** Settings as strings from one source (flags, environment, config file) before parsing. */
export type RawSettings = Partial<Record<SettingName, unknown>>;

export const SETTINGS = {
  port: 'number',
  host: 'string',
  dataDir: 'string',
  heartbeat: 'number',
  frameMax: 'number',
  channelMax: 'number',
  handshakeTimeoutMs: 'number',
  logLevel: 'string',
  syncIntervalMs: 'number',
  diskFreeLimit: 'number',
  serverProperties: 'properties',
  httpPort: 'number',
  metricsPort: 'number',
  streamPort: 'number',
  streamAdvertisedHost: 'string',
  streamAdvertisedPort: 'number',
  consumerTimeoutMs: 'number',
  consumerTimeoutMode: ['close-channel', 'cancel-consumer'],
} as const;
export type SettingName = keyof typeof SETTINGS;

/** WARREN_PORT, WARREN_DATA_DIR, WARREN_SERVER_PROPERTIES ('product=RabbitMQ,version=3.10.8'), ... */
export function envName(setting: SettingName): string {
  return `WARREN_${setting.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

export function fromEnvironment(env: NodeJS.ProcessEnv): RawSettings {
  const raw: RawSettings = {};
  for (const setting of Object.keys(SETTINGS) as SettingName[]) {
    const value = env[envName(setting)];
    if (value !== undefined && value !== '') raw[setting] = value;
  }
  return raw;
}

/** Keys of the same config file that belong to warrenctl, not to the server. */
const CLIENT_KEYS = new Set(['apiUrl', 'username', 'password']);

/** A JSON file with the same keys as BrokerOptions (warrenctl's keys may sit beside them). */
export function fromConfigFile(path: string): RawSettings {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`config file ${path} must hold a JSON object`);
  }
  const unknown = Object.keys(parsed).filter((key) => !Object.hasOwn(SETTINGS, key) && !CLIENT_KEYS.has(key));
  if (unknown.length > 0) throw new Error(`config file ${path}: unknown setting(s) ${unknown.join(', ')}`);
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) if (!CLIENT_KEYS.has(key)) settings[key] = value;
  return settings as RawSettings;
}

/** Later sources win: pass them lowest precedence first (file, environment, flags). */
export function resolveOptions(...sources: RawSettings[]): BrokerOptions {
  const options: Record<string, unknown> = {};
  for (const source of sources) {
    for (const [key, value] of Object.entries(source)) {
      if (value === undefined) continue;
      const setting = key as SettingName;
      options[setting] = parseSetting(setting, value, options[setting]);
    }
  }
  return options as BrokerOptions;
}

function parseSetting(setting: SettingName, value: unknown, previous: unknown): unknown {
  const kind = SETTINGS[setting];
  if (kind === 'number') {
    const number = typeof value === 'number' ? value : Number(value);
    if (!Number.isInteger(number) || number < 0) {
      throw new Error(`${setting} must be a non-negative integer, got ${JSON.stringify(value)}`);
    }
    return number;
  }
  if (kind === 'properties') {
    return { ...(previous as Record<string, string> | undefined), ...parseProperties(setting, value) };
  }
  if (typeof value !== 'string') throw new Error(`${setting} must be a string, got ${JSON.stringify(value)}`);
  if (Array.isArray(kind) && !kind.includes(value)) throw new Error(`${setting} must be one of ${kind.join(', ')}, got ${JSON.stringify(value)}`);
  return value;
}

function parseProperties(setting: SettingName, value: unknown): Record<string, string> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
  }
  const list = Array.isArray(value) ? value.map(String) : String(value).split(',');
  const properties: Record<string, string> = {};
  for (const item of list) {
    if (item.trim() === '') continue;
    const at = item.indexOf('=');
    if (at <= 0) throw new Error(`${setting}: expected key=value, got ${JSON.stringify(item)}`);
    properties[item.slice(0, at).trim()] = item.slice(at + 1);
  }
  return properties;
}
