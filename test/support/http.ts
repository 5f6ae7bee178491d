// Helpers for the management API and metrics tests: a broker with both endpoints on
// free ports, and a small fetch wrapper. With WARREN_TEST_HTTP_URL (and WARREN_TEST_URL
// for AMQP) set, the API tests run against that external broker instead, e.g. a
// RabbitMQ 3.10 node, to prove the expectations themselves; tests that need Warren's
// insides are skipped then.

import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Broker } from '../../src/index.js';

export interface HttpTestBroker {
  amqpUrl: string;
  /** http://host:port (routes under /api). */
  apiUrl: string;
  /** The embedded broker, or undefined against an external one. */
  broker: Broker | undefined;
  close(): Promise<void>;
}

export const EXTERNAL = process.env.WARREN_TEST_HTTP_URL !== undefined;

export async function startHttpBroker(): Promise<HttpTestBroker> {
  if (EXTERNAL) {
    const amqpUrl = process.env.WARREN_TEST_URL;
    if (!amqpUrl) throw new Error('WARREN_TEST_HTTP_URL needs WARREN_TEST_URL (the same broker over AMQP)');
    return { amqpUrl, apiUrl: process.env.WARREN_TEST_HTTP_URL!, broker: undefined, close: async () => {} };
  }
  // Compiled layout: dist/test/support/http.js -> dist/src/index.js
  const { Broker } = await import('../../src/index.js');
  const broker = await Broker.start({ port: 0, httpPort: 0, metricsPort: 0 });
  return { amqpUrl: broker.url, apiUrl: broker.httpUrl!, broker, close: () => broker.close() };
}

export interface ApiOptions {
  /** [user, password]; null sends no Authorization header. Default guest/guest. */
  auth?: readonly [string, string] | null;
  body?: unknown;
  /** Sent as is, instead of JSON.stringify(body). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, the text when not JSON, or undefined when empty. */
  body: any;
}

export async function api(base: string, method: string, path: string, options: ApiOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  const auth = options.auth === undefined ? (['guest', 'guest'] as const) : options.auth;
  if (auth) headers.authorization = `Basic ${Buffer.from(`${auth[0]}:${auth[1]}`).toString('base64')}`;
  let body: string | undefined = options.rawBody;
  if (body === undefined && options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(base + path, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text === '' ? undefined : text;
  try {
    if (text !== '') parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** A vhost or name as a path segment (/ is %2F, as RabbitMQ expects). */
export const seg = (name: string) => encodeURIComponent(name);

/** Asserts the status, and the body when given. */
export function expectReply(response: ApiResponse, status: number, body?: unknown): void {
  assert.equal(response.status, status, `status ${response.status}, body ${JSON.stringify(response.body)}`);
  if (body !== undefined) assert.deepEqual(response.body, body);
}

/** Asserts `object` has every field RabbitMQ's answer had, less those Warren documents as omitted. */
export function assertFields(object: unknown, expected: readonly string[], omitted: readonly string[] = [], what = 'object'): void {
  assert.equal(typeof object, 'object', `${what} is not an object: ${JSON.stringify(object)}`);
  const keys = new Set(Object.keys(object as object));
  const missing = expected.filter((key) => !keys.has(key) && !omitted.includes(key));
  assert.deepEqual(missing, [], `${what} lacks RabbitMQ's fields ${missing.join(', ')}`);
}

/** A user with tags and full permissions in `vhosts`, deleted after the test. */
export async function makeUser(
  t: TestContext,
  base: string,
  name: string,
  password: string,
  tags: string,
  vhosts: readonly string[] = [],
): Promise<readonly [string, string]> {
  expectReply(await api(base, 'PUT', `/api/users/${seg(name)}`, { body: { password, tags } }), 201);
  t.after(() => api(base, 'DELETE', `/api/users/${seg(name)}`).then(() => undefined));
  for (const vhost of vhosts) {
    expectReply(await api(base, 'PUT', `/api/permissions/${seg(vhost)}/${seg(name)}`, { body: { configure: '.*', write: '.*', read: '.*' } }), 201);
  }
  return [name, password];
}

/** A vhost deleted after the test. */
export async function makeVhost(t: TestContext, base: string, name: string): Promise<string> {
  expectReply(await api(base, 'PUT', `/api/vhosts/${seg(name)}`, { body: {} }), 201);
  t.after(() => api(base, 'DELETE', `/api/vhosts/${seg(name)}`).then(() => undefined));
  return name;
}

/** Polls until `check` passes (RabbitMQ's stats arrive every few seconds; Warren's at once). */
export async function eventually<T>(fetchValue: () => Promise<T>, check: (value: T) => boolean, timeoutMs = EXTERNAL ? 12_000 : 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fetchValue();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, EXTERNAL ? 500 : 20));
  }
}
