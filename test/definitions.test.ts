// Definitions in RabbitMQ 3.10's format, both ways: a file exported from a real 3.10.8
// node imports (its users log in with their passwords), what Warren cannot honour is
// reported item by item, and export -> import -> export gives the same definitions,
// also across a restart.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import amqp from 'amqplib';
import type { Broker } from '../src/index.js';
import { connect, expectChannelClosed } from './support/amqp.js';
import { api, expectReply } from './support/http.js';
import { RABBITMQ_FIELDS } from './support/rabbitmq-shapes.js';

/** Exported from RabbitMQ 3.10.8 (GET /api/definitions), trimmed to the objects made for it. */
const FIXTURE = JSON.parse(readFileSync(new URL('../../test/fixtures/rabbitmq-3.10-definitions.json', import.meta.url), 'utf8'));

const dirs: string[] = [];
async function startBroker(dataDir?: string): Promise<Broker> {
  const { Broker } = await import('../src/index.js');
  return Broker.start({ port: 0, httpPort: 0, dataDir });
}
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warren-definitions-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Definitions with every list sorted, to compare regardless of order. */
function normalized(definitions: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(definitions)) {
    result[key] = Array.isArray(value) ? value.map((item) => JSON.stringify(sortKeys(item))).sort() : value;
  }
  return result;
}
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortKeys(v)]));
}

const TOPOLOGY = ['users', 'vhosts', 'permissions', 'parameters', 'policies', 'queues', 'exchanges', 'bindings'] as const;

