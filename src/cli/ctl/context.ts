import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ApiClient } from './api-client.js';
import { CtlError, ExitCode, usageError } from './errors.js';
import { type Column, type Kind, Output, parseFormatter } from './format.js';

/** Options every command accepts, before or after the command name (as rabbitmqctl does). */
export interface GlobalOptions {
  api?: string;
  username?: string;
  password?: string;
  config?: string;
  vhost?: string;
  quiet?: boolean;
  silent?: boolean;
  tableHeaders?: boolean;
  formatter?: string;
  timeout?: string;
  node?: string;
}

export const DEFAULT_API_URL = 'http://127.0.0.1:15672';
/** rabbitmqctl's default operation timeout for listings. */
export const DEFAULT_TIMEOUT_SECONDS = 60;

/** What a command needs: the API, the output, and the vhost it is scoped to. */
export interface Ctx {
  api: ApiClient;
  out: Output;
  vhost: string;
  /** --timeout in seconds, when given. */
  timeoutSeconds: number | undefined;
  /** Ends a command that prints no rows: nothing in table output, {"node":..,"result":"ok"} in JSON. */
  done(): Promise<void>;
  /** The broker's node name (from /api/overview). */
  nodeName(): Promise<string>;
}

interface ConfigFile {
  apiUrl?: string;
  username?: string;
  password?: string;
}

/**
 * warrenctl's settings in a JSON file. Warren's server config uses the same
 * file format, so keys other than apiUrl, username and password are ignored.
 */
export function readConfigFile(path: string): ConfigFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CtlError(`cannot read config file ${path}: ${(error as Error).message}`, ExitCode.CONFIG);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CtlError(`config file ${path} must hold a JSON object`, ExitCode.CONFIG);
  }
  const config: ConfigFile = {};
  for (const key of ['apiUrl', 'username', 'password'] as const) {
    const value = (parsed as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new CtlError(`config file ${path}: ${key} must be a string`, ExitCode.CONFIG);
    config[key] = value;
  }
  return config;
}

export function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw usageError(`invalid --timeout "${value}" (seconds, above 0)`);
  return seconds;
}

/** Flags win over environment variables, which win over the config file, then the defaults. */
export function createContext(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Ctx {
  const out = new Output({
    quiet: options.quiet === true,
    silent: options.silent === true,
    tableHeaders: options.tableHeaders !== false,
    formatter: parseFormatter(options.formatter),
  });
  const timeoutSeconds = parseTimeout(options.timeout);
  const configPath = options.config ?? nonEmpty(env.WARREN_CONFIG);
  const config = configPath ? readConfigFile(configPath) : {};
  const api = new ApiClient({
    apiUrl: options.api ?? nonEmpty(env.WARREN_API) ?? config.apiUrl ?? DEFAULT_API_URL,
    username: options.username ?? nonEmpty(env.WARREN_USERNAME) ?? config.username ?? 'guest',
    password: options.password ?? env.WARREN_PASSWORD ?? config.password ?? 'guest',
    timeoutMs: (timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
  });
  let node: Promise<string> | undefined;
  const nodeName = () => {
    node ??= api.get<{ node?: string }>('/overview').then(({ body }) => body?.node ?? '');
    return node;
  };
  return {
    api,
    out,
    vhost: options.vhost ?? '/',
    timeoutSeconds,
    nodeName,
    async done() {
      if (out.json) out.jsonLine({ node: await nodeName(), result: 'ok' });
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The columns a listing prints: the ones asked for (space- or comma-separated,
 * duplicates dropped) or the defaults. Unknown names are a usage error, with
 * rabbitmqctl's wording.
 */
export function pickColumns(requested: string[], known: Record<string, Kind>, defaults: string[]): Column[] {
  const names = [...new Set(requested.flatMap((arg) => arg.split(',')).map((s) => s.trim()).filter(Boolean))];
  const chosen = names.length > 0 ? names : defaults;
  const unknown = chosen.filter((name) => !Object.hasOwn(known, name));
  if (unknown.length > 0) {
    throw usageError(
      `Info key(s) ${unknown.join(',')} are not supported (use any of: ${Object.keys(known).sort().join(', ')})`,
    );
  }
  return chosen.map((name) => ({ name, kind: known[name] }));
}

/** The column list shown under a listing command's --help. */
export function columnHelp(known: Record<string, Kind>): string {
  return `\nColumns (space- or comma-separated): ${Object.keys(known).join(', ')}`;
}

/**
 * Wraps a command's handler for commander: builds the context from the global
 * options (wherever they were given) and passes the positional arguments.
 */
export function withContext(
  // Positional arguments come from commander untyped; each handler names and types its own.
  handler: (ctx: Ctx, ...args: any[]) => Promise<void>,
): (...params: unknown[]) => Promise<void> {
  return async (...params: unknown[]) => {
    const command = params[params.length - 1] as Command;
    const ctx = createContext(command.optsWithGlobals<GlobalOptions>());
    await handler(ctx, ...command.processedArgs, command.opts());
  };
}
