// The management API's live objects and node views: connections, channels, consumers,
// overview, nodes and health checks. Runs against RabbitMQ with WARREN_TEST_HTTP_URL too.

import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import amqp from 'amqplib';
import { uniqueName } from './support/amqp.js';
import { api, assertFields, eventually, expectReply, seg, startHttpBroker, type HttpTestBroker } from './support/http.js';
import { OMITTED, RABBITMQ_FIELDS } from './support/rabbitmq-shapes.js';

let b: HttpTestBroker;
let base: string;
before(async () => {
  b = await startHttpBroker();
  base = b.apiUrl;
});
after(() => b.close());

const NOT_FOUND = { error: 'Object Not Found', reason: 'Not Found' };

/** A named connection with a consumer on a fresh queue; returns the connection's API name. */
async function busyConnection(t: TestContext) {
  const label = uniqueName('conn');
  const conn = await amqp.connect(b.amqpUrl, { clientProperties: { connection_name: label } });
  conn.on('error', () => {});
  t.after(() => conn.close().catch(() => {}));
  const ch = await conn.createChannel();
  const q = uniqueName('q');
  await ch.assertQueue(q, { autoDelete: false });
  t.after(() => api(base, 'DELETE', `/api/queues/%2F/${seg(q)}`));
  await ch.prefetch(3);
  await ch.consume(q, () => {}, { consumerTag: `${label}-ctag` });
  const listed = await eventually(
    () => api(base, 'GET', '/api/connections'),
    (reply) => reply.body.some((c: { user_provided_name?: string; channels: number }) => c.user_provided_name === label && c.channels === 1),
  );
  const mine = listed.body.find((c: { user_provided_name?: string }) => c.user_provided_name === label);
  assert.ok(mine, 'the connection is listed');
  return { conn, ch, q, label, name: mine.name as string, listed: mine };
}

describe('connections', () => {
  test('listed with RabbitMQ fields; GET by name; its channels', async (t) => {
    const { name, listed, label } = await busyConnection(t);
    assertFields(listed, RABBITMQ_FIELDS.connection, [], 'connection');
    assert.equal(listed.user, 'guest');
    assert.equal(listed.vhost, '/');
    assert.equal(listed.protocol, 'AMQP 0-9-1');
    assert.equal(listed.auth_mechanism, 'PLAIN');
    assert.equal(listed.client_properties.connection_name, label);
    assert.equal(listed.client_properties.product, 'amqplib');
    assert.equal(listed.frame_max, 131072);
    assert.match(name, /^127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+$/);
    const one = await api(base, 'GET', `/api/connections/${seg(name)}`);
    expectReply(one, 200);
    assert.equal(one.body.name, name);
    const channels = await api(base, 'GET', `/api/connections/${seg(name)}/channels`);
    expectReply(channels, 200);
    assert.equal(channels.body.length, 1);
    assert.equal(channels.body[0].name, `${name} (1)`);
    const byVhost = await api(base, 'GET', '/api/vhosts/%2F/connections');
    assert.ok(byVhost.body.some((c: { name: string }) => c.name === name));
    expectReply(await api(base, 'GET', '/api/connections/nosuch'), 404, NOT_FOUND);
  });

  test('DELETE closes it with 320 CONNECTION_FORCED and the X-Reason text', async (t) => {
    const { conn, name } = await busyConnection(t);
    const closed = new Promise<string>((resolve) => conn.on('close', (error?: Error) => resolve(error?.message ?? '')));
    expectReply(await api(base, 'DELETE', `/api/connections/${seg(name)}`, { headers: { 'X-Reason': 'bye now' } }), 204);
    assert.equal(await closed, 'Connection closed: 320 (CONNECTION-FORCED) with message "CONNECTION_FORCED - bye now"');
    expectReply(await api(base, 'DELETE', '/api/connections/nosuch'), 404, NOT_FOUND);
  });

  test("others' connections: monitoring users may look but not close; management users neither", async (t) => {
    const { name } = await busyConnection(t);
    const refused = { error: 'not_authorised', reason: 'User not authorised to access object' };
    for (const tag of ['monitoring', 'management']) {
      const user = uniqueName(tag);
      expectReply(await api(base, 'PUT', `/api/users/${seg(user)}`, { body: { password: 'pw', tags: tag } }), 201);
      t.after(() => api(base, 'DELETE', `/api/users/${seg(user)}`));
      const auth = [user, 'pw'] as const;
      if (tag === 'monitoring') expectReply(await api(base, 'GET', `/api/connections/${seg(name)}`, { auth }), 200);
      else expectReply(await api(base, 'GET', `/api/connections/${seg(name)}`, { auth }), 401, refused);
      expectReply(await api(base, 'DELETE', `/api/connections/${seg(name)}`, { auth }), 401, refused);
    }
  });

  test('without X-Reason the text is RabbitMQ\'s "Closed via management plugin"', async (t) => {
    const { conn, name } = await busyConnection(t);
    const closed = new Promise<string>((resolve) => conn.on('close', (error?: Error) => resolve(error?.message ?? '')));
    expectReply(await api(base, 'DELETE', `/api/connections/${seg(name)}`), 204);
    assert.match(await closed, /CONNECTION_FORCED - Closed via management plugin/);
  });
});