describe('importing a RabbitMQ 3.10 export', () => {
  let broker: Broker;
  let dataDir: string;
  let report: { imported: Record<string, number>; skipped: { kind: string; name: string; vhost?: string; reason: string }[] };
  before(async () => {
    dataDir = freshDir();
    broker = await startBroker(dataDir);
    const reply = await api(broker.httpUrl!, 'POST', '/api/definitions', { body: FIXTURE });
    expectReply(reply, 200);
    report = reply.body;
  });
  after(() => broker.close());

  test('imports everything it can, and says so in counts', () => {
    assert.deepEqual(report.imported, {
      users: 3,
      vhosts: 2,
      permissions: 4,
      parameters: 1,
      policies: 1,
      operator_policies: 0,
      queues: 3,
      exchanges: 3,
      bindings: 4,
    });
  });

  test('reports, item by item, what it cannot honour: global parameters, topic permissions', () => {
    const skipped = report.skipped.map(({ kind, name, vhost }) => ({ kind, name, vhost }));
    assert.deepEqual(
      sortKeys(skipped.sort((a, b) => (a.kind + a.name < b.kind + b.name ? -1 : 1))),
      sortKeys([
        { kind: 'global_parameter', name: 'internal_cluster_id', vhost: undefined },
        { kind: 'topic_permission', name: 'warren-fixture-user@warren-fixture', vhost: 'warren-fixture' },
      ]),
    );
    for (const item of report.skipped) assert.ok(item.reason.length > 10, `a reason for ${item.kind} ${item.name}`);
  });

  test('the quorum queue, the policy and the vhost limit in the file are honoured', async () => {
    const base = broker.httpUrl!;
    const quorum = await api(base, 'GET', '/api/queues/warren-fixture/orders.quorum');
    expectReply(quorum, 200);
    assert.equal(quorum.body.type, 'quorum');
    const orders = await api(base, 'GET', '/api/queues/warren-fixture/orders');
    assert.equal(orders.body.policy, 'orders-ha');
    assert.deepEqual(orders.body.effective_policy_definition, { 'max-length': 5000 });
    const limits = await api(base, 'GET', '/api/vhost-limits/warren-fixture');
    assert.deepEqual(limits.body, [{ vhost: 'warren-fixture', value: { 'max-connections': 100 } }]);
  });

  test("the imported user logs in over AMQP with the password it had on RabbitMQ, and its permissions hold", async (t) => {
    const url = new URL(broker.url);
    url.username = 'warren-fixture-user';
    url.password = 'fixture-secret';
    url.pathname = '/warren-fixture';
    const conn = await connect(url.toString(), t);
    const ch = await conn.createChannel();
    await ch.checkQueue('orders');
    await ch.assertQueue('orders.extra', { durable: false });
    await ch.deleteQueue('orders.extra');
    const refused = await conn.createChannel();
    await expectChannelClosed(refused, 403, 'ACCESS_REFUSED - ', () => refused.assertQueue('not-orders'));
    const wrong = new URL(url);
    wrong.password = 'not-the-password';
    await assert.rejects(amqp.connect(wrong.toString()));
  });

  test('queues, exchanges and bindings are there as in the file', async () => {
    const base = broker.httpUrl!;
    const queue = await api(base, 'GET', '/api/queues/warren-fixture/orders');
    expectReply(queue, 200);
    assert.equal(queue.body.durable, true);
    assert.deepEqual(queue.body.arguments, { 'x-dead-letter-exchange': 'orders.dlx', 'x-max-length': 1000, 'x-message-ttl': 60000, 'x-queue-mode': 'lazy' });
    const headersBinding = await api(base, 'GET', '/api/bindings/warren-fixture/e/orders.headers/q/orders.dead');
    assert.deepEqual(headersBinding.body[0].arguments, { priority: 5, region: 'eu', 'x-match': 'any' });
    const exchange = await api(base, 'GET', '/api/exchanges/warren-fixture/orders.headers');
    assert.equal(exchange.body.internal, true);
  });

  test('the export holds everything imported, exactly as RabbitMQ wrote it', async () => {
    const exported = await api(broker.httpUrl!, 'GET', '/api/definitions');
    expectReply(exported, 200);
    for (const section of TOPOLOGY) {
      assert.deepEqual(normalized(exported.body)[section], normalized(FIXTURE)[section], section);
    }
    for (const key of Object.keys(FIXTURE)) assert.ok(key in exported.body, `export has '${key}'`);
  });

  test('it survives a restart: the definitions are durable', async () => {
    expectReply(await api(broker.httpUrl!, 'PUT', '/api/vhosts/described', { body: { description: 'kept', tags: 'x,y' } }), 201);
    const before = (await api(broker.httpUrl!, 'GET', '/api/definitions')).body;
    await broker.close();
    broker = await startBroker(dataDir);
    const afterRestart = (await api(broker.httpUrl!, 'GET', '/api/definitions')).body;
    assert.deepEqual(normalized(afterRestart), normalized(before));
    const described = await api(broker.httpUrl!, 'GET', '/api/vhosts/described');
    assert.deepEqual([described.body.description, described.body.tags], ['kept', ['x', 'y']]);
    expectReply(await api(broker.httpUrl!, 'DELETE', '/api/vhosts/described'), 204);
  });

  test('export -> import into a fresh broker -> export gives the same definitions', async () => {
    const exported = (await api(broker.httpUrl!, 'GET', '/api/definitions')).body;
    const fresh = await startBroker();
    try {
      const imported = await api(fresh.httpUrl!, 'POST', '/api/definitions', { body: exported });
      expectReply(imported, 200);
      assert.deepEqual(imported.body.skipped, []);
      const again = (await api(fresh.httpUrl!, 'GET', '/api/definitions')).body;
      assert.deepEqual(normalized(again), normalized(exported));
    } finally {
      await fresh.close();
    }
  });

  test("one vhost's definitions: RabbitMQ's per-vhost format, importable into another vhost", async () => {
    const base = broker.httpUrl!;
    const one = await api(base, 'GET', '/api/definitions/warren-fixture');
    expectReply(one, 200);
    assert.deepEqual(Object.keys(one.body).sort(), [...RABBITMQ_FIELDS.vhostDefinitions]);
    assert.ok(one.body.queues.every((q: object) => !('vhost' in q)));
    expectReply(await api(base, 'PUT', '/api/vhosts/copy', { body: {} }), 201);
    const imported = await api(base, 'POST', '/api/definitions/copy', { body: one.body });
    expectReply(imported, 200);
    assert.deepEqual(imported.body.imported, {
      users: 0,
      vhosts: 0,
      permissions: 0,
      parameters: 1,
      policies: 1,
      operator_policies: 0,
      queues: 3,
      exchanges: 3,
      bindings: 4,
    });
    const copy = await api(base, 'GET', '/api/definitions/copy');
    // Policies and parameters name their vhost even in a one-vhost file, as RabbitMQ's do.
    const withoutVhost = (definitions: Record<string, unknown>) =>
      normalized(Object.fromEntries(Object.entries(definitions).map(([key, value]) => [key, Array.isArray(value) ? value.map(({ vhost: _, ...rest }) => rest) : value])));
    assert.deepEqual(withoutVhost(copy.body), withoutVhost(one.body));
    assert.ok(copy.body.policies.every((policy: { vhost: string }) => policy.vhost === 'copy'));
    expectReply(await api(base, 'POST', '/api/definitions/nosuch', { body: one.body }), 404);
  });
});

