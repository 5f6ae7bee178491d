// The management API's resources: vhosts, users, permissions, exchanges, queues,
// bindings, messages. Status codes, error bodies and field names are RabbitMQ 3.10.8's
// (see support/rabbitmq-shapes.ts); WARREN_TEST_HTTP_URL runs the same file against
// a RabbitMQ node.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import amqp from 'amqplib';
import { connect, uniqueName } from './support/amqp.js';
import { api, assertFields, eventually, EXTERNAL, expectReply, makeUser, makeVhost, seg, startHttpBroker, type HttpTestBroker } from './support/http.js';
import { OMITTED, RABBITMQ_FIELDS } from './support/rabbitmq-shapes.js';

let b: HttpTestBroker;
let base: string;
before(async () => {
  b = await startHttpBroker();
  base = b.apiUrl;
});
after(() => b.close());

const NOT_FOUND = { error: 'Object Not Found', reason: 'Not Found' };

describe('vhosts', () => {
  test('PUT creates (201) then updates (204); GET shows it; DELETE (204) then 404', async (t) => {
    const name = uniqueName('vhost');
    expectReply(await api(base, 'PUT', `/api/vhosts/${seg(name)}`, { body: { description: 'orders', tags: 'a,b' } }), 201);
    t.after(() => api(base, 'DELETE', `/api/vhosts/${seg(name)}`));
    expectReply(await api(base, 'PUT', `/api/vhosts/${seg(name)}`, { body: { description: 'orders v2', tags: ['a', 'b'] } }), 204);
    const got = await api(base, 'GET', `/api/vhosts/${seg(name)}`);
    expectReply(got, 200);
    // Counters (messages, recv_oct...) come with traffic; RabbitMQ leaves them out of an idle new vhost.
    const staticFields = ['cluster_state', 'default_queue_type', 'description', 'metadata', 'name', 'tags', 'tracing'];
    assertFields(got.body, staticFields, [], 'vhost');
    assert.equal(got.body.name, name);
    assert.equal(got.body.description, 'orders v2');
    assert.deepEqual(got.body.tags, ['a', 'b']);
    // A PUT resets what it leaves out.
    expectReply(await api(base, 'PUT', `/api/vhosts/${seg(name)}`, { body: {} }), 204);
    const reset = await api(base, 'GET', `/api/vhosts/${seg(name)}`);
    assert.deepEqual([reset.body.description, reset.body.tags], ['', []]);
    const listed = await api(base, 'GET', '/api/vhosts');
    assert.ok(listed.body.some((v: { name: string }) => v.name === name));
    // Whoever creates a vhost gets full permissions on it (RabbitMQ's management API does this).
    expectReply(await api(base, 'GET', `/api/permissions/${seg(name)}/guest`), 200, {
      user: 'guest',
      vhost: name,
      configure: '.*',
      write: '.*',
      read: '.*',
    });
    expectReply(await api(base, 'DELETE', `/api/vhosts/${seg(name)}`), 204);
    expectReply(await api(base, 'DELETE', `/api/vhosts/${seg(name)}`), 404, NOT_FOUND);
    expectReply(await api(base, 'GET', `/api/vhosts/${seg(name)}`), 404, NOT_FOUND);
  });

  test('the default vhost is / (%2F in paths)', async () => {
    const got = await api(base, 'GET', '/api/vhosts/%2F');
    expectReply(got, 200);
    assert.equal(got.body.name, '/');
  });

  test('deleting a vhost closes its connections with 320 CONNECTION_FORCED', async (t) => {
    const vhost = await makeVhost(t, base, uniqueName('vhost'));
    const conn = await amqp.connect(b.amqpUrl.replace(/\/[^/]*$/, `/${encodeURIComponent(vhost)}`));
    conn.on('error', () => {});
    const closed = new Promise<string>((resolve) => conn.on('close', (error?: Error) => resolve(error?.message ?? '')));
    expectReply(await api(base, 'DELETE', `/api/vhosts/${seg(vhost)}`), 204);
    // Warren says "is deleted"; RabbitMQ says that or, when its vhost supervisor wins the race, "is down".
    assert.match(await closed, /320 \(CONNECTION-FORCED\) with message "CONNECTION_FORCED - vhost '.*' is (deleted|down)"/);
  });
});

