// Vhost limits (max-connections, max-queues) and user limits (max-connections,
// max-channels) as AMQP clients meet them: RabbitMQ 3.10.8's codes, texts and the order
// of its checks. The limits are set over the management API, so the file runs against
// RabbitMQ too (WARREN_TEST_HTTP_URL with WARREN_TEST_URL).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { channel, connect, expectChannelClosed, expectConnectionClosed } from './support/amqp.js';
import { api, expectReply, startHttpBroker, type HttpTestBroker } from './support/http.js';
import { decodeClose, decodeTune, M, RawClient } from './support/raw-client.js';

let target: HttpTestBroker;
const id = randomBytes(4).toString('hex');
const vhost = `limits-${id}`;
const user = `limits-user-${id}`;
const password = 'limits-secret';

function urlFor(name: string, pass: string, host: string): string {
  const url = new URL(target.amqpUrl);
  url.username = name;
  url.password = pass;
  url.pathname = `/${encodeURIComponent(host)}`;
  return url.toString();
}

async function setVhostLimit(name: string, value: number | undefined) {
  const path = `/api/vhost-limits/${encodeURIComponent(vhost)}/${name}`;
  expectReply(await api(target.apiUrl, value === undefined ? 'DELETE' : 'PUT', path, value === undefined ? {} : { body: { value } }), 204);
}

async function setUserLimit(name: string, value: number | undefined) {
  const path = `/api/user-limits/${encodeURIComponent(user)}/${name}`;
  expectReply(await api(target.apiUrl, value === undefined ? 'DELETE' : 'PUT', path, value === undefined ? {} : { body: { value } }), 204);
}

/**
 * Opens a connection frame by frame (amqplib hides the reply text of a refused
 * connection.open); resolves to the refusal's reply text and class/method, or undefined.
 */
async function refusal(url: string): Promise<string | undefined> {
  const client = await RawClient.connect(url);
  try {
    await client.sendStartOk(url);
    const tune = decodeTune(await client.expectMethod(10, 30));
    client.write(M.tuneOk(tune.channelMax, tune.frameMax, 0));
    client.write(M.open(decodeURIComponent(new URL(url).pathname.slice(1))));
    const reply = await client.next();
    if (reply.type === 'closed') return 'socket closed';
    if (reply.classId === 10 && reply.methodId === 41) return undefined;
    const close = decodeClose(reply);
    assert.deepEqual([close.classId, close.methodId], [10, 40]);
    assert.equal(close.replyCode, 530);
    return close.replyText;
  } finally {
    client.destroy();
  }
}

before(async () => {
  target = await startHttpBroker();
  expectReply(await api(target.apiUrl, 'PUT', `/api/vhosts/${encodeURIComponent(vhost)}`, { body: {} }), 201);
  expectReply(await api(target.apiUrl, 'PUT', `/api/users/${encodeURIComponent(user)}`, { body: { password, tags: '' } }), 201);
  const permissions = { configure: '.*', write: '.*', read: '.*' };
  expectReply(await api(target.apiUrl, 'PUT', `/api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(user)}`, { body: permissions }), 201);
});
after(async () => {
  await api(target.apiUrl, 'DELETE', `/api/vhosts/${encodeURIComponent(vhost)}`);
  await api(target.apiUrl, 'DELETE', `/api/users/${encodeURIComponent(user)}`);
  await target.close();
});

describe('vhost max-connections', () => {
  test("connection.open past the limit: 530 \"access to vhost ... refused ...: connection limit (N) is reached\"; lowering it keeps who is in", async (t) => {
    await setVhostLimit('max-connections', 1);
    t.after(() => setVhostLimit('max-connections', undefined));
    const url = urlFor(user, password, vhost);
    const first = await connect(url, t);
    assert.equal(await refusal(url), `NOT_ALLOWED - access to vhost '${vhost}' refused for user '${user}': connection limit (1) is reached`);
    await setVhostLimit('max-connections', 0);
    const ch = await channel(first);
    await ch.checkExchange('amq.direct');
    assert.equal(await refusal(url), `NOT_ALLOWED - access to vhost '${vhost}' refused for user '${user}': connection limit (0) is reached`);
    await setVhostLimit('max-connections', -1);
    assert.equal(await refusal(url), undefined, 'negative = unlimited');
  });
});

describe('vhost max-queues', () => {
  test('a new queue past the limit is a 406 channel error; redeclaring an existing one is fine; every kind counts', async (t) => {
    await setVhostLimit('max-queues', 2);
    t.after(() => setVhostLimit('max-queues', undefined));
    const conn = await connect(urlFor(user, password, vhost), t);
    let ch = await channel(conn);
    await ch.assertQueue('lq1', { autoDelete: true });
    const { queue: generated } = await ch.assertQueue('', { exclusive: true });
    assert.match(generated, /^amq\.gen-/);
    await ch.assertQueue('lq1', { autoDelete: true });
    const text = `PRECONDITION_FAILED - cannot declare queue 'lq3': queue limit in vhost '${vhost}' (2) is reached`;
    const close = await expectChannelClosed(ch, 406, text, () => ch.assertQueue('lq3'));
    assert.equal(close.text, text);
    assert.deepEqual([close.classId, close.methodId], [50, 10]);
    ch = await channel(conn);
    await expectChannelClosed(ch, 406, `PRECONDITION_FAILED - cannot declare queue 'lq4': queue limit in vhost '${vhost}' (2) is reached`, () =>
      ch.assertQueue('lq4', { arguments: { 'x-max-length': 'x' } }),
    );
    ch = await channel(conn);
    await ch.deleteQueue('lq1');
    await ch.assertQueue('lq3');
    await ch.deleteQueue('lq3');
  });
});

describe('user limits', () => {
  test('max-connections across all vhosts: 530 "connection refused for user ...: user connection limit (N) is reached"', async (t) => {
    await setUserLimit('max-connections', 1);
    t.after(() => setUserLimit('max-connections', undefined));
    await connect(urlFor(user, password, vhost), t);
    assert.equal(await refusal(urlFor(user, password, vhost)), `NOT_ALLOWED - connection refused for user '${user}': user connection limit (1) is reached`);
  });

  test('max-channels across all of the user\'s connections: the connection opening one too many is closed with 530', async (t) => {
    await setUserLimit('max-channels', 2);
    t.after(() => setUserLimit('max-channels', undefined));
    const a = await connect(urlFor(user, password, vhost), t);
    const b = await connect(urlFor(user, password, vhost), t);
    await channel(a);
    await channel(b);
    const text = `NOT_ALLOWED - number of channels opened for user '${user}' has reached the maximum allowed user limit of (2)`;
    const close = await expectConnectionClosed(b, 530, text, () => b.createChannel());
    assert.equal(close.text, text);
    const again = await channel(a);
    await again.checkExchange('amq.direct');
  });
});