describe('what an import refuses or skips', () => {
  let broker: Broker;
  before(async () => {
    broker = await startBroker();
  });
  after(() => broker.close());

  test('a body that is not a definitions object is 400', async () => {
    expectReply(await api(broker.httpUrl!, 'POST', '/api/definitions', { rawBody: '[1,2]' }), 400);
    expectReply(await api(broker.httpUrl!, 'POST', '/api/definitions', { body: { queues: 'nope' } }), 400);
  });

  test('only unsupported items: 200', async () => {
    const reply = await api(broker.httpUrl!, 'POST', '/api/definitions', {
      body: { parameters: [{ vhost: '/', component: 'shovel', name: 's', value: { 'src-uri': 'amqp://' } }] },
    });
    expectReply(reply, 200);
    assert.deepEqual(reply.body.skipped.map((item: { cause: string }) => item.cause), ['unsupported']);
  });

  test('hashes Warren cannot check and plugin exchange types are skipped (200); items RabbitMQ refuses too make it 400', async () => {
    const reply = await api(broker.httpUrl!, 'POST', '/api/definitions', {
      body: {
        users: [
          { name: 'sha512-user', password_hash: 'abcd', hashing_algorithm: 'rabbit_password_hashing_sha512', tags: ['management'] },
          { name: 'plain-user', password: 'secret', tags: 'management,monitoring' },
        ],
        exchanges: [{ name: 'delayed', vhost: '/', type: 'x-delayed-message', durable: true, auto_delete: false, internal: false, arguments: {} }],
        queues: [{ name: 'elsewhere', vhost: 'no-such-vhost', durable: true, auto_delete: false, arguments: {} }],
        bindings: [{ source: 'amq.direct', vhost: '/', destination: 'missing', destination_type: 'queue', routing_key: 'k', arguments: {} }],
      },
    });
    // The file has items RabbitMQ would refuse (a missing vhost, a binding to a missing queue): 400, as RabbitMQ,
    // with RabbitMQ's error body, and the report: the rest was imported.
    expectReply(reply, 400);
    assert.equal(reply.body.error, 'bad_request');
    assert.match(reply.body.reason, /^queue 'elsewhere' in vhost 'no-such-vhost': vhost 'no-such-vhost' does not exist .*\(and 1 more; see skipped\)$/);
    assert.deepEqual(reply.body.imported.users, 1);
    const causes = Object.fromEntries(reply.body.skipped.map((item: { name: string; cause: string }) => [item.name, item.cause]));
    assert.deepEqual(causes, { 'sha512-user': 'unsupported', delayed: 'unsupported', elsewhere: 'invalid', 'amq.direct -> missing (k)': 'invalid' });
    const reasons = Object.fromEntries(reply.body.skipped.map((item: { name: string; reason: string }) => [item.name, item.reason]));
    assert.match(reasons['sha512-user'], /unsupported hashing_algorithm 'rabbit_password_hashing_sha512'/);
    assert.match(reasons.delayed, /exchange type 'x-delayed-message'/);
    assert.match(reasons.elsewhere, /vhost 'no-such-vhost' does not exist/);
    assert.match(reasons['amq.direct -> missing (k)'], /queue 'missing' was not imported or does not exist/);
    const user = await api(broker.httpUrl!, 'GET', '/api/users/plain-user');
    assert.deepEqual(user.body.tags, ['management', 'monitoring']);
  });
});
