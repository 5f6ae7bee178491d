import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import amqp from 'amqplib';
import { AccessControl } from '../src/auth/access-control.js';
import type { PermissionSet } from '../src/auth/permissions.js';
import { newUser } from '../src/auth/user-store.js';
import { Broker } from '../src/index.js';
import { channel, closeQuietly, connect, expectChannelClosed, sync, uniqueName, within } from './support/amqp.js';
import { decodeClose, decodeTune, M, RawClient } from './support/raw-client.js';

// Users and permissions are set through the embedding API, so these tests run on an
// in-process Warren; the same rules were checked against RabbitMQ by the seed suite (group l).
let broker: Broker;
before(async () => {
  broker = await Broker.start({ port: 0 });
});
after(() => broker.close());

const ALL: PermissionSet = { configure: '.*', write: '.*', read: '.*' };

/** A fresh user with these permissions on `/`, and its AMQP URL. */
function userWith(permissions: PermissionSet | undefined, vhost = '/'): { name: string; url: string } {
  const name = uniqueName('user');
  broker.access.putUser(newUser(name, 'secret'));
  if (permissions) broker.access.setPermissions(name, vhost, permissions);
  const url = new URL(broker.url);
  url.username = name;
  url.password = 'secret';
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return { name, url: url.toString() };
}

/** An admin channel (guest) to set things up. */
async function admin() {
  const connection = await connect(broker.url);
  return { connection, ch: await channel(connection) };
}

/** Opens a connection to `url` at the frame level and returns how the server refused it. */
async function refusedOpen(url: string): Promise<{ code: number; message: string }> {
  const client = await RawClient.connect(url);
  try {
    await client.sendStartOk(url);
    const next = await client.next();
    if (!('payload' in next)) assert.fail('socket closed without connection.close');
    if (next.classId === 10 && next.methodId === 50) {
      const reason = decodeClose(next);
      return { code: reason.replyCode, message: reason.replyText };
    }
    const tune = decodeTune(next);
    client.write(M.tuneOk(tune.channelMax, tune.frameMax, 0));
    client.write(M.open(decodeURIComponent(new URL(url).pathname.slice(1)) || '/'));
    const reason = await client.expectConnectionClose();
    return { code: reason.replyCode, message: reason.replyText };
  } finally {
    client.destroy();
  }
}

describe('logging in and opening a vhost', () => {
  test('a user without permissions on the vhost is refused with 530 NOT_ALLOWED', async () => {
    const { name, url } = userWith(undefined);
    const refused = await refusedOpen(url);
    assert.equal(refused.code, 530);
    assert.match(refused.message, new RegExp(`NOT_ALLOWED - access to vhost '/' refused for user '${name}'`));
  });

  test('a vhost that does not exist is 530 too', async () => {
    const { url } = userWith(ALL, 'no-such-vhost');
    const refused = await refusedOpen(url);
    assert.equal(refused.code, 530);
    assert.match(refused.message, /NOT_ALLOWED - vhost no-such-vhost not found/);
  });

  test('a wrong password is 403, and a deleted user cannot log in any more', async () => {
    const { name, url } = userWith(ALL);
    const wrong = new URL(url);
    wrong.password = 'nope';
    assert.equal((await refusedOpen(wrong.toString())).code, 403);
    const connection = await connect(url);
    await closeQuietly(connection);
    broker.access.deleteUser(name);
    assert.equal((await refusedOpen(url)).code, 403);
  });

  test('guest may log in from loopback only (RabbitMQ loopback_users)', () => {
    const access = new AccessControl();
    access.addDefaults();
    assert.equal(access.login('guest', 'guest', '127.0.0.1').ok, true);
    assert.equal(access.login('guest', 'guest', '::ffff:127.0.0.1').ok, true);
    assert.equal(access.login('guest', 'guest', '::1').ok, true);
    const remote = access.login('guest', 'guest', '10.1.2.3');
    assert.equal(remote.ok, false);
    assert.match(remote.ok ? '' : remote.reason, /can only connect via localhost/);
  });
});

