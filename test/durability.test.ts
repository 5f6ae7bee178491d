import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Broker } from '../src/index.js';
import {
  bodies,
  channel,
  closeQuietly,
  confirmChannel,
  connect,
  consume,
  drain,
  expectChannelClosed,
  within,
  type ChannelModel,
  type ConfirmChannel,
} from './support/amqp.js';

// These tests restart brokers on one data folder, so they run Warren in-process whatever
// WARREN_TEST_URL says (RabbitMQ's restart behaviour is pinned by the seed suite's group f).
const folders: string[] = [];
after(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

function dataFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warren-durability-'));
  folders.push(dir);
  return dir;
}

/** A broker on `dataDir`, and a way to restart it there (clean shutdown, then start). */
async function brokerOn(dataDir: string) {
  let broker = await Broker.start({ port: 0, dataDir });
  const opened: ChannelModel[] = [];
  return {
    get url() {
      return broker.url;
    },
    async connect() {
      const connection = await connect(broker.url);
      opened.push(connection);
      return connection;
    },
    async restart() {
      for (const connection of opened.splice(0)) await closeQuietly(connection);
      await broker.close();
      broker = await Broker.start({ port: 0, dataDir });
    },
    async close() {
      for (const connection of opened.splice(0)) await closeQuietly(connection);
      await broker.close();
    },
  };
}

async function publishConfirmed(ch: ConfirmChannel, queue: string, list: string[], persistent = true): Promise<void> {
  for (const body of list) ch.sendToQueue(queue, Buffer.from(body), { persistent });
  await within(ch.waitForConfirms(), 10_000, 'confirms');
}

const range = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('what survives a restart', () => {
  test('persistent messages in a durable queue come back in order with their properties', async () => {
    const broker = await brokerOn(dataFolder());
    try {
      const ch = await confirmChannel(await broker.connect());
      await ch.assertQueue('durable-q', { durable: true });
      ch.sendToQueue('durable-q', Buffer.from('first'), {
        persistent: true,
        contentType: 'text/plain',
        correlationId: 'c-1',
        headers: { 'x-trace': 'abc', n: 7 },
      });
      await publishConfirmed(ch, 'durable-q', ['second', 'third']);

      await broker.restart();

      const after = await channel(await broker.connect());
      const { messageCount } = await after.checkQueue('durable-q');
      assert.equal(messageCount, 3);
      const messages = await drain(after, 'durable-q');
      assert.deepEqual(bodies(messages), ['first', 'second', 'third']);
      const [first] = messages;
      assert.equal(first.properties.contentType, 'text/plain');
      assert.equal(first.properties.correlationId, 'c-1');
      assert.deepEqual(first.properties.headers, { 'x-trace': 'abc', n: 7 });
      assert.equal(first.properties.deliveryMode, 2);
      assert.equal(first.fields.redelivered, false, 'never delivered before the restart');
    } finally {
      await broker.close();
    }
  });

  test('transient messages, non-durable and exclusive queues, and transient exchanges do not', async () => {
    const broker = await brokerOn(dataFolder());
    try {
      const conn = await broker.connect();
      const ch = await confirmChannel(conn);
      await ch.assertQueue('mixed', { durable: true });
      await publishConfirmed(ch, 'mixed', ['transient-1'], false);
      await publishConfirmed(ch, 'mixed', ['persistent'], true);
      await publishConfirmed(ch, 'mixed', ['transient-2'], false);
      await ch.assertQueue('not-durable', { durable: false });
      await ch.assertQueue('exclusive-durable', { durable: true, exclusive: true });
      await ch.assertExchange('x-transient', 'direct', { durable: false });
      await ch.assertExchange('x-durable', 'fanout', { durable: true });
      await ch.bindQueue('mixed', 'x-durable', '');
      await ch.bindQueue('not-durable', 'x-durable', ''); // dies with its queue

      await broker.restart();

      const after = await channel(await broker.connect());
      assert.deepEqual(bodies(await drain(after, 'mixed')), ['persistent']);
      await expectChannelClosed(after, 404, "NOT_FOUND - no queue 'not-durable' in vhost '/'", () => after.checkQueue('not-durable'));
      const again = await channel(await broker.connect());
      await expectChannelClosed(again, 404, "NOT_FOUND - no queue 'exclusive-durable'", () => again.checkQueue('exclusive-durable'));
      const third = await channel(await broker.connect());
      await expectChannelClosed(third, 404, "NOT_FOUND - no exchange 'x-transient'", () => third.checkExchange('x-transient'));
      // The durable exchange still routes to the durable queue.
      const pub = await confirmChannel(await broker.connect());
      pub.publish('x-durable', '', Buffer.from('via-exchange'), { persistent: true });
      await pub.waitForConfirms();
      assert.deepEqual(bodies(await drain(pub, 'mixed')), ['via-exchange']);
    } finally {
      await broker.close();
    }
  });

  test('queue arguments keep their values and types', async () => {
    const broker = await brokerOn(dataFolder());
    try {
      const ch = await channel(await broker.connect());
      await ch.assertQueue('with-args', { durable: true, arguments: { 'x-message-ttl': 60000, 'x-custom': 'kept' } });
      await broker.restart();
      const after = await channel(await broker.connect());
      await after.assertQueue('with-args', { durable: true, arguments: { 'x-message-ttl': 60000, 'x-custom': 'kept' } });
      await expectChannelClosed(
        after,
        406,
        "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'with-args' in vhost '/': received '1000' but current is '60000'",
        () => after.assertQueue('with-args', { durable: true, arguments: { 'x-message-ttl': 1000 } }),
      );
    } finally {
      await broker.close();
    }
  });

  test('messages unacked at shutdown come back redelivered; the rest do not', async () => {
    const broker = await brokerOn(dataFolder());
    try {
      const pub = await confirmChannel(await broker.connect());
      await pub.assertQueue('work', { durable: true });
      await publishConfirmed(pub, 'work', range(6));
      const worker = await channel(await broker.connect());
      await worker.prefetch(2);
      const { inbox, consumerTag } = await consume(worker, 'work');
      const [m0, m1] = await inbox.take(2);
      await worker.cancel(consumerTag); // so the ack below frees no room for m2
      worker.ack(m0!); // m0 done; m1 still unacked when the broker stops

      await broker.restart();

      const after = await channel(await broker.connect());
      const messages = await drain(after, 'work');
      assert.deepEqual(bodies(messages), ['m1', 'm2', 'm3', 'm4', 'm5']);
      assert.deepEqual(
        messages.map((m) => m.fields.redelivered),
        [true, false, false, false, false],
        `${m1?.content} was delivered before the restart, the others never were`,
      );
    } finally {
      await broker.close();
    }
  });
});

