// Running the compiled warrenctl as a child process against a broker's management
// API, as test/warrenctl.test.ts does: WARRENCTL_TEST_API and WARRENCTL_TEST_AMQP pick
// an external broker (RabbitMQ 3.10, to prove the tests themselves), otherwise an
// embedded Warren is started with its HTTP API on a free port.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Compiled layout: dist/test/support/ctl.js -> dist/src/cli/warrenctl.js
const CLI = fileURLToPath(new URL('../../src/cli/warrenctl.js', import.meta.url));

export interface CtlTarget {
  api: string;
  amqp: string;
  /** True when the broker is an external one (RabbitMQ), not an embedded Warren. */
  external: boolean;
  close(): Promise<void>;
}

export async function startCtlTarget(): Promise<CtlTarget> {
  const api = process.env.WARRENCTL_TEST_API;
  if (api) {
    const url = process.env.WARRENCTL_TEST_AMQP;
    if (!url) throw new Error("WARRENCTL_TEST_API needs WARRENCTL_TEST_AMQP (the same broker's amqp:// URL)");
    return { api, amqp: url, external: true, close: async () => {} };
  }
  const { Broker } = await import('../../src/index.js');
  const b = await Broker.start({ port: 0, httpPort: 0, metricsPort: 0 });
  return { api: b.httpUrl!, amqp: b.url, external: false, close: () => b.close() };
}

export interface CtlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs warrenctl with `args` against `target`'s API, with none of the caller's WARREN_* settings. */
export function runCtl(target: CtlTarget, args: string[]): Promise<CtlResult> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('WARREN')) env[k] = v;
  env.WARREN_API = target.api;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end('');
  });
}

/** Asserts exit code, stdout and stderr (exact strings, or patterns). */
export function expectRun(result: CtlResult, code: number, stdout: string | RegExp, stderr: string | RegExp = '', what = 'warrenctl'): void {
  assert.equal(result.code, code, `exit code of ${what} (stdout ${JSON.stringify(result.stdout)}, stderr ${JSON.stringify(result.stderr)})`);
  if (typeof stdout === 'string') assert.equal(result.stdout, stdout, `stdout of ${what}`);
  else assert.match(result.stdout, stdout, `stdout of ${what}`);
  if (typeof stderr === 'string') assert.equal(result.stderr, stderr, `stderr of ${what}`);
  else assert.match(result.stderr, stderr, `stderr of ${what}`);
}

/** The management API directly, as guest: for setup, cleanup and checking what warrenctl did. */
export async function ctlApi(target: CtlTarget, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${target.api.replace(/\/$/, '')}/api${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