describe('channels and consumers', () => {
  test('channels listed and by name with RabbitMQ fields; consumers listed', async (t) => {
    const { name, q, label } = await busyConnection(t);
    const channelName = `${name} (1)`;
    const channel = await eventually(
      () => api(base, 'GET', `/api/channels/${seg(channelName)}`),
      (reply) => reply.status === 200 && reply.body.consumer_count === 1,
    );
    expectReply(channel, 200);
    assertFields(channel.body, RABBITMQ_FIELDS.channelDetail.filter((f) => f !== 'message_stats'), OMITTED.channelDetail, 'channel');
    assert.equal(channel.body.number, 1);
    assert.equal(channel.body.prefetch_count, 3);
    assert.equal(channel.body.confirm, false);
    assert.equal(channel.body.transactional, false);
    assert.equal(channel.body.consumer_details[0].consumer_tag, `${label}-ctag`);
    const all = await api(base, 'GET', '/api/channels');
    const listed = all.body.find((c: { name: string }) => c.name === channelName);
    assertFields(listed, RABBITMQ_FIELDS.channelListed.filter((f) => f !== 'message_stats'), OMITTED.channelListed, 'listed channel');
    const byVhost = await api(base, 'GET', '/api/vhosts/%2F/channels');
    assert.ok(byVhost.body.some((c: { name: string }) => c.name === channelName));

    for (const path of ['/api/consumers', '/api/consumers/%2F']) {
      const consumers = await api(base, 'GET', path);
      expectReply(consumers, 200);
      const consumer = consumers.body.find((c: { consumer_tag: string }) => c.consumer_tag === `${label}-ctag`);
      assertFields(consumer, RABBITMQ_FIELDS.consumer, [], 'consumer');
      assert.deepEqual(consumer.queue, { name: q, vhost: '/' });
      assert.equal(consumer.channel_details.name, channelName);
    }
    expectReply(await api(base, 'GET', '/api/channels/nosuch'), 404, NOT_FOUND);
    expectReply(await api(base, 'GET', `/api/consumers/nosuch-${uniqueName()}`), 404, NOT_FOUND);
  });
});

describe('overview, whoami, nodes', () => {
  test('overview has RabbitMQ fields and counts what is open', async (t) => {
    await busyConnection(t);
    const overview = await eventually(
      () => api(base, 'GET', '/api/overview'),
      (reply) => reply.body.object_totals.consumers >= 1,
    );
    expectReply(overview, 200);
    assertFields(overview.body, RABBITMQ_FIELDS.overview, [], 'overview');
    assert.equal(overview.body.rabbitmq_version, '3.10.8');
    for (const key of ['channels', 'connections', 'consumers', 'exchanges', 'queues']) {
      assert.equal(typeof overview.body.object_totals[key], 'number', key);
    }
    assert.ok(overview.body.object_totals.connections >= 1);
    assert.equal(typeof overview.body.queue_totals.messages, 'number');
    assert.ok(overview.body.listeners.some((l: { protocol: string }) => l.protocol === 'amqp'));
  });

  test('whoami names the caller and its tags', async () => {
    expectReply(await api(base, 'GET', '/api/whoami'), 200, { name: 'guest', tags: ['administrator'] });
  });

  test('nodes lists this one node', async () => {
    const nodes = await api(base, 'GET', '/api/nodes');
    expectReply(nodes, 200);
    assert.equal(nodes.body.length, 1);
    for (const key of ['name', 'running', 'uptime', 'mem_used', 'mem_limit', 'processors', 'os_pid']) assert.ok(key in nodes.body[0], key);
    expectReply(await api(base, 'GET', `/api/nodes/${seg(nodes.body[0].name)}`), 200);
  });
});

describe('health checks', () => {
  test('aliveness-test publishes and gets a message in the vhost; missing vhost 404', async (t) => {
    t.after(() => api(base, 'DELETE', '/api/queues/%2F/aliveness-test'));
    expectReply(await api(base, 'GET', '/api/aliveness-test/%2F'), 200, { status: 'ok' });
    expectReply(await api(base, 'GET', `/api/aliveness-test/nosuch-${uniqueName()}`), 404, NOT_FOUND);
  });

  test('node and alarm checks are ok; listener checks name the port or protocol', async () => {
    for (const path of ['/api/healthchecks/node', '/api/health/checks/alarms', '/api/health/checks/local-alarms', '/api/health/checks/virtual-hosts']) {
      expectReply(await api(base, 'GET', path), 200, { status: 'ok' });
    }
    const amqpPort = Number(new URL(b.amqpUrl).port);
    expectReply(await api(base, 'GET', `/api/health/checks/port-listener/${amqpPort}`), 200, { status: 'ok', port: amqpPort });
    const missing = await api(base, 'GET', '/api/health/checks/port-listener/1');
    expectReply(missing, 503);
    assert.deepEqual([missing.body.status, missing.body.reason, missing.body.missing], ['failed', 'No active listener', 1]);
    expectReply(await api(base, 'GET', '/api/health/checks/protocol-listener/amqp'), 200, { status: 'ok', protocol: 'amqp' });
    const mqtt = await api(base, 'GET', '/api/health/checks/protocol-listener/mqtt');
    expectReply(mqtt, 503);
    assert.deepEqual([mqtt.body.status, mqtt.body.reason, mqtt.body.missing], ['failed', 'No active listener', 'mqtt']);
    for (const path of ['/api/health/checks/node-is-quorum-critical', '/api/health/checks/node-is-mirror-sync-critical']) {
      expectReply(await api(base, 'GET', path), 200, { status: 'ok', reason: 'single node cluster' });
    }
  });
});