describe('memory stays flat: long queues live on disk', () => {
  test('a backlog beyond the in-memory window comes back complete and in order, also after a restart', async () => {
    const broker = await brokerOn(dataFolder());
    const total = 12_000; // more than a queue keeps in memory (4,096 messages)
    try {
      const ch = await confirmChannel(await broker.connect());
      await ch.assertQueue('backlog', { durable: true });
      await ch.assertQueue('backlog-transient', { durable: false });
      const list = range(total);
      await publishConfirmed(ch, 'backlog', list, true);
      await publishConfirmed(ch, 'backlog-transient', list, false);
      assert.equal((await ch.checkQueue('backlog-transient')).messageCount, total);
      assert.deepEqual(bodies(await drain(ch, 'backlog-transient')), list);

      await broker.restart();

      const after = await channel(await broker.connect());
      assert.equal((await after.checkQueue('backlog')).messageCount, total);
      assert.deepEqual(bodies(await drain(after, 'backlog')), list);
    } finally {
      await broker.close();
    }
  });

  test('disk space comes back when a queue is drained, purged or deleted', async () => {
    const dir = dataFolder();
    const broker = await brokerOn(dir);
    const bytesOf = (path: string): number =>
      readdirSync(path, { withFileTypes: true }).reduce(
        (sum, entry) =>
          sum + (entry.isDirectory() ? bytesOf(join(path, entry.name)) : statSync(join(path, entry.name)).size),
        0,
      );
    try {
      const ch = await confirmChannel(await broker.connect());
      const body = 'x'.repeat(4000);
      for (const queue of ['drained', 'purged', 'deleted']) {
        await ch.assertQueue(queue, { durable: true });
        await publishConfirmed(ch, queue, Array.from({ length: 6000 }, () => body)); // ~24 MB each, 3+ segments
      }
      const full = bytesOf(join(dir, 'queues'));
      assert.ok(full > 60e6, `queues use ${full} bytes on disk`);
      await drain(ch, 'drained');
      await ch.purgeQueue('purged');
      await ch.deleteQueue('deleted');
      await broker.restart(); // acks are synced by then
      const left = bytesOf(join(dir, 'queues'));
      assert.ok(left < 30e6, `only partly filled segments may remain, found ${left} bytes`);
    } finally {
      await broker.close();
    }
  });
});

describe('the data folder', () => {
  test('is locked against a second broker', async () => {
    const dir = dataFolder();
    const first = await Broker.start({ port: 0, dataDir: dir });
    try {
      await assert.rejects(Broker.start({ port: 0, dataDir: dir }), /data folder .* is in use by process \d+/);
    } finally {
      await first.close();
    }
    const second = await Broker.start({ port: 0, dataDir: dir });
    await second.close();
  });
});

describe('resource alarms', () => {
  test('low free disk blocks a publishing connection (connection.blocked) while consumers keep going', async () => {
    const broker = await Broker.start({ port: 0, diskFreeLimit: Number.MAX_SAFE_INTEGER });
    try {
      const consumerConn = await connect(broker.url);
      const consumerCh = await channel(consumerConn);
      await consumerCh.assertQueue('alarmed');
      const { inbox } = await consume(consumerCh, 'alarmed', { noAck: true });

      const publisher = await connect(broker.url);
      const blocked = new Promise<string>((resolve) => publisher.once('blocked', resolve));
      const ch = await channel(publisher);
      ch.sendToQueue('alarmed', Buffer.from('before the block'));
      assert.match(await within(blocked, 5000, 'connection.blocked'), /free disk space .* is below the limit/);
      assert.deepEqual(bodies(await inbox.take(1)), ['before the block'], 'what was published is still delivered');
      await closeQuietly(publisher);
      await closeQuietly(consumerConn);
    } finally {
      await broker.close();
    }
  });
});