describe('configure permission', () => {
  test("'^$' refuses declaring and deleting queues and exchanges, but not passive declares", async (t) => {
    const { name, url } = userWith({ configure: '^$', write: '.*', read: '.*' });
    const { ch: adminCh } = await admin();
    const queue = uniqueName('q');
    await adminCh.assertQueue(queue);
    t.after(() => adminCh.deleteQueue(queue));
    const conn = await connect(url, t);
    const refusal = (kind: string, resource: string) =>
      `ACCESS_REFUSED - access to ${kind} '${resource}' in vhost '/' refused for user '${name}'`;
    let ch = await channel(conn);
    await ch.checkQueue(queue); // passive: allowed
    await ch.checkExchange('amq.direct');
    await expectChannelClosed(ch, 403, refusal('queue', 'new-q'), () => ch.assertQueue('new-q'));
    ch = await channel(conn);
    await expectChannelClosed(ch, 403, refusal('exchange', 'new-x'), () => ch.assertExchange('new-x', 'direct'));
    ch = await channel(conn);
    await expectChannelClosed(ch, 403, refusal('queue', queue), () => ch.deleteQueue(queue));
    ch = await channel(conn);
    await expectChannelClosed(ch, 403, "ACCESS_REFUSED - access to queue 'amq.gen-", () => ch.assertQueue(''));
    // Publish and get still work: they need write and read, not configure.
    ch = await channel(conn);
    ch.sendToQueue(queue, Buffer.from('hello'));
    await sync(ch);
    const got = await ch.get(queue, { noAck: true });
    assert.ok(got && got.content.toString() === 'hello');
  });

  test('a new queue with a dead-letter exchange needs write on that exchange', async (t) => {
    const { name, url } = userWith({ configure: '.*', write: '^(?!forbidden-dlx$).*', read: '.*' });
    const conn = await connect(url, t);
    const ch = await channel(conn);
    const queue = uniqueName('dl');
    await expectChannelClosed(
      ch,
      403,
      `ACCESS_REFUSED - access to exchange 'forbidden-dlx' in vhost '/' refused for user '${name}'`,
      () => ch.assertQueue(queue, { arguments: { 'x-dead-letter-exchange': 'forbidden-dlx' } }),
    );
  });
});

describe('write and read permissions', () => {
  test('publishing needs write on the exchange; the default exchange is checked as amq.default', async (t) => {
    const { name, url } = userWith({ configure: '.*', write: '^amq\\.direct$', read: '.*' });
    const conn = await connect(url, t);
    let ch = await channel(conn);
    ch.publish('amq.direct', 'anywhere', Buffer.from('ok'));
    await sync(ch);
    ch.sendToQueue('some-queue', Buffer.from('refused'));
    await expectChannelClosed(ch, 403, `ACCESS_REFUSED - access to exchange 'amq.default' in vhost '/' refused for user '${name}'`, () =>
      sync(ch),
    );
    ch = await channel(conn);
    ch.publish('amq.fanout', '', Buffer.from('refused'));
    await expectChannelClosed(ch, 403, `ACCESS_REFUSED - access to exchange 'amq.fanout'`, () => sync(ch));
  });

  test('get, consume and purge need read on the queue', async (t) => {
    const { name, url } = userWith({ configure: '.*', write: '.*', read: '^$' });
    const { ch: adminCh } = await admin();
    const queue = uniqueName('q');
    await adminCh.assertQueue(queue);
    t.after(() => adminCh.deleteQueue(queue));
    const conn = await connect(url, t);
    const refusal = `ACCESS_REFUSED - access to queue '${queue}' in vhost '/' refused for user '${name}'`;
    let ch = await channel(conn);
    await expectChannelClosed(ch, 403, refusal, () => ch.get(queue));
    ch = await channel(conn);
    await expectChannelClosed(ch, 403, refusal, () => ch.consume(queue, () => {}));
    ch = await channel(conn);
    await expectChannelClosed(ch, 403, refusal, () => ch.purgeQueue(queue));
    ch = await channel(conn);
    ch.sendToQueue(queue, Buffer.from('writing is fine'));
    await sync(ch);
  });

  test('queue.bind needs write on the queue and read on the exchange', async (t) => {
    const { ch: adminCh } = await admin();
    const queue = uniqueName('q');
    await adminCh.assertQueue(queue);
    t.after(() => adminCh.deleteQueue(queue));

    const noWriteOnQueue = userWith({ configure: '.*', write: '^$', read: '.*' });
    let conn = await connect(noWriteOnQueue.url, t);
    let ch = await channel(conn);
    await expectChannelClosed(ch, 403, `ACCESS_REFUSED - access to queue '${queue}'`, () => ch.bindQueue(queue, 'amq.direct', 'k'));

    const noReadOnExchange = userWith({ configure: '.*', write: '.*', read: '^(?!amq\\.direct$).*' });
    conn = await connect(noReadOnExchange.url, t);
    ch = await channel(conn);
    await expectChannelClosed(ch, 403, "ACCESS_REFUSED - access to exchange 'amq.direct'", () => ch.bindQueue(queue, 'amq.direct', 'k'));
  });

  test('exchange.bind needs write on the destination and read on the source', async (t) => {
    const { ch: adminCh } = await admin();
    const destination = uniqueName('x');
    await adminCh.assertExchange(destination, 'fanout', { autoDelete: false });
    t.after(() => adminCh.deleteExchange(destination));
    const { url } = userWith({ configure: '.*', write: '^$', read: '.*' });
    const conn = await connect(url, t);
    const ch = await channel(conn);
    await expectChannelClosed(ch, 403, `ACCESS_REFUSED - access to exchange '${destination}'`, () =>
      ch.bindExchange(destination, 'amq.fanout', ''),
    );
  });
});