describe('users', () => {
  test('PUT with a password creates (201), again updates (204); GET and the listing show RabbitMQ fields', async (t) => {
    const name = uniqueName('user');
    expectReply(await api(base, 'PUT', `/api/users/${seg(name)}`, { body: { password: 'pw1', tags: 'monitoring,management' } }), 201);
    t.after(() => api(base, 'DELETE', `/api/users/${seg(name)}`));
    const got = await api(base, 'GET', `/api/users/${seg(name)}`);
    expectReply(got, 200);
    assertFields(got.body, RABBITMQ_FIELDS.user, [], 'user');
    assert.deepEqual(got.body.tags, ['monitoring', 'management']);
    assert.equal(got.body.hashing_algorithm, 'rabbit_password_hashing_sha256');
    assert.equal(Buffer.from(got.body.password_hash, 'base64').length, 36);
    expectReply(await api(base, 'PUT', `/api/users/${seg(name)}`, { body: { password: 'pw2', tags: ['administrator'] } }), 204);
    const updated = await api(base, 'GET', `/api/users/${seg(name)}`);
    assert.deepEqual(updated.body.tags, ['administrator']);
    assert.notEqual(updated.body.password_hash, got.body.password_hash);
    const listed = await api(base, 'GET', '/api/users');
    assert.ok(listed.body.some((u: { name: string }) => u.name === name));
  });

  test('tags are required; a password_hash must be base64', async () => {
    const name = uniqueName('user');
    expectReply(await api(base, 'PUT', `/api/users/${seg(name)}`, { body: { password: 'x' } }), 400, {
      error: 'bad_request',
      reason: 'tags_not_present',
    });
    expectReply(await api(base, 'PUT', `/api/users/${seg(name)}`, { body: { password_hash: 'abc', tags: '' } }), 400, {
      error: 'bad_request',
      reason: ['not_base64', 'abc'],
    });
    expectReply(await api(base, 'GET', `/api/users/${seg(name)}`), 404, NOT_FOUND);
  });

  test('a user made with a RabbitMQ password hash logs in over AMQP with its password', async (t) => {
    // Hash of "fixture-secret" as exported by RabbitMQ 3.10.8 (rabbit_password_hashing_sha256).
    const name = uniqueName('user');
    const hash = 'jrlDivauMEFXIG2gJsyEcFSpuBvdXJVOZoeGN2quzeMMuIbW';
    expectReply(await api(base, 'PUT', `/api/users/${seg(name)}`, { body: { password_hash: hash, tags: '' } }), 201);
    t.after(() => api(base, 'DELETE', `/api/users/${seg(name)}`));
    expectReply(await api(base, 'PUT', `/api/permissions/%2F/${seg(name)}`, { body: { configure: '.*', write: '.*', read: '.*' } }), 201);
    const url = new URL(b.amqpUrl);
    url.username = name;
    url.password = 'fixture-secret';
    const conn = await connect(url.toString(), t);
    await conn.close();
  });

  test('DELETE removes (204), then 404', async () => {
    const name = uniqueName('user');
    expectReply(await api(base, 'PUT', `/api/users/${seg(name)}`, { body: { password: 'x', tags: '' } }), 201);
    expectReply(await api(base, 'DELETE', `/api/users/${seg(name)}`), 204);
    expectReply(await api(base, 'DELETE', `/api/users/${seg(name)}`), 404, NOT_FOUND);
  });
});

describe('permissions', () => {
  test('PUT creates (201) and updates (204); GET, the listings by vhost and by user; DELETE', async (t) => {
    const [user] = await makeUser(t, base, uniqueName('user'), 'pw', 'management');
    const path = `/api/permissions/%2F/${seg(user)}`;
    expectReply(await api(base, 'PUT', path, { body: { configure: '^a', write: '.*', read: '.*' } }), 201);
    expectReply(await api(base, 'PUT', path, { body: { configure: '^b', write: '.*', read: '.*' } }), 204);
    const got = await api(base, 'GET', path);
    expectReply(got, 200, { user, vhost: '/', configure: '^b', write: '.*', read: '.*' });
    assertFields(got.body, RABBITMQ_FIELDS.permission);
    const byUser = await api(base, 'GET', `/api/users/${seg(user)}/permissions`);
    assert.deepEqual(byUser.body, [got.body]);
    const byVhost = await api(base, 'GET', '/api/vhosts/%2F/permissions');
    assert.ok(byVhost.body.some((p: { user: string }) => p.user === user));
    const all = await api(base, 'GET', '/api/permissions');
    assert.ok(all.body.some((p: { user: string }) => p.user === user));
    expectReply(await api(base, 'DELETE', path), 204);
    expectReply(await api(base, 'GET', path), 404, NOT_FOUND);
    expectReply(await api(base, 'DELETE', path), 404, NOT_FOUND);
  });

  test('missing keys, unknown vhost or user: 400 as RabbitMQ words them', async (t) => {
    const [user] = await makeUser(t, base, uniqueName('user'), 'pw', 'management');
    expectReply(await api(base, 'PUT', `/api/permissions/%2F/${seg(user)}`, { body: { configure: '.*' } }), 400, {
      error: 'bad_request',
      reason: '[{key_missing,write},{key_missing,read}]',
    });
    const all = { configure: '.*', write: '.*', read: '.*' };
    expectReply(await api(base, 'PUT', `/api/permissions/nosuchvhost-${uniqueName()}/${seg(user)}`, { body: all }), 400, {
      error: 'bad_request',
      reason: 'vhost_or_user_not_found',
    });
    expectReply(await api(base, 'PUT', `/api/permissions/%2F/${uniqueName('nobody')}`, { body: all }), 400, {
      error: 'bad_request',
      reason: 'vhost_or_user_not_found',
    });
  });
});

