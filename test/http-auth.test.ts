// Who may use the management API, and what each user tag lets them see and do, as
// RabbitMQ 3.10 decides it. Runs against RabbitMQ with WARREN_TEST_HTTP_URL too.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import amqp from 'amqplib';
import { uniqueName } from './support/amqp.js';
import { api, EXTERNAL, expectReply, makeUser, makeVhost, seg, startHttpBroker, type HttpTestBroker } from './support/http.js';

let b: HttpTestBroker;
let base: string;
before(async () => {
  b = await startHttpBroker();
  base = b.apiUrl;
});
after(() => b.close());

const REALM = 'Basic realm="RabbitMQ Management"';

describe('authentication', () => {
  test('no credentials: a bare 401 asking for Basic auth', async () => {
    const reply = await api(base, 'GET', '/api/overview', { auth: null });
    expectReply(reply, 401);
    assert.equal(reply.headers.get('www-authenticate'), REALM);
    assert.equal(reply.body, undefined);
  });

  test('a wrong password or unknown user: 401 Login failed, asking again', async () => {
    for (const auth of [['guest', 'wrong'], [uniqueName('nobody'), 'x']] as const) {
      const reply = await api(base, 'GET', '/api/overview', { auth });
      expectReply(reply, 401, { error: 'not_authorized', reason: 'Login failed' });
      assert.equal(reply.headers.get('www-authenticate'), REALM);
    }
  });

  test('a user without a management tag: 401 Not management user, on every route', async (t) => {
    const auth = await makeUser(t, base, uniqueName('user'), 'pw', '', ['/']);
    for (const path of ['/api/overview', '/api/queues', '/api/whoami']) {
      const reply = await api(base, 'GET', path, { auth });
      expectReply(reply, 401, { error: 'not_authorised', reason: 'Not management user' });
      assert.equal(reply.headers.get('www-authenticate'), null);
    }
    // The same user is fine over AMQP: tags gate the management API only.
    const url = new URL(b.amqpUrl);
    [url.username, url.password] = auth;
    const conn = await amqp.connect(url.toString());
    await conn.close();
  });

  test('guest may use the API only from loopback, as over AMQP', { skip: EXTERNAL }, async () => {
    const { authenticate } = await import('../src/http/auth.js');
    const broker = b.broker!;
    const request = (remoteAddress: string) =>
      ({ headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` }, socket: { remoteAddress } }) as never;
    const access = broker.control.context.access;
    assert.ok(!('status' in authenticate(request('127.0.0.1'), access)));
    assert.deepEqual(authenticate(request('10.1.2.3'), access), {
      status: 401,
      challenge: true,
      body: { error: 'not_authorized', reason: 'User can only log in via localhost' },
    });
  });
});

describe('tags', () => {
  test('management: own vhosts only, own connections only, no users, vhosts, definitions or nodes', async (t) => {
    const vhost = await makeVhost(t, base, uniqueName('vhost'));
    const auth = await makeUser(t, base, uniqueName('mgmt'), 'pw', 'management', [vhost]);
    expectReply(await api(base, 'PUT', `/api/queues/${seg(vhost)}/mine`, { body: {} }), 201);
    const guestQueue = uniqueName('q');
    expectReply(await api(base, 'PUT', `/api/queues/%2F/${seg(guestQueue)}`, { body: {} }), 201);
    t.after(() => api(base, 'DELETE', `/api/queues/%2F/${seg(guestQueue)}`));

    const queues = await api(base, 'GET', '/api/queues', { auth });
    expectReply(queues, 200);
    assert.deepEqual([...new Set(queues.body.map((q: { vhost: string }) => q.vhost))], [vhost]);
    const vhosts = await api(base, 'GET', '/api/vhosts', { auth });
    assert.deepEqual(vhosts.body.map((v: { name: string }) => v.name), [vhost]);
    expectReply(await api(base, 'GET', '/api/queues/%2F', { auth }), 401, {
      error: 'not_authorised',
      reason: 'User not authorised to access virtual host',
    });
    expectReply(await api(base, 'GET', '/api/exchanges/%2F', { auth }), 401, {
      error: 'not_authorised',
      reason: 'User not authorised to access virtual host',
    });
    for (const path of ['/api/users', '/api/users/guest', `/api/vhosts/${seg(vhost)}`, '/api/permissions', '/api/definitions']) {
      expectReply(await api(base, 'GET', path, { auth }), 401, { error: 'not_authorised', reason: 'Not administrator user' });
    }
    expectReply(await api(base, 'GET', '/api/nodes', { auth }), 401, { error: 'not_authorised', reason: 'Not monitor user' });
    expectReply(await api(base, 'PUT', `/api/vhosts/${seg(uniqueName('vhost'))}`, { auth, body: {} }), 401, {
      error: 'not_authorised',
      reason: 'Not administrator user',
    });
    expectReply(await api(base, 'PUT', `/api/queues/${seg(vhost)}/also-mine`, { auth, body: {} }), 201);
    expectReply(await api(base, 'GET', '/api/whoami', { auth }), 200, { name: auth[0], tags: ['management'] });

    // Connections: guest's is not shown to a management user.
    const conn = await amqp.connect(b.amqpUrl);
    t.after(() => conn.close().catch(() => {}));
    const connections = await api(base, 'GET', '/api/connections', { auth });
    expectReply(connections, 200, []);
  });

  test('monitoring: every vhost and every connection, and nodes; objects of vhosts it has permissions in; no users', async (t) => {
    const vhost = await makeVhost(t, base, uniqueName('vhost'));
    expectReply(await api(base, 'PUT', `/api/queues/${seg(vhost)}/q`, { body: {} }), 201);
    const other = await makeVhost(t, base, uniqueName('vhost'));
    expectReply(await api(base, 'PUT', `/api/queues/${seg(other)}/q`, { body: {} }), 201);
    const auth = await makeUser(t, base, uniqueName('mon'), 'pw', 'monitoring', [vhost]);
    const conn = await amqp.connect(b.amqpUrl);
    t.after(() => conn.close().catch(() => {}));
    const vhosts = await api(base, 'GET', '/api/vhosts', { auth });
    for (const name of ['/', vhost, other]) assert.ok(vhosts.body.some((v: { name: string }) => v.name === name), name);
    // As in RabbitMQ, object listings stay limited to the vhosts the user has permissions in.
    const queues = await api(base, 'GET', '/api/queues', { auth });
    assert.deepEqual([...new Set(queues.body.map((q: { vhost: string }) => q.vhost))], [vhost]);
    let connections = await api(base, 'GET', '/api/connections', { auth });
    for (let i = 0; i < 40 && connections.body.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      connections = await api(base, 'GET', '/api/connections', { auth });
    }
    assert.ok(connections.body.length >= 1, 'monitoring users see other users\' connections');
    expectReply(await api(base, 'GET', '/api/nodes', { auth }), 200);
    expectReply(await api(base, 'GET', '/api/users', { auth }), 401, { error: 'not_authorised', reason: 'Not administrator user' });
  });

  test('administrators see the objects of vhosts they have no permissions in', async (t) => {
    const vhost = await makeVhost(t, base, uniqueName('vhost'));
    expectReply(await api(base, 'PUT', `/api/queues/${seg(vhost)}/q`, { body: {} }), 201);
    expectReply(await api(base, 'DELETE', `/api/permissions/${seg(vhost)}/guest`), 204);
    const queues = await api(base, 'GET', '/api/queues');
    assert.ok(queues.body.some((q: { vhost: string }) => q.vhost === vhost));
    expectReply(await api(base, 'GET', `/api/queues/${seg(vhost)}/q`), 200);
  });

  test('policymaker: like management here (no nodes)', async (t) => {
    const auth = await makeUser(t, base, uniqueName('pol'), 'pw', 'policymaker');
    expectReply(await api(base, 'GET', '/api/overview', { auth }), 200);
    expectReply(await api(base, 'GET', '/api/nodes', { auth }), 401, { error: 'not_authorised', reason: 'Not monitor user' });
  });

  test('administrator (not guest): manages users, vhosts, permissions and definitions', async (t) => {
    const auth = await makeUser(t, base, uniqueName('admin'), 'pw', 'administrator');
    const user = uniqueName('user');
    expectReply(await api(base, 'PUT', `/api/users/${seg(user)}`, { auth, body: { password: 'x', tags: '' } }), 201);
    t.after(() => api(base, 'DELETE', `/api/users/${seg(user)}`));
    const vhost = uniqueName('vhost');
    expectReply(await api(base, 'PUT', `/api/vhosts/${seg(vhost)}`, { auth, body: {} }), 201);
    t.after(() => api(base, 'DELETE', `/api/vhosts/${seg(vhost)}`));
    expectReply(await api(base, 'PUT', `/api/permissions/${seg(vhost)}/${seg(user)}`, { auth, body: { configure: '', write: '', read: '.*' } }), 201);
    expectReply(await api(base, 'GET', `/api/definitions/${seg(vhost)}`, { auth }), 200);
    expectReply(await api(base, 'GET', '/api/definitions', { auth }), 200);
  });

  test('AMQP permissions apply to what a user declares through the API', async (t) => {
    const vhost = await makeVhost(t, base, uniqueName('vhost'));
    const auth = await makeUser(t, base, uniqueName('mgmt'), 'pw', 'management');
    expectReply(await api(base, 'PUT', `/api/permissions/${seg(vhost)}/${seg(auth[0])}`, { body: { configure: '^mine', write: '.*', read: '.*' } }), 201);
    expectReply(await api(base, 'PUT', `/api/queues/${seg(vhost)}/mine.q`, { auth, body: {} }), 201);
    expectReply(await api(base, 'PUT', `/api/queues/${seg(vhost)}/theirs.q`, { auth, body: {} }), 401, {
      error: 'not_authorised',
      reason: 'Access refused.',
    });
  });
});
