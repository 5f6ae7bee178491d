// warrenctl end to end: the compiled CLI runs as a child process against a
// broker's management API; stdout, stderr and exit codes are asserted.
//
//   WARRENCTL_TEST_API=http://127.0.0.1:15673 WARRENCTL_TEST_AMQP=amqp://guest:guest@127.0.0.1:5673/ npm test
//
// picks an external broker (RabbitMQ 3.10, to prove the tests themselves);
// without them an embedded Warren is started with its HTTP API on a free port.
// The broker may be shared: everything is created under unique names (mostly
// in a vhost of its own) and removed afterwards, and assertions only look at
// those objects.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import amqp, { type Channel, type ChannelModel } from 'amqplib';

const CLI = fileURLToPath(new URL('../src/cli/warrenctl.js', import.meta.url));
const ID = `wctl-${process.pid}-${randomBytes(3).toString('hex')}`;
/** The management API refreshes queue/connection statistics every few seconds. */
const STATS_WAIT_MS = 20_000;

interface Target {
  api: string;
  amqp: string;
  close(): Promise<void>;
}

async function startTarget(): Promise<Target> {
  const api = process.env.WARRENCTL_TEST_API;
  if (api) {
    const url = process.env.WARRENCTL_TEST_AMQP;
    if (!url) throw new Error('WARRENCTL_TEST_API needs WARRENCTL_TEST_AMQP (the same broker\'s amqp:// URL)');
    return { api, amqp: url, close: async () => {} };
  }
  // Compiled layout: dist/test/warrenctl.test.js -> dist/src/index.js
  const { Broker } = await import('../src/index.js');
  const options = { port: 0, httpPort: 0 } as Parameters<typeof Broker.start>[0];
  const b = await Broker.start(options);
  const httpUrl = (b as unknown as { httpUrl?: string }).httpUrl;
  if (!httpUrl) {
    await b.close();
    throw new Error('the embedded Warren has no HTTP API yet (Broker.httpUrl is missing); set WARRENCTL_TEST_API and WARRENCTL_TEST_AMQP');
  }
  return { api: httpUrl, amqp: b.url, close: () => b.close() };
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

let target: Target;

/** Environment for the CLI: none of the caller's WARREN_* settings, the target's API. */
function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('WARREN')) env[k] = v;
  env.WARREN_API = target.api;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