describe('changes take effect at once', () => {
  test('granting and revoking permissions applies to open channels without reconnecting', async (t) => {
    const { name, url } = userWith({ configure: '.*', write: '.*', read: '.*' });
    const { ch: adminCh } = await admin();
    const queue = uniqueName('q');
    await adminCh.assertQueue(queue);
    t.after(() => adminCh.deleteQueue(queue));
    const conn = await connect(url, t);
    const ch = await channel(conn);
    ch.sendToQueue(queue, Buffer.from('1'));
    await sync(ch);
    broker.access.setPermissions(name, '/', { configure: '.*', write: '^$', read: '.*' });
    ch.sendToQueue(queue, Buffer.from('2'));
    await expectChannelClosed(ch, 403, 'ACCESS_REFUSED - access to exchange', () => sync(ch));
    broker.access.setPermissions(name, '/', ALL);
    const again = await channel(conn);
    again.sendToQueue(queue, Buffer.from('3'));
    await sync(again);
    assert.equal((await adminCh.checkQueue(queue)).messageCount, 2);
  });
});

describe('durability of users and permissions', () => {
  test('users, passwords, tags and permissions survive a restart; deletions too', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warren-access-'));
    try {
      let durable = await Broker.start({ port: 0, dataDir });
      durable.access.putUser(newUser('alice', 'wonderland', ['monitoring']));
      durable.access.setPermissions('alice', '/', { configure: '^a', write: '.*', read: '.*' });
      durable.access.putUser(newUser('bob', 'builder'));
      durable.access.setPermissions('bob', '/', ALL);
      durable.access.deleteUser('guest');
      await durable.close();

      durable = await Broker.start({ port: 0, dataDir });
      try {
        assert.deepEqual(durable.access.users.get('alice')?.tags, ['monitoring']);
        assert.equal(durable.access.users.get('guest'), undefined, 'deleting guest is remembered');
        const port = durable.port;
        const alice = await within(amqp.connect(`amqp://alice:wonderland@127.0.0.1:${port}/`), 3000, 'alice connects');
        const ch = await alice.createChannel();
        await ch.assertQueue('a-queue', { autoDelete: true });
        await alice.close();
        assert.equal((await refusedOpen(`amqp://guest:guest@127.0.0.1:${port}/`)).code, 403);
      } finally {
        await durable.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