describe('exchanges', () => {
  test('the listing has the default exchange (named "") and amq.*, with RabbitMQ fields', async () => {
    const listed = await api(base, 'GET', '/api/exchanges/%2F');
    expectReply(listed, 200);
    const names = listed.body.map((e: { name: string }) => e.name);
    for (const name of ['', 'amq.direct', 'amq.fanout', 'amq.headers', 'amq.match', 'amq.topic']) assert.ok(names.includes(name), name);
    for (const exchange of listed.body) assertFields(exchange, RABBITMQ_FIELDS.exchangeListed, [], `exchange ${exchange.name}`);
    const all = await api(base, 'GET', '/api/exchanges');
    assert.ok(all.body.length >= listed.body.length);
    const defaultExchange = await api(base, 'GET', '/api/exchanges/%2F/amq.default');
    expectReply(defaultExchange, 200);
    assert.equal(defaultExchange.body.name, '');
    assert.equal(defaultExchange.body.type, 'direct');
  });

  test('PUT declares (201), redeclares (204), refuses inequivalence, unknown types and amq. names', async (t) => {
    const name = uniqueName('x');
    const path = `/api/exchanges/%2F/${seg(name)}`;
    expectReply(await api(base, 'PUT', path, { body: { type: 'topic', durable: true, arguments: { 'alternate-exchange': 'amq.fanout' } } }), 201);
    t.after(() => api(base, 'DELETE', path));
    expectReply(await api(base, 'PUT', path, { body: { type: 'topic', durable: true, arguments: { 'alternate-exchange': 'amq.fanout' } } }), 204);
    const inequivalent = await api(base, 'PUT', path, { body: { type: 'direct', durable: true } });
    expectReply(inequivalent, 400);
    assert.equal(inequivalent.body.error, 'bad_request');
    assert.match(inequivalent.body.reason, /^inequivalent arg 'type' for exchange/);
    expectReply(await api(base, 'PUT', `/api/exchanges/%2F/${uniqueName('x')}`, { body: { type: 'nosuchtype' } }), 400, {
      error: 'bad_request',
      reason: "unknown exchange type 'nosuchtype'",
    });
    expectReply(await api(base, 'PUT', `/api/exchanges/%2F/amq.${uniqueName('x')}`, { body: { type: 'direct' } }), 401, {
      error: 'not_authorised',
      reason: 'Access refused.',
    });
    const got = await api(base, 'GET', path);
    expectReply(got, 200);
    assertFields(got.body, RABBITMQ_FIELDS.exchangeDetail.filter((f) => f !== 'message_stats'), [], 'exchange');
    assert.equal(got.body.type, 'topic');
    assert.equal(got.body.durable, true);
    assert.deepEqual(got.body.arguments, { 'alternate-exchange': 'amq.fanout' });
  });

  test('an exchange made with {} is a non-durable direct one (RabbitMQ defaults)', async (t) => {
    const path = `/api/exchanges/%2F/${seg(uniqueName('x'))}`;
    expectReply(await api(base, 'PUT', path, { body: {} }), 201);
    t.after(() => api(base, 'DELETE', path));
    const got = await api(base, 'GET', path);
    assert.equal(got.body.type, 'direct');
    assert.equal(got.body.durable, false);
    assert.equal(got.body.auto_delete, false);
  });

  test('DELETE (204), missing (404), if-unused on a bound exchange (400), amq.* (401)', async (t) => {
    const [x, q] = [uniqueName('x'), uniqueName('q')];
    expectReply(await api(base, 'PUT', `/api/exchanges/%2F/${seg(x)}`, { body: { type: 'fanout' } }), 201);
    expectReply(await api(base, 'PUT', `/api/queues/%2F/${seg(q)}`, { body: {} }), 201);
    t.after(() => api(base, 'DELETE', `/api/queues/%2F/${seg(q)}`));
    expectReply(await api(base, 'POST', `/api/bindings/%2F/e/${seg(x)}/q/${seg(q)}`, { body: {} }), 201);
    const inUse = await api(base, 'DELETE', `/api/exchanges/%2F/${seg(x)}?if-unused=true`);
    expectReply(inUse, 400, { error: 'bad_request', reason: `exchange '${x}' in vhost '/' in use` });
    expectReply(await api(base, 'DELETE', `/api/exchanges/%2F/${seg(x)}`), 204);
    expectReply(await api(base, 'DELETE', `/api/exchanges/%2F/${seg(x)}`), 404, NOT_FOUND);
    expectReply(await api(base, 'DELETE', '/api/exchanges/%2F/amq.direct'), 401, { error: 'not_authorised', reason: 'Access refused.' });
  });

  test('publish answers routed true or false; a missing exchange is 400 quoting the AMQP error', async (t) => {
    const q = uniqueName('q');
    expectReply(await api(base, 'PUT', `/api/queues/%2F/${seg(q)}`, { body: {} }), 201);
    t.after(() => api(base, 'DELETE', `/api/queues/%2F/${seg(q)}`));
    const message = { properties: {}, routing_key: q, payload: 'hi', payload_encoding: 'string' };
    expectReply(await api(base, 'POST', '/api/exchanges/%2F/amq.default/publish', { body: message }), 200, { routed: true });
    expectReply(await api(base, 'POST', '/api/exchanges/%2F/amq.direct/publish', { body: message }), 200, { routed: false });
    expectReply(await api(base, 'POST', '/api/exchanges/%2F/nosuch-x/publish', { body: message }), 400, {
      error: 'bad_request',
      reason: "404 NOT_FOUND - no exchange 'nosuch-x' in vhost '/'",
    });
    expectReply(await api(base, 'POST', '/api/exchanges/%2F/amq.default/publish', { body: { routing_key: q, payload: 'x' } }), 400, {
      error: 'bad_request',
      reason: '[{key_missing,properties},{key_missing,payload_encoding}]',
    });
  });
});