function ctl(args: string[], options: { env?: Record<string, string | undefined>; input?: string } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: cliEnv(options.env) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a command that must succeed silently on stderr. */
async function ok(args: string[], options?: Parameters<typeof ctl>[1]): Promise<string> {
  const r = await ctl(args, options);
  assert.equal(r.stderr, '', `stderr of warrenctl ${args.join(' ')}`);
  assert.equal(r.code, 0, `exit code of warrenctl ${args.join(' ')}`);
  return r.stdout;
}

/** Expects failure with this exit code and exactly one "Error: ..." line on stderr. */
async function fails(args: string[], code: number, error: string | RegExp, options?: Parameters<typeof ctl>[1]): Promise<Result> {
  const r = await ctl(args, options);
  assert.equal(r.code, code, `exit code of warrenctl ${args.join(' ')} (stderr: ${r.stderr})`);
  assert.match(r.stderr, /^Error: [^\n]+\n$/, 'one error line');
  if (typeof error === 'string') assert.equal(r.stderr, `Error: ${error}\n`);
  else assert.match(r.stderr, error);
  return r;
}

/** Retries a listing until `check` passes (statistics lag behind), then returns its last output. */
async function eventually(args: string[], check: (stdout: string) => void): Promise<string> {
  const deadline = Date.now() + STATS_WAIT_MS;
  for (;;) {
    const stdout = await ok(args);
    try {
      check(stdout);
      return stdout;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Tab-separated rows of a -q listing (header first). */
function rows(stdout: string): string[][] {
  return stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/** Direct API calls, for setup, cleanup and checking effects independently of warrenctl. */
async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
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

const enc = encodeURIComponent;

function amqpUrl(vhost: string): string {
  const url = new URL(target.amqp);
  url.pathname = `/${enc(vhost)}`;
  return url.toString();
}

const connections: ChannelModel[] = [];
async function connect(vhost: string, name: string): Promise<ChannelModel> {
  const c = await amqp.connect(amqpUrl(vhost), { clientProperties: { connection_name: name } });
  c.on('error', () => {});
  connections.push(c);
  return c;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

const VHOST = `${ID}-vh`;
const tmp = mkdtempSync(join(tmpdir(), 'warrenctl-test-'));

before(async () => {
  target = await startTarget();
  assert.equal((await api('PUT', `/vhosts/${enc(VHOST)}`, {})).status < 300, true);
  assert.equal((await api('PUT', `/permissions/${enc(VHOST)}/guest`, { configure: '.*', write: '.*', read: '.*' })).status < 300, true);
});

after(async () => {
  for (const c of connections) await c.close().catch(() => {});
  if (target) {
    const vhosts = (await api('GET', '/vhosts')).body as { name: string }[];
    for (const v of vhosts.filter((v) => v.name.startsWith(ID))) await api('DELETE', `/vhosts/${enc(v.name)}`);
    const users = (await api('GET', '/users')).body as { name: string }[];
    for (const u of users.filter((u) => u.name.startsWith(ID))) await api('DELETE', `/users/${enc(u.name)}`);
    await target.close();
  }
  rmSync(tmp, { recursive: true, force: true });
});

describe('where warrenctl connects', () => {
  test('an unreachable API: exit 69 and one line naming the URL', async () => {
    const port = await closedPort();
    const r = await fails(['list_users', '--api', `http://127.0.0.1:${port}`], 69, `broker not reachable at http://127.0.0.1:${port} (connect ECONNREFUSED)`);
    assert.equal(r.stdout, 'Listing users ...\n', 'the banner comes first, as in rabbitmqctl');
  });

  test('the default API URL is http://127.0.0.1:15672', async () => {
    const r = await ctl(['list_users', '-q'], { env: { WARREN_API: undefined } });
    if (r.code !== 0) assert.match(r.stderr, /^Error: broker not reachable at http:\/\/127\.0\.0\.1:15672 \(/);
  });

  test('wrong credentials: exit 77 with the 401', async () => {
    await fails(['list_users', '--password', 'wrong'], 77, /^Error: authentication failed for user "guest" at \S+ \(401[^)]*\)\n$/);
    await fails(['list_users'], 77, /^Error: authentication failed for user "nobody-\S+" at \S+ \(401/, {
      env: { WARREN_USERNAME: `nobody-${ID}`, WARREN_PASSWORD: 'x' },
    });
  });

  test('--api beats WARREN_API; WARREN_* beat the config file; flags beat both', async () => {
    const port = await closedPort();
    const dead = `http://127.0.0.1:${port}`;
    assert.equal(await ok(['list_vhosts', '-q', '--api', target.api], { env: { WARREN_API: dead } }).then((s) => s.includes(`${VHOST}\n`)), true);
    await fails(['list_vhosts'], 69, new RegExp(`not reachable at ${dead}`), { env: { WARREN_API: dead } });

    // Warren's server config is the same kind of file: unknown keys are ignored.
    const config = join(tmp, 'warren.json');
    writeFileSync(config, JSON.stringify({ apiUrl: target.api, username: 'guest', password: 'guest', port: 5672, dataDir: './data' }));
    assert.match(await ok(['--config', config, 'list_vhosts', '-q'], { env: { WARREN_API: undefined } }), new RegExp(`^${VHOST}$`, 'm'));
    assert.match(await ok(['list_vhosts', '-q'], { env: { WARREN_API: undefined, WARREN_CONFIG: config } }), /^name$/m);
    await fails(['list_vhosts', '-q'], 77, /401/, { env: { WARREN_API: undefined, WARREN_CONFIG: config, WARREN_PASSWORD: 'wrong' } });
    await ok(['list_vhosts', '-q', '--password', 'guest'], { env: { WARREN_API: undefined, WARREN_CONFIG: config, WARREN_PASSWORD: 'wrong' } });
    writeFileSync(config, JSON.stringify({ apiUrl: dead }));
    await fails(['list_vhosts', '-q'], 69, /not reachable/, { env: { WARREN_API: undefined, WARREN_CONFIG: config } });
  });

  test('an unreadable config file: exit 78', async () => {
    await fails(['--config', join(tmp, 'missing.json'), 'list_users'], 78, /^Error: cannot read config file /);
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '[1]');
    await fails(['--config', bad, 'list_users'], 78, `config file ${bad} must hold a JSON object`);
  });
});

describe('command line', () => {
  test('usage errors exit 64 with one line', async () => {
    await fails(['no_such_command'], 64, "unknown command 'no_such_command'");
    await fails(['add_user', 'a', 'b', 'c'], 64, "too many arguments for 'add_user'. Expected 2 arguments but got 3.");
    await fails(['set_permissions', 'someone', '.*'], 64, "missing required argument 'write'");
    await fails(['list_users', '--bogus'], 64, "unknown option '--bogus'");
    await fails(['list_queues', 'name', 'bogus'], 64, /^Error: Info key\(s\) bogus are not supported/);
    await fails(['list_users', '--formatter', 'yaml'], 64, /^Error: unknown formatter "yaml"/);
    await fails(['list_users', '-t', 'soon'], 64, /^Error: invalid --timeout "soon"/);
    const none = await ctl([]);
    assert.equal(none.code, 64);
  });

  test('--help and help COMMAND exit 0', async () => {
    assert.match(await ok(['--help']), /list_queues \[columns\.\.\.\]/);
    assert.match(await ok(['help', 'list_queues']), /Columns \(space- or comma-separated\): name, durable/);
    assert.match(await ok(['delete_queue', '--help']), /--if-empty/);
  });

  test('rabbitmqctl-only flags -n and -l are accepted', async () => {
    assert.match(await ok(['-n', 'rabbit@localhost', '-l', 'list_vhosts', '-q']), /^name$/m);
  });
});

describe('users', () => {
  const user = `${ID}-u1`;

  test('add_user prints the banner and the hint, and creates a user with no tags', async () => {
    assert.equal(
      await ok(['add_user', user, 'pw1']),
      `Adding user "${user}" ...\nDone. Don't forget to grant the user permissions to some virtual hosts! See 'warrenctl help set_permissions' to learn more.\n`,
    );
    const found = await api('GET', `/users/${enc(user)}`);
    assert.equal(found.status, 200);
    assert.deepEqual(found.body.tags, []);
  });

  test('add_user of an existing user: exit 70', async () => {
    const r = await fails(['add_user', user, 'other'], 70, `user "${user}" already exists`);
    assert.equal(r.stdout, `Adding user "${user}" ...\n`);
    await ok(['authenticate_user', user, 'pw1'], {}); // password unchanged
  });

  test('add_user reads the password from stdin when it is not given; -q prints nothing', async () => {
    const piped = `${ID}-piped`;
    assert.equal(await ok(['add_user', piped, '-q'], { input: 'from-stdin\n' }), '');
    assert.equal(await ok(['authenticate_user', piped, 'from-stdin', '-q']), 'Success\n');
    await fails(['add_user', `${ID}-nopw`], 65, 'password is not provided via argument or stdin');
    await ok(['delete_user', piped, '-q']);
  });

  test('authenticate_user: Success, or exit 65', async () => {
    assert.equal(await ok(['authenticate_user', user, 'pw1']), `Authenticating user "${user}" ...\nSuccess\n`);
    const r = await fails(['authenticate_user', user, 'wrong'], 65, `failed to authenticate user "${user}"`);
    assert.equal(r.stdout, `Authenticating user "${user}" ...\n`);
    await fails(['authenticate_user', `${ID}-nobody`, 'x'], 65, `failed to authenticate user "${ID}-nobody"`);
    assert.equal(await ok(['authenticate_user', user, 'pw1', '--formatter', 'json']), '{"message":"Success"}\n');
  });

  test('set_user_tags sets and clears tags and keeps the password', async () => {
    assert.equal(
      await ok(['set_user_tags', user, 'administrator', 'monitoring']),
      `Setting tags for user "${user}" to [administrator, monitoring] ...\n`,
    );
    assert.match(await ok(['list_users']), new RegExp(`^${user}\t\\[administrator, monitoring\\]$`, 'm'));
    await ok(['authenticate_user', user, 'pw1']);
    assert.equal(await ok(['set_user_tags', user, '-q']), '');
    assert.match(await ok(['list_users', '-q']), new RegExp(`^${user}\t\\[\\]$`, 'm'));
    await ok(['authenticate_user', user, 'pw1']);
  });

  test('list_users: banner, header, -q, -s, --no-table-headers, json, csv', async () => {
    await ok(['set_user_tags', user, 'management', '-q']);
    const table = await ok(['list_users']);
    assert.match(table, /^Listing users \.\.\.\nuser\ttags\n/);
    assert.match(table, /^guest\t\[administrator\]$/m);
    assert.match(await ok(['list_users', '-q']), /^user\ttags\n/);
    const silent = await ok(['-s', 'list_users']);
    assert.doesNotMatch(silent, /Listing|user\ttags/);
    assert.match(silent, new RegExp(`^${user}\t\\[management\\]$`, 'm'));
    assert.doesNotMatch(await ok(['list_users', '--no-table-headers']), /^user\ttags$/m);
    assert.match(await ok(['list_users', '--no-table-headers']), /^Listing users \.\.\.\n/);
    const json = await ok(['list_users', '--formatter', 'json']);
    assert.match(json, /^\[\n\{.*\}\n(,\{.*\}\n)*\]\n$/, "rabbitmqctl's one-object-a-line layout");
    assert.deepEqual(JSON.parse(json).find((u: { user: string }) => u.user === user), { user, tags: ['management'] });
    const csv = await ok(['list_users', '--formatter', 'csv']);
    assert.match(csv, /^"user","tags"\n/);
    assert.match(csv, new RegExp(`^"${user}","\\[management\\]"$`, 'm'));
  });

  test('change_password: the old one stops working', async () => {
    assert.equal(await ok(['change_password', user, 'pw2']), `Changing password for user "${user}" ...\n`);
    await fails(['authenticate_user', user, 'pw1'], 65, /failed to authenticate/);
    await ok(['authenticate_user', user, 'pw2']);
    assert.match(await ok(['list_users', '-q']), new RegExp(`^${user}\t\\[management\\]$`, 'm'), 'tags kept');
  });

  test('a missing user: exit 67', async () => {
    const nobody = `${ID}-nobody`;
    const r = await fails(['delete_user', nobody], 67, `user "${nobody}" does not exist`);
    assert.equal(r.stdout, `Deleting user "${nobody}" ...\n`);
    await fails(['change_password', nobody, 'x'], 67, `user "${nobody}" does not exist`);
    await fails(['set_user_tags', nobody, 'administrator'], 67, `user "${nobody}" does not exist`);
  });

  test('delete_user', async () => {
    assert.equal(await ok(['delete_user', user]), `Deleting user "${user}" ...\n`);
    assert.equal((await api('GET', `/users/${enc(user)}`)).status, 404);
  });

  test('--formatter json on commands without rows: {"node":...,"result":"ok"}', async () => {
    const u = `${ID}-json`;
    const added = JSON.parse(await ok(['add_user', u, 'pw', '--formatter', 'json']));
    assert.equal(added.status, 'ok');
    assert.equal(typeof added.node, 'string');
    const deleted = JSON.parse(await ok(['delete_user', u, '--formatter', 'json']));
    assert.deepEqual(deleted, { node: added.node, result: 'ok' });
  });
});

describe('vhosts', () => {
  const vhost = `${ID}-v1`;

  test('add_vhost, twice (the second is a no-op)', async () => {
    assert.equal(await ok(['add_vhost', vhost, '--description', 'made by a test']), `Adding vhost "${vhost}" ...\n`);
    assert.equal(await ok(['add_vhost', vhost, '-q', '--description', 'changed']), '');
    assert.equal((await api('GET', `/vhosts/${enc(vhost)}`)).status, 200);
  });

  test('list_vhosts with default and chosen columns', async () => {
    const out = await ok(['list_vhosts']);
    assert.match(out, /^Listing vhosts \.\.\.\nname\n/);
    assert.match(out, /^\/$/m);
    assert.match(out, new RegExp(`^${vhost}$`, 'm'));
    assert.match(await ok(['list_vhosts', 'name', 'tracing', 'description']), new RegExp(`^${vhost}\tfalse\tmade by a test$`, 'm'));
    assert.match(await ok(['list_vhosts', 'name,tracing', '-q']), /^name\ttracing\n/);
    const json = JSON.parse(await ok(['list_vhosts', 'name', 'tracing', '--formatter', 'json']));
    assert.deepEqual(json.find((v: { name: string }) => v.name === vhost), { name: vhost, tracing: false });
  });

  test('delete_vhost, and a missing vhost: exit 65', async () => {
    assert.equal(await ok(['delete_vhost', vhost]), `Deleting vhost "${vhost}" ...\n`);
    assert.equal((await api('GET', `/vhosts/${enc(vhost)}`)).status, 404);
    const r = await fails(['delete_vhost', vhost], 65, `virtual host "${vhost}" does not exist`);
    assert.equal(r.stdout, `Deleting vhost "${vhost}" ...\n`);
  });
});

describe('permissions', () => {
  const user = `${ID}-perm`;
  before(async () => {
    await ok(['add_user', user, 'pw', '-q']);
  });

  test('set_permissions, list_permissions, list_user_permissions', async () => {
    assert.equal(
      await ok(['set_permissions', '-p', VHOST, user, '^c.*', '^w.*', '^r.*']),
      `Setting permissions for user "${user}" in vhost "${VHOST}" ...\n`,
    );
    const list = await ok(['list_permissions', '-p', VHOST]);
    assert.match(list, new RegExp(`^Listing permissions for vhost "${VHOST}" \\.\\.\\.\nuser\tconfigure\twrite\tread\n`));
    assert.match(list, new RegExp(`^${user}\t\\^c\\.\\*\t\\^w\\.\\*\t\\^r\\.\\*$`, 'm'));
    assert.equal(
      await ok(['list_user_permissions', user]),
      `Listing permissions for user "${user}" ...\nvhost\tconfigure\twrite\tread\n${VHOST}\t^c.*\t^w.*\t^r.*\n`,
    );
    assert.equal(
      await ok(['list_user_permissions', user, '--formatter', 'json']),
      `[\n${JSON.stringify({ vhost: VHOST, configure: '^c.*', write: '^w.*', read: '^r.*' })}\n]\n`,
    );
    const json = JSON.parse(await ok(['-p', VHOST, 'list_permissions', '--formatter', 'json']));
    assert.deepEqual(json.find((p: { user: string }) => p.user === user), { user, configure: '^c.*', write: '^w.*', read: '^r.*' });
  });

  test('list_permissions defaults to vhost /', async () => {
    assert.match(await ok(['list_permissions']), /^Listing permissions for vhost "\/" \.\.\.\n/);
  });

  test('clear_permissions, twice', async () => {
    assert.equal(
      await ok(['clear_permissions', '-p', VHOST, user]),
      `Clearing permissions for user "${user}" in vhost "${VHOST}" ...\n`,
    );
    assert.equal(await ok(['list_user_permissions', user, '-q']), 'vhost\tconfigure\twrite\tread\n');
    await ok(['clear_permissions', '-p', VHOST, user]);
  });

  test("a missing user or vhost: rabbitmqctl's codes (user 67, vhost 69 or 65)", async () => {
    const nobody = `${ID}-nobody`;
    const novhost = `${ID}-novhost`;
    await fails(['set_permissions', '-p', VHOST, nobody, '.*', '.*', '.*'], 67, `user "${nobody}" does not exist`);
    await fails(['set_permissions', '-p', novhost, user, '.*', '.*', '.*'], 69, `virtual host "${novhost}" does not exist`);
    await fails(['set_permissions', '-p', novhost, nobody, '.*', '.*', '.*'], 67, `user "${nobody}" does not exist`);
    await fails(['clear_permissions', '-p', VHOST, nobody], 67, `user "${nobody}" does not exist`);
    await fails(['clear_permissions', '-p', novhost, user], 69, `virtual host "${novhost}" does not exist`);
    await fails(['list_permissions', '-p', novhost], 65, `virtual host "${novhost}" does not exist`);
    await fails(['list_user_permissions', nobody], 69, `user "${nobody}" does not exist`);
  });
});

describe('queues, exchanges, bindings, connections, channels, consumers', () => {
  const Q = 'q-args';
  const QAUTO = 'q-auto';
  const QEXCL = 'q-excl';
  const X = 'x-topic';
  const CONN = `${ID}-conn`;
  let ch: Channel;
  let channelName = '';

  before(async () => {
    const c = await connect(VHOST, CONN);
    ch = await c.createChannel();
    await ch.assertQueue(Q, { durable: true, arguments: { 'x-message-ttl': 60000 } });
    await ch.assertQueue(QAUTO, { durable: false, autoDelete: true });
    await ch.assertQueue(QEXCL, { exclusive: true });
    await ch.assertExchange(X, 'topic', { durable: false, arguments: { 'alternate-exchange': 'ae' } });
    await ch.bindQueue(Q, X, 'a.#', { 'x-foo': 'bar' });
    for (let i = 0; i < 3; i++) ch.sendToQueue(Q, Buffer.from(`m${i}`));
    await ch.prefetch(1);
    await ch.consume(Q, () => {}, { consumerTag: 'ctag-1' });
  });

  test('list_queues: banners, default columns, -q, -s, json, csv', async () => {
    const out = await eventually(['list_queues', '-p', VHOST], (s) => assert.match(s, /^q-args\t3$/m));
    assert.match(out, new RegExp(`^Timeout: 60\\.0 seconds \\.\\.\\.\nListing queues for vhost ${VHOST} \\.\\.\\.\nname\tmessages\n`));
    assert.match(out, /^q-auto\t0$/m);
    assert.match(await ok(['list_queues', '-p', VHOST, '-t', '5']), /^Timeout: 5\.0 seconds \.\.\.\n/);
    assert.match(await ok(['-p', VHOST, 'list_queues', '-q']), /^name\tmessages\n/);
    const silent = await ok(['list_queues', '-p', VHOST, '-s']);
    assert.match(silent, /^q-\S+\t\d+\n/);
    assert.doesNotMatch(silent, /name\tmessages/);
    const json = JSON.parse(await ok(['list_queues', '-p', VHOST, '--formatter', 'json']));
    assert.deepEqual(json.find((q: { name: string }) => q.name === Q), { name: Q, messages: 3 });
    assert.match(await ok(['list_queues', '-p', VHOST, '--formatter', 'csv']), /^"name","messages"\n/);
  });

  test('list_queues with many columns', async () => {
    const cols = ['name', 'durable', 'auto_delete', 'arguments', 'messages', 'messages_ready', 'messages_unacknowledged', 'consumers', 'state', 'exclusive', 'policy', 'type'];
    const out = await eventually(['list_queues', '-p', VHOST, '-q', ...cols], (s) =>
      assert.match(s, /^q-args\ttrue\tfalse\t\[\{"x-message-ttl",60000\}\]\t3\t2\t1\t1\trunning\tfalse\t\tclassic$/m),
    );
    assert.equal(rows(out)[0].join(' '), cols.join(' '));
    assert.match(out, /^q-auto\tfalse\ttrue\t\[\]\t0\t0\t0\t0\trunning\tfalse\t\tclassic$/m);
    assert.match(out, /^q-excl\tfalse\tfalse\t\[\]\t0\t0\t0\t0\trunning\ttrue\t\tclassic$/m);
    const memory = rows(await ok(['list_queues', '-p', VHOST, '-s', 'name', 'memory'])).find((r) => r[0] === Q);
    assert.match(memory?.[1] ?? '', /^\d+$/);
    const json = JSON.parse(await ok(['list_queues', '-p', VHOST, 'name', 'arguments', 'durable', 'policy', '--formatter', 'json']));
    const q = json.find((r: { name: string }) => r.name === Q);
    assert.equal(q.durable, true);
    assert.equal(q.policy, '');
    assert.equal(q.arguments[0][0], 'x-message-ttl');
    assert.equal(q.arguments[0][2], 60000);
  });

  test('listings of a missing vhost are empty (exit 0), as in rabbitmqctl', async () => {
    const missing = `${ID}-novhost`;
    assert.equal(await ok(['list_queues', '-p', missing]), `Timeout: 60.0 seconds ...\nListing queues for vhost ${missing} ...\nname\tmessages\n`);
    assert.equal(await ok(['list_queues', '-p', missing, '--formatter', 'json']), '[\n]\n');
    assert.equal(await ok(['list_exchanges', '-p', missing, '-q']), 'name\ttype\n');
    assert.equal(await ok(['list_bindings', '-p', missing, '-s']), '');
    assert.equal(await ok(['list_consumers', '-p', missing, '-s']), '');
  });

  test('list_exchanges', async () => {
    const out = await ok(['list_exchanges', '-p', VHOST]);
    assert.match(out, new RegExp(`^Listing exchanges for vhost ${VHOST} \\.\\.\\.\nname\ttype\n`));
    assert.match(out, /^x-topic\ttopic$/m);
    assert.match(out, /^\tdirect$/m, 'the default exchange, with an empty name');
    assert.match(out, /^amq\.fanout\tfanout$/m);
    assert.match(
      await ok(['list_exchanges', '-p', VHOST, 'name', 'type', 'durable', 'auto_delete', 'internal', 'arguments', 'policy']),
      /^x-topic\ttopic\tfalse\tfalse\tfalse\t\[\{"alternate-exchange","ae"\}\]\t$/m,
    );
    const json = JSON.parse(await ok(['list_exchanges', '-p', VHOST, 'name', 'arguments', '--formatter', 'json']));
    assert.deepEqual(json.find((x: { name: string }) => x.name === X), { name: X, arguments: [['alternate-exchange', 'longstr', 'ae']] });
  });

  test('list_bindings', async () => {
    const out = await ok(['list_bindings', '-p', VHOST]);
    assert.match(
      out,
      new RegExp(`^Listing bindings for vhost ${VHOST}\\.\\.\\.\nsource_name\tsource_kind\tdestination_name\tdestination_kind\trouting_key\targuments\n`),
    );
    assert.match(out, /^\texchange\tq-args\tqueue\tq-args\t\[\]$/m);
    assert.match(out, /^x-topic\texchange\tq-args\tqueue\ta\.#\t\[\{"x-foo","bar"\}\]$/m);
    assert.match(await ok(['list_bindings', '-p', VHOST, '-q', 'source_name', 'routing_key']), /^x-topic\ta\.#$/m);
    const json = JSON.parse(await ok(['list_bindings', '-p', VHOST, '--formatter', 'json']));
    assert.deepEqual(json.find((b: { source_name: string }) => b.source_name === X), {
      source_name: X,
      source_kind: 'exchange',
      destination_name: Q,
      destination_kind: 'queue',
      routing_key: 'a.#',
      arguments: [['x-foo', 'longstr', 'bar']],
    });
  });

  test('list_connections', async () => {
    const cols = ['name', 'user', 'vhost', 'peer_host', 'state', 'protocol', 'channels', 'client_properties'];
    const out = await eventually(['list_connections', '-q', ...cols], (s) => assert.match(s, new RegExp(`"connection_name","${CONN}"`)));
    const row = rows(out).find((r) => r[2] === VHOST);
    assert.ok(row, 'our connection is listed');
    assert.equal(row[1], 'guest');
    assert.equal(row[4], 'running');
    assert.equal(row[5], '{0,9,1}');
    assert.equal(row[6], '1');
    assert.match(row[7], /^\[\{.*\}\]$/);
    const standard = await ok(['list_connections']);
    assert.match(standard, /^Listing connections \.\.\.\nuser\tpeer_host\tpeer_port\tstate\n/);
    assert.match(standard, /^guest\t\S+\t\d+\trunning$/m);
    const json = JSON.parse(await ok(['list_connections', 'vhost', 'peer_host', 'protocol', '--formatter', 'json']));
    const mine = json.find((c: { vhost: string }) => c.vhost === VHOST);
    assert.deepEqual(mine.protocol, [0, 9, 1]);
    assert.ok(Array.isArray(mine.peer_host) || typeof mine.peer_host === 'string');
  });

  test('list_channels', async () => {
    const cols = ['name', 'connection', 'number', 'user', 'vhost', 'consumer_count', 'prefetch_count', 'messages_unacknowledged'];
    const out = await eventually(['list_channels', '-q', ...cols], (s) => {
      const row = rows(s).find((r) => r[4] === VHOST);
      assert.ok(row, 'our channel is listed');
      assert.equal(row.slice(2).join(' '), `1 guest ${VHOST} 1 1 1`);
    });
    const row = rows(out).find((r) => r[4] === VHOST) as string[];
    channelName = row[0];
    assert.equal(channelName, `${row[1]} (1)`, 'a channel is named after its connection');
    const standard = await ok(['list_channels']);
    assert.match(standard, /^Listing channels \.\.\.\npid\tuser\tconsumer_count\tmessages_unacknowledged\n/);
    assert.ok(rows(standard).some((r) => r[0] === channelName), 'the pid column names the channel');
  });

  test('list_consumers', async () => {
    const out = await eventually(['list_consumers', '-p', VHOST], (s) => assert.match(s, /^q-args\t.*\tctag-1\t/m));
    assert.match(
      out,
      new RegExp(`^Listing consumers in vhost ${VHOST} \\.\\.\\.\nqueue_name\tchannel_pid\tconsumer_tag\tack_required\tprefetch_count\tactive\targuments\n`),
    );
    const row = rows(out).find((r) => r[0] === Q) as string[];
    assert.deepEqual(row.slice(2), ['ctag-1', 'true', '1', 'true', '[]']);
    if (channelName) assert.equal(row[1], channelName);
    const json = JSON.parse(await ok(['list_consumers', '-p', VHOST, '--formatter', 'json']));
    assert.equal(json[0].consumer_tag, 'ctag-1');
    assert.equal(json[0].ack_required, true);
  });

  test('delete_queue --if-empty / --if-unused refuse: exit 64', async () => {
    const r = await fails(['delete_queue', '-p', VHOST, Q, '--if-empty'], 64, `queue '${Q}' in vhost '${VHOST}' is not empty`);
    assert.equal(r.stdout, `Deleting queue '${Q}' on vhost '${VHOST}' if queue is empty ...\n`);
    const r2 = await fails(['delete_queue', '-p', VHOST, Q, '-u'], 64, `queue '${Q}' in vhost '${VHOST}' is in use`);
    assert.equal(r2.stdout, `Deleting queue '${Q}' on vhost '${VHOST}' if queue is unused ...\n`);
    const r3 = await ctl(['delete_queue', '-p', VHOST, Q, '--if-empty', '--if-unused']);
    assert.equal(r3.code, 64);
    assert.equal(r3.stdout, `Deleting queue '${Q}' on vhost '${VHOST}' if queue is empty and if queue is unused ...\n`);
  });

  test('purge_queue empties the ready messages', async () => {
    assert.equal(await ok(['purge_queue', '-p', VHOST, Q]), `Purging queue '${Q}' in vhost '${VHOST}' ...\n`);
    await eventually(['list_queues', '-p', VHOST, '-q', 'name', 'messages_ready', 'messages_unacknowledged'], (s) =>
      assert.match(s, /^q-args\t0\t1$/m),
    );
    const missing = `${ID}-noq`;
    const r = await fails(['purge_queue', '-p', VHOST, missing], 69, `queue '${missing}' does not exist in vhost '${VHOST}'`);
    assert.equal(r.stdout, `Purging queue '${missing}' in vhost '${VHOST}' ...\n`);
  });

  test('delete_queue reports the ready messages it took; a missing queue exits 64', async () => {
    const q = 'q-doomed';
    await ch.assertQueue(q, { durable: false });
    ch.sendToQueue(q, Buffer.from('1'));
    ch.sendToQueue(q, Buffer.from('2'));
    await eventually(['list_queues', '-p', VHOST, '-q'], (s) => assert.match(s, /^q-doomed\t2$/m));
    assert.equal(
      await ok(['delete_queue', '-p', VHOST, q]),
      `Deleting queue '${q}' on vhost '${VHOST}' ...\nQueue was successfully deleted with 2 ready messages\n`,
    );
    assert.equal((await api('GET', `/queues/${enc(VHOST)}/${q}`)).status, 404);
    const r = await fails(['delete_queue', '-p', VHOST, q], 64, `queue '${q}' does not exist in vhost '${VHOST}'`);
    assert.equal(r.stdout, `Deleting queue '${q}' on vhost '${VHOST}' ...\n`);
    assert.equal(
      await ok(['delete_queue', '-p', VHOST, QAUTO, '--if-empty', '--if-unused', '-q']),
      'Queue was successfully deleted with 0 ready messages\n',
      'the result line stays under -q',
    );
  });

  test('close_connection closes it with the explanation; then exit 69', async () => {
    const name = `${ID}-victim`;
    const victim = await connect(VHOST, name);
    const closed = new Promise<Error | undefined>((resolve) => victim.on('close', resolve));
    const out = await eventually(['list_connections', '-s', 'pid', 'client_properties'], (s) => assert.match(s, new RegExp(name)));
    const pid = (rows(out).find((r) => r[1].includes(`"${name}"`)) as string[])[0];
    assert.equal(await ok(['close_connection', pid, 'closed by a test']), `Closing connection ${pid}, reason: closed by a test...\n`);
    const error = await closed;
    assert.match(String(error), /CONNECTION_FORCED - closed by a test/);
    await fails(['close_connection', pid, 'again'], 69, `connection "${pid}" does not exist`);
  });
});

describe('definitions', () => {
  const vhost = `${ID}-defs`;
  const user = `${ID}-defs-user`;

  test('export_definitions to a file and to stdout', async () => {
    await ok(['add_vhost', vhost, '-q']);
    await ok(['add_user', user, 'secret', '-q']);
    await ok(['set_user_tags', user, 'monitoring', '-q']);
    await ok(['set_permissions', '-p', vhost, user, '.*', 'w', 'r', '-q']);
    await ok(['set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*', '-q']);
    const c = await connect(vhost, `${ID}-defs-conn`);
    const ch = await c.createChannel();
    await ch.assertQueue('dq', { durable: true, arguments: { 'x-max-length': 10 } });
    await ch.assertExchange('dx', 'fanout', { durable: true });
    await ch.bindQueue('dq', 'dx', '');
    await c.close();

    const file = join(tmp, 'export.json');
    assert.equal(await ok(['export_definitions', file]), `Exporting definitions in JSON to a file at "${file}" ...\n`);
    const defs = JSON.parse(readFileSync(file, 'utf8'));
    assert.ok(defs.vhosts.some((v: { name: string }) => v.name === vhost));
    assert.ok(defs.users.some((u: { name: string }) => u.name === user));
    assert.ok(defs.queues.some((q: { name: string; vhost: string }) => q.name === 'dq' && q.vhost === vhost));
    const stdout = await ok(['export_definitions', '-']);
    assert.ok(JSON.parse(stdout).queues.some((q: { vhost: string }) => q.vhost === vhost));
    await fails(['export_definitions', join(tmp, 'no', 'such', 'dir.json')], 65, /^Error: directory .* does not exist\n$/);
  });

  test('round trip: delete what was exported, import it, everything is back', async () => {
    const all = JSON.parse(readFileSync(join(tmp, 'export.json'), 'utf8'));
    // Only our own objects: re-importing a shared broker's whole export could undo others' changes.
    const ours = {
      users: all.users.filter((u: { name: string }) => u.name === user),
      vhosts: all.vhosts.filter((v: { name: string }) => v.name === vhost),
      permissions: all.permissions.filter((p: { vhost: string }) => p.vhost === vhost),
      queues: all.queues.filter((q: { vhost: string }) => q.vhost === vhost),
      exchanges: all.exchanges.filter((x: { vhost: string }) => x.vhost === vhost),
      bindings: all.bindings.filter((b: { vhost: string }) => b.vhost === vhost),
    };
    const file = join(tmp, 'ours.json');
    writeFileSync(file, JSON.stringify(ours));
    await ok(['delete_vhost', vhost, '-q']);
    await ok(['delete_user', user, '-q']);

    assert.equal(
      await ok(['import_definitions', file]),
      `Importing definitions in JSON from a file at "${file}" ...\nSuccessfully imported definitions.\n`,
    );
    assert.match(await ok(['list_vhosts', '-q']), new RegExp(`^${vhost}$`, 'm'));
    assert.match(await ok(['list_users', '-q']), new RegExp(`^${user}\t\\[monitoring\\]$`, 'm'));
    await ok(['authenticate_user', user, 'secret'], {});
    assert.match(await ok(['list_permissions', '-p', vhost, '-q']), new RegExp(`^${user}\t\\.\\*\tw\tr$`, 'm'));
    assert.match(await ok(['list_queues', '-p', vhost, '-q', 'name', 'durable', 'arguments']), /^dq\ttrue\t\[\{"x-max-length",10\}\]$/m);
    assert.match(await ok(['list_exchanges', '-p', vhost, '-q', 'name', 'type', 'durable']), /^dx\tfanout\ttrue$/m);
    assert.match(await ok(['list_bindings', '-p', vhost, '-q']), /^dx\texchange\tdq\tqueue\t\t\[\]$/m);
  });

  test('import_definitions from stdin; -q prints nothing', async () => {
    const other = `${ID}-defs-stdin`;
    assert.equal(await ok(['import_definitions', '-', '-q'], { input: JSON.stringify({ vhosts: [{ name: other }] }) }), '');
    assert.equal((await api('GET', `/vhosts/${enc(other)}`)).status, 200);
  });

  test('import_definitions errors: missing file 64, directory / bad JSON / refused by the broker 65', async () => {
    await fails(['import_definitions', join(tmp, 'missing.json')], 64, `file ${join(tmp, 'missing.json')} does not exist`);
    await fails(['import_definitions', tmp], 65, `path ${tmp} is a directory`);
    const bad = join(tmp, 'bad-defs.json');
    writeFileSync(bad, '{not json');
    await fails(['import_definitions', bad], 65, /^Error: failed to deserialise input \(format: JSON\)/);
    writeFileSync(bad, JSON.stringify({ queues: [{ name: 'q', vhost: `${ID}-novhost`, durable: true, auto_delete: false, arguments: {} }] }));
    await fails(['import_definitions', bad], 65, /^Error: failed to import definitions: /);
  });
});

describe('status and await_startup', () => {
  test('status: rabbitmqctl sections, and JSON', async () => {
    const out = await ok(['status']);
    assert.match(out, /^Status of node \S+ \.\.\.\nRuntime\n\n/);
    for (const line of [/^RabbitMQ version: \S+$/m, /^Node name: \S+$/m, /^Alarms$/m, /^Totals$/m, /^Virtual host count: \d+$/m, /^Queue count: \d+$/m]) {
      assert.match(out, line);
    }
    assert.doesNotMatch(await ok(['status', '-q']), /^Status of node/);
    const json = JSON.parse(await ok(['status', '--formatter', 'json']));
    assert.equal(typeof json.node, 'string');
    assert.ok(json.totals.virtual_host_count >= 2);
    assert.deepEqual(json.alarms, []);
  });

  test('await_startup returns at once when the API answers', async () => {
    assert.equal(await ok(['await_startup']), '');
  });

  test('await_startup waits for an API that comes up later', async () => {
    const port = await closedPort();
    const waiting = ctl(['await_startup', '--api', `http://127.0.0.1:${port}`, '--timeout', '15']);
    await new Promise((r) => setTimeout(r, 1500));
    const server: Server = createServer((req, res) => {
      res.writeHead(req.url === '/api/overview' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ node: 'late@localhost' }));
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      const r = await waiting;
      assert.equal(r.stderr, '');
      assert.equal(r.code, 0);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  test('await_startup gives up after --timeout: exit 69', async () => {
    const port = await closedPort();
    const started = Date.now();
    await fails(['await_startup', '--api', `http://127.0.0.1:${port}`, '-t', '2'], 69, /^Error: broker did not start within 2 seconds; last error: broker not reachable at /);
    assert.ok(Date.now() - started < 6000);
  });
});

describe('rabbitmqctl-style usage of a conformance suite', () => {
  test('add_user, set_user_tags, set_permissions, add_vhost, list_queues, delete_vhost, delete_user', async () => {
    const user = `${ID}-conf`;
    const vhost = `${ID}-conf-vh`;
    await ok(['add_user', user, 'pw']);
    await ok(['set_user_tags', user, 'administrator']);
    await ok(['set_permissions', '-p', '/', user, '.*', '.*', '.*']);
    await ok(['add_vhost', vhost]);
    await ok(['set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*']);
    const c = await connect(vhost, `${ID}-conf-conn`);
    const ch = await c.createChannel();
    await ch.assertQueue('conf-q', { durable: false });
    ch.sendToQueue('conf-q', Buffer.from('x'));
    await eventually(['list_queues', '-p', vhost, 'name', 'messages'], (s) => assert.match(s, /^conf-q\t1$/m));
    await eventually(['-p', vhost, 'list_queues', 'name', 'messages'], (s) => assert.match(s, /^conf-q\t1$/m));
    assert.match(await ok(['list_queues', 'name', 'messages']), /^name\tmessages$/m);
    await c.close();
    await ok(['delete_vhost', vhost]);
    await ok(['delete_user', user]);
    assert.equal((await api('GET', `/users/${enc(user)}`)).status, 404);
    assert.equal((await api('GET', `/vhosts/${enc(vhost)}`)).status, 404);
  });
});