describe('queues', () => {
  test('PUT declares (201), redeclares (204), refuses inequivalence and bad arguments as RabbitMQ words it', async (t) => {
    const q = uniqueName('q');
    const path = `/api/queues/%2F/${seg(q)}`;
    const body = { durable: true, auto_delete: false, arguments: { 'x-message-ttl': 60000, 'x-max-length': 100 } };
    expectReply(await api(base, 'PUT', path, { body }), 201);
    t.after(() => api(base, 'DELETE', path));
    expectReply(await api(base, 'PUT', path, { body }), 204);
    expectReply(await api(base, 'PUT', path, { body: { durable: false } }), 400, {
      error: 'bad_request',
      reason: `inequivalent arg 'durable' for queue '${q}' in vhost '/': received 'false' but current is 'true'`,
    });
    const bad = uniqueName('q');
    expectReply(await api(base, 'PUT', `/api/queues/%2F/${seg(bad)}`, { body: { arguments: { 'x-message-ttl': 'abc' } } }), 400, {
      error: 'bad_request',
      reason: `invalid arg 'x-message-ttl' for queue '${bad}' in vhost '/': "expected integer, got longstr"`,
    });
    expectReply(await api(base, 'PUT', `/api/queues/%2F/amq.${uniqueName('q')}`, { body: {} }), 401, {
      error: 'not_authorised',
      reason: 'Access refused.',
    });
    const got = await api(base, 'GET', path);
    expectReply(got, 200);
    assert.equal(got.body.durable, true);
    assert.deepEqual(got.body.arguments, { 'x-message-ttl': 60000, 'x-max-length': 100 });
  });

  test('a queue made with {} is neither durable nor auto-delete (RabbitMQ defaults)', async (t) => {
    const path = `/api/queues/%2F/${seg(uniqueName('q'))}`;
    expectReply(await api(base, 'PUT', path, { body: {} }), 201);
    t.after(() => api(base, 'DELETE', path));
    const got = await api(base, 'GET', path);
    assert.equal(got.body.durable, false);
    assert.equal(got.body.auto_delete, false);
    assert.equal(got.body.exclusive, false);
    assert.equal(got.body.message_stats, undefined, 'no message_stats before any message, as RabbitMQ');
  });

  test('GET shows counts, consumers and message_stats with RabbitMQ fields', async (t) => {
    const q = uniqueName('q');
    const conn = await connect(b.amqpUrl, t);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue(q, { durable: false });
    t.after(() => api(base, 'DELETE', `/api/queues/%2F/${seg(q)}`));
    for (let i = 0; i < 10; i++) ch.sendToQueue(q, Buffer.from(`m${i}`));
    await ch.waitForConfirms();
    const consumerChannel = await conn.createChannel();
    await consumerChannel.prefetch(4);
    await consumerChannel.consume(q, () => {}, { consumerTag: 'ctag-http-test' });
    const path = `/api/queues/%2F/${seg(q)}`;
    const got = await eventually(
      () => api(base, 'GET', path),
      (reply) => reply.body.messages_unacknowledged === 4 && reply.body.message_stats?.deliver === 4 && reply.body.consumer_details?.length === 1,
    );
    expectReply(got, 200);
    assertFields(got.body, RABBITMQ_FIELDS.queueDetail, OMITTED.queueDetail, 'queue');
    assert.equal(got.body.messages, 10);
    assert.equal(got.body.messages_ready, 6);
    assert.equal(got.body.messages_unacknowledged, 4);
    assert.equal(got.body.consumers, 1);
    assert.equal(got.body.state, 'running');
    assertFields(got.body.message_stats, RABBITMQ_FIELDS.queueMessageStats, [], 'message_stats');
    assert.equal(got.body.message_stats.publish, 10);
    assert.equal(got.body.message_stats.deliver, 4);
    assert.equal(typeof got.body.message_stats.publish_details.rate, 'number');
    const [consumer] = got.body.consumer_details;
    assertFields(consumer, RABBITMQ_FIELDS.consumer, [], 'consumer');
    assertFields(consumer.channel_details, RABBITMQ_FIELDS.consumerChannelDetails, [], 'channel_details');
    assert.equal(consumer.consumer_tag, 'ctag-http-test');
    assert.equal(consumer.prefetch_count, 4);
    assert.equal(consumer.ack_required, true);
    const listed = await api(base, 'GET', '/api/queues/%2F');
    const mine = listed.body.find((item: { name: string }) => item.name === q);
    assertFields(mine, RABBITMQ_FIELDS.queueListed, OMITTED.queueListed, 'listed queue');
    assert.equal(mine.consumer_details, undefined, 'the listing has no consumer_details');
  });

  test('?columns=, ?sort=, ?sort_reverse= and pagination', async (t) => {
    const vhost = await makeVhost(t, base, uniqueName('vhost'));
    for (const name of ['b', 'a', 'c']) expectReply(await api(base, 'PUT', `/api/queues/${seg(vhost)}/${name}`, { body: {} }), 201);
    const columns = await api(base, 'GET', `/api/queues/${seg(vhost)}?columns=name,vhost&sort=name&sort_reverse=true`);
    expectReply(columns, 200, [
      { name: 'c', vhost },
      { name: 'b', vhost },
      { name: 'a', vhost },
    ]);
    const page = await api(base, 'GET', `/api/queues/${seg(vhost)}?page=2&page_size=2&columns=name`);
    expectReply(page, 200, { filtered_count: 3, item_count: 1, items: [{ name: 'c' }], page: 2, page_count: 2, page_size: 2, total_count: 3 });
    const filtered = await api(base, 'GET', `/api/queues/${seg(vhost)}?page=1&page_size=10&name=^[ab]$&use_regex=true&columns=name`);
    assert.deepEqual(filtered.body.items, [{ name: 'a' }, { name: 'b' }]);
    expectReply(await api(base, 'GET', `/api/queues/${seg(vhost)}?page=9&page_size=2`), 400, {
      error: 'page_out_of_range',
      reason: 'Page out of range, page: 9 page size: 2, len: 3',
    });
  });

  test('DELETE: if-empty on a queue with messages (400), purge (204), then if-empty (204); missing (404)', async () => {
    const q = uniqueName('q');
    const path = `/api/queues/%2F/${seg(q)}`;
    expectReply(await api(base, 'PUT', path, { body: {} }), 201);
    const message = { properties: {}, routing_key: q, payload: 'x', payload_encoding: 'string' };
    await api(base, 'POST', '/api/exchanges/%2F/amq.default/publish', { body: message });
    expectReply(await api(base, 'DELETE', `${path}?if-empty=true`), 400, {
      error: 'bad_request',
      reason: `queue '${q}' in vhost '/' not empty`,
    });
    expectReply(await api(base, 'DELETE', `${path}/contents`), 204);
    expectReply(await api(base, 'DELETE', `${path}?if-empty=true&if-unused=true`), 204);
    expectReply(await api(base, 'DELETE', path), 404, NOT_FOUND);
    expectReply(await api(base, 'DELETE', `${path}/contents`), 404, NOT_FOUND);
  });

  test('POST get: the ack modes, encodings and truncation', async (t) => {
    const q = uniqueName('q');
    const path = `/api/queues/%2F/${seg(q)}`;
    expectReply(await api(base, 'PUT', path, { body: {} }), 201);
    t.after(() => api(base, 'DELETE', path));
    const publish = (payload: string, encoding: string, properties: object = {}) =>
      api(base, 'POST', '/api/exchanges/%2F/amq.default/publish', { body: { properties, routing_key: q, payload, payload_encoding: encoding } });
    await publish('one', 'string', { content_type: 'text/plain', headers: { a: 'b' }, priority: 3, correlation_id: 'c1' });
    await publish(Buffer.from([0xff, 0, 1]).toString('base64'), 'base64');
    await publish('a long payload here', 'string');

    const peek = await api(base, 'POST', `${path}/get`, { body: { count: 5, ackmode: 'ack_requeue_true', encoding: 'auto', truncate: 6 } });
    expectReply(peek, 200);
    assert.equal(peek.body.length, 3);
    for (const message of peek.body) assertFields(message, RABBITMQ_FIELDS.message, [], 'message');
    assert.deepEqual(peek.body[0], {
      payload_bytes: 3,
      redelivered: false,
      exchange: '',
      routing_key: q,
      message_count: 2,
      properties: { content_type: 'text/plain', headers: { a: 'b' }, priority: 3, correlation_id: 'c1' },
      payload: 'one',
      payload_encoding: 'string',
    });
    assert.deepEqual([peek.body[1].payload, peek.body[1].payload_encoding, peek.body[1].properties], ['/wAB', 'base64', []]);
    assert.deepEqual([peek.body[2].payload, peek.body[2].payload_bytes], ['a long', 19]);

    const taken = await api(base, 'POST', `${path}/get`, { body: { count: 1, ackmode: 'ack_requeue_false', encoding: 'base64' } });
    expectReply(taken, 200);
    assert.deepEqual([taken.body[0].payload, taken.body[0].payload_encoding, taken.body[0].redelivered], ['b25l', 'base64', true]);
    const rest = await eventually(() => api(base, 'GET', path), (reply) => reply.body.messages === 2);
    assert.equal(rest.body.messages, 2);

    const rejected = await api(base, 'POST', `${path}/get`, { body: { count: 10, ackmode: 'reject_requeue_false', encoding: 'auto' } });
    assert.equal(rejected.body.length, 2);
    const empty = await api(base, 'POST', `${path}/get`, { body: { count: 1, ackmode: 'reject_requeue_true', encoding: 'auto' } });
    expectReply(empty, 200, []);
  });

  test('POST get refuses a bad encoding, missing keys and a missing queue as RabbitMQ does', async () => {
    expectReply(await api(base, 'POST', '/api/queues/%2F/nosuch-q/get', { body: { count: 1, ackmode: 'ack_requeue_true', encoding: 'auto' } }), 404, {
      error: 'not_found',
      reason: "NOT_FOUND - no queue 'nosuch-q' in vhost '/'",
    });
    expectReply(await api(base, 'POST', '/api/queues/%2F/nosuch-q/get', { body: { count: 1, ackmode: 'ack_requeue_true', encoding: 'bad' } }), 400, {
      error: 'bad_request',
      reason: 'Unsupported encoding. Please use auto or base64.',
    });
    expectReply(await api(base, 'POST', '/api/queues/%2F/nosuch-q/get', { body: { ackmode: 'ack_requeue_true', encoding: 'auto' } }), 400, {
      error: 'bad_request',
      reason: '[{key_missing,count}]',
    });
  });

  test('reject_requeue_false dead-letters, as basic.reject would', async (t) => {
    const [q, dead] = [uniqueName('q'), uniqueName('dead')];
    expectReply(await api(base, 'PUT', `/api/queues/%2F/${seg(dead)}`, { body: {} }), 201);
    t.after(() => api(base, 'DELETE', `/api/queues/%2F/${seg(dead)}`));
    const args = { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dead };
    expectReply(await api(base, 'PUT', `/api/queues/%2F/${seg(q)}`, { body: { arguments: args } }), 201);
    t.after(() => api(base, 'DELETE', `/api/queues/%2F/${seg(q)}`));
    await api(base, 'POST', '/api/exchanges/%2F/amq.default/publish', {
      body: { properties: {}, routing_key: q, payload: 'bye', payload_encoding: 'string' },
    });
    await api(base, 'POST', `/api/queues/%2F/${seg(q)}/get`, { body: { count: 1, ackmode: 'reject_requeue_false', encoding: 'auto' } });
    const moved = await api(base, 'POST', `/api/queues/%2F/${seg(dead)}/get`, { body: { count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' } });
    assert.equal(moved.body[0]?.payload, 'bye');
  });
});

describe('bindings', () => {
  test('POST binds (201, Location {destination}/{props}); GET lists and finds by props; DELETE (204), again 404', async (t) => {
    const [x, q] = [uniqueName('x'), uniqueName('q')];
    expectReply(await api(base, 'PUT', `/api/exchanges/%2F/${seg(x)}`, { body: { type: 'topic' } }), 201);
    t.after(() => api(base, 'DELETE', `/api/exchanges/%2F/${seg(x)}`));
    expectReply(await api(base, 'PUT', `/api/queues/%2F/${seg(q)}`, { body: {} }), 201);
    t.after(() => api(base, 'DELETE', `/api/queues/%2F/${seg(q)}`));
    const pair = `/api/bindings/%2F/e/${seg(x)}/q/${seg(q)}`;
    const plain = await api(base, 'POST', pair, { body: {} });
    expectReply(plain, 201);
    assert.equal(plain.headers.get('location'), `${q}/~`);
    const withArgs = await api(base, 'POST', pair, { body: { routing_key: 'a.*', arguments: { foo: 'bar' } } });
    expectReply(withArgs, 201);
    const listed = await api(base, 'GET', pair);
    expectReply(listed, 200);
    assert.equal(listed.body.length, 2);
    for (const binding of listed.body) assertFields(binding, RABBITMQ_FIELDS.binding, [], 'binding');
    const starred = listed.body.find((binding: { routing_key: string }) => binding.routing_key === 'a.*');
    assert.match(starred.properties_key, /^a\.%2A~[A-Za-z0-9_-]+$/);
    assert.deepEqual(starred.arguments, { foo: 'bar' });
    const one = await api(base, 'GET', `${pair}/${starred.properties_key}`);
    expectReply(one, 200, starred);
    expectReply(await api(base, 'GET', `${pair}/~`), 200);
    expectReply(await api(base, 'DELETE', `${pair}/${starred.properties_key}`), 204);
    expectReply(await api(base, 'DELETE', `${pair}/${starred.properties_key}`), 404, NOT_FOUND);
    expectReply(await api(base, 'GET', `${pair}/nosuch`), 404, NOT_FOUND);
  });

  test('listings include the default exchange binding of every queue; exchange and queue views of bindings', async (t) => {
    const [x, q] = [uniqueName('x'), uniqueName('q')];
    expectReply(await api(base, 'PUT', `/api/exchanges/%2F/${seg(x)}`, { body: { type: 'fanout' } }), 201);
    t.after(() => api(base, 'DELETE', `/api/exchanges/%2F/${seg(x)}`));
    expectReply(await api(base, 'PUT', `/api/queues/%2F/${seg(q)}`, { body: {} }), 201);
    t.after(() => api(base, 'DELETE', `/api/queues/%2F/${seg(q)}`));
    expectReply(await api(base, 'POST', `/api/bindings/%2F/e/${seg(x)}/q/${seg(q)}`, { body: { routing_key: 'k' } }), 201);
    const e2e = await api(base, 'POST', `/api/bindings/%2F/e/amq.fanout/e/${seg(x)}`, { body: { routing_key: '#' } });
    expectReply(e2e, 201);
    assert.equal(e2e.headers.get('location'), `${x}/%2523`);

    const implicit = { source: '', vhost: '/', destination: q, destination_type: 'queue', routing_key: q, arguments: {}, properties_key: q };
    const queueBindings = await api(base, 'GET', `/api/queues/%2F/${seg(q)}/bindings`);
    expectReply(queueBindings, 200, [
      implicit,
      { source: x, vhost: '/', destination: q, destination_type: 'queue', routing_key: 'k', arguments: {}, properties_key: 'k' },
    ]);
    const all = await api(base, 'GET', '/api/bindings/%2F');
    assert.ok(all.body.some((binding: object) => JSON.stringify(binding) === JSON.stringify(implicit)));
    const everywhere = await api(base, 'GET', '/api/bindings');
    assert.ok(everywhere.body.length >= all.body.length);
    const source = await api(base, 'GET', `/api/exchanges/%2F/${seg(x)}/bindings/source`);
    assert.deepEqual(source.body.map((binding: { destination: string }) => binding.destination), [q]);
    const destination = await api(base, 'GET', `/api/exchanges/%2F/${seg(x)}/bindings/destination`);
    expectReply(destination, 200, [
      { source: 'amq.fanout', vhost: '/', destination: x, destination_type: 'exchange', routing_key: '#', arguments: {}, properties_key: '%23' },
    ]);
    expectReply(await api(base, 'DELETE', `/api/bindings/%2F/e/amq.fanout/e/${seg(x)}/%23`), 204);
  });

  test('binding to a missing end is 404 naming it; to the default exchange 401', async (t) => {
    const q = uniqueName('q');
    expectReply(await api(base, 'PUT', `/api/queues/%2F/${seg(q)}`, { body: {} }), 201);
    t.after(() => api(base, 'DELETE', `/api/queues/%2F/${seg(q)}`));
    expectReply(await api(base, 'POST', `/api/bindings/%2F/e/nosuch-x/q/${seg(q)}`, { body: { routing_key: 'k' } }), 404, {
      error: 'not_found',
      reason: "no exchange 'nosuch-x' in vhost '/'",
    });
    expectReply(await api(base, 'POST', '/api/bindings/%2F/e/amq.direct/q/nosuch-q', { body: { routing_key: 'k' } }), 404, {
      error: 'not_found',
      reason: "no queue 'nosuch-q' in vhost '/'",
    });
    expectReply(await api(base, 'POST', `/api/bindings/%2F/e/amq.default/q/${seg(q)}`, { body: { routing_key: 'k' } }), 401, {
      error: 'not_authorised',
      reason: 'Access refused.',
    });
  });
});

describe('paths', () => {
  test('vhost and queue names with / and spaces travel percent-encoded; ?columns= works on one object', async (t) => {
    const vhost = await makeVhost(t, base, `${uniqueName('vhost')} a/b`);
    const q = 'queue a/b c';
    expectReply(await api(base, 'PUT', `/api/queues/${seg(vhost)}/${seg(q)}`, { body: {} }), 201);
    expectReply(await api(base, 'GET', `/api/queues/${seg(vhost)}/${seg(q)}?columns=name,vhost`), 200, { name: q, vhost });
    const bindings = await api(base, 'GET', `/api/queues/${seg(vhost)}/${seg(q)}/bindings`);
    assert.equal(bindings.body[0].routing_key, q);
  });
});

describe('smaller endpoints', () => {
  test('users without permissions, and bulk delete (400 naming an unknown user)', async () => {
    const [a, c] = [uniqueName('user'), uniqueName('user')];
    for (const name of [a, c]) expectReply(await api(base, 'PUT', `/api/users/${seg(name)}`, { body: { password: 'x', tags: '' } }), 201);
    const without = await api(base, 'GET', '/api/users/without-permissions');
    expectReply(without, 200);
    assert.ok(without.body.some((user: { name: string }) => user.name === a));
    // Deleted in order; an unknown name stops it there, with what came before already gone.
    expectReply(await api(base, 'POST', '/api/users/bulk-delete', { body: { users: [a, 'nosuch-user-x', c] } }), 400, {
      error: 'bad_request',
      reason: ['no_such_user', 'nosuch-user-x'],
    });
    expectReply(await api(base, 'GET', `/api/users/${seg(a)}`), 404, NOT_FOUND);
    expectReply(await api(base, 'POST', '/api/users/bulk-delete', { body: { users: [c] } }), 204);
    expectReply(await api(base, 'GET', `/api/users/${seg(c)}`), 404, NOT_FOUND);
  });

  test('auth (without credentials), cluster-name, extensions, definitions download', async () => {
    expectReply(await api(base, 'GET', '/api/auth', { auth: null }), 200);
    const name = await api(base, 'GET', '/api/cluster-name');
    expectReply(name, 200);
    assert.equal(typeof name.body.name, 'string');
    expectReply(await api(base, 'GET', '/api/extensions'), 200);
    const download = await api(base, 'GET', '/api/definitions?download=backup.json');
    expectReply(download, 200);
    assert.equal(download.headers.get('content-disposition'), 'attachment; filename=backup.json');
  });

  test('a method a path does not have: 405 with Allow and no body', async () => {
    const reply = await api(base, 'PATCH', '/api/queues');
    expectReply(reply, 405);
    assert.deepEqual(reply.headers.get('allow')!.split(', ').sort(), ['GET', 'HEAD', 'OPTIONS']);
    assert.equal(reply.body, undefined);
  });

  test('runtime parameters and topic permissions: empty listings; changes refused with a reason', { skip: EXTERNAL }, async () => {
    for (const path of ['/api/parameters', '/api/parameters/shovel/%2F', '/api/global-parameters', '/api/topic-permissions', '/api/users/guest/topic-permissions']) {
      expectReply(await api(base, 'GET', path), 200, []);
    }
    expectReply(await api(base, 'GET', '/api/parameters/shovel/nosuch-vhost-x'), 404, NOT_FOUND);
    const refused = await api(base, 'PUT', '/api/parameters/shovel/%2F/s', { body: { value: {} } });
    expectReply(refused, 400);
    assert.match(refused.body.reason, /Warren has no runtime parameters/);
  });
});

describe('requests RabbitMQ refuses', () => {
  test('unknown paths and missing objects are 404 Object Not Found', async () => {
    for (const path of ['/api/nosuch', '/api/queues/nosuchvhost', '/api/queues/%2F/nosuch', '/api/exchanges/%2F/nosuch', '/api/users/nosuch', '/api/vhosts/nosuch']) {
      expectReply(await api(base, 'GET', path), 404, NOT_FOUND);
    }
  });

  test('a body that is not JSON is 400 not_json; a wrongly typed field is 400', async () => {
    expectReply(await api(base, 'PUT', `/api/queues/%2F/${seg(uniqueName('q'))}`, { rawBody: '{not json' }), 400, {
      error: 'bad_request',
      reason: 'not_json',
    });
    const typed = await api(base, 'PUT', `/api/queues/%2F/${seg(uniqueName('q'))}`, { body: { durable: 'yes' } });
    expectReply(typed, 400);
    assert.equal(typed.body.error, 'bad_request');
  });
});
