// Quorum queues on one node (x-queue-type=quorum), as RabbitMQ declares and serves them:
// what a declaration may not be (and the order RabbitMQ checks it in), the arguments a
// quorum queue refuses, the delivery limit with x-delivery-count and delivery_limit
// dead-lettering (RabbitMQ 4: 20 by default, -1 for none), every message kept on disk,
// at-least-once dead-lettering, and the vhost default queue type. Run against RabbitMQ
// 3.10.8 first; the RabbitMQ 4 behaviours are Warren-only and say so.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Broker } from '../src/index.js';
import { startBroker, type TestBroker } from './support/broker.js';
import {
  bodies,
  channel,
  confirmChannel,
  connect,
  drain,
  expectChannelClosed,
  getOne,
  Inbox,
  names,
  sendAll,
  sync,
  waitForReady,
} from './support/amqp.js';

const EXTERNAL = process.env.WARREN_TEST_URL !== undefined;
const QUORUM = { 'x-queue-type': 'quorum' };

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.close();
});

describe('declaring a quorum queue', () => {
  const refusals: [string, { name?: string; durable?: boolean; exclusive?: boolean; autoDelete?: boolean; arguments?: Record<string, unknown> }, string][] = [
    ['server-named', { name: '' }, 'PRECONDITION_FAILED - Cannot declare a server-named queue for type rabbit_quorum_queue'],
    ['non-durable', { durable: false }, "PRECONDITION_FAILED - invalid property 'non-durable' for queue '<q>' in vhost '/'"],
    ['exclusive', { exclusive: true }, "PRECONDITION_FAILED - invalid property 'exclusive-owner' for queue '<q>' in vhost '/'"],
    ['auto-delete', { autoDelete: true }, "PRECONDITION_FAILED - invalid property 'auto-delete' for queue '<q>' in vhost '/'"],
    ['x-max-priority', { arguments: { 'x-max-priority': 5 } }, "PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue '<q>' in vhost '/' of queue type rabbit_quorum_queue"],
    ['x-queue-mode', { arguments: { 'x-queue-mode': 'default' } }, "PRECONDITION_FAILED - invalid arg 'x-queue-mode' for queue '<q>' in vhost '/' of queue type rabbit_quorum_queue"],
    // Values first, then refused keys, then the properties.
    ['x-max-priority and a bad x-max-length', { arguments: { 'x-max-priority': 5, 'x-max-length': -1 } }, "PRECONDITION_FAILED - invalid arg 'x-max-length' for queue '<q>' in vhost '/': {value_negative,-1}"],
    ['non-durable with x-max-priority', { durable: false, arguments: { 'x-max-priority': 5 } }, "PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue '<q>' in vhost '/' of queue type rabbit_quorum_queue"],
    ['a bad x-dead-letter-strategy', { arguments: { 'x-dead-letter-strategy': 'bogus' } }, "PRECONDITION_FAILED - invalid arg 'x-dead-letter-strategy' for queue '<q>' in vhost '/': invalid_dlx_strategy"],
  ];
  for (const [what, declaration, text] of refusals) {
    test(`${what} → 406`, async (t) => {
      const q = declaration.name ?? names(t, broker.url).queue();
      const conn = await connect(broker.url, t);
      const ch = await channel(conn);
      const expected = text.replace('<q>', q);
      const close = await expectChannelClosed(ch, 406, expected, () =>
        ch.assertQueue(q, {
          durable: declaration.durable ?? true,
          exclusive: declaration.exclusive,
          autoDelete: declaration.autoDelete,
          arguments: { ...QUORUM, ...declaration.arguments },
        }),
      );
      assert.equal(close.text, expected);
      assert.deepEqual([close.classId, close.methodId], [50, 10]);
    });
  }

  test('a classic queue refuses quorum-only arguments by name', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    const text = `PRECONDITION_FAILED - invalid arg 'x-delivery-limit' for queue '${q}' in vhost '/' of queue type rabbit_classic_queue`;
    const close = await expectChannelClosed(ch, 406, text, () => ch.assertQueue(q, { arguments: { 'x-delivery-limit': 3 } }));
    assert.equal(close.text, text);
  });

  test('an unknown queue type, or one that is not a string, is refused before anything else', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    let ch = await channel(conn);
    await expectChannelClosed(ch, 406, `PRECONDITION_FAILED - invalid arg 'x-queue-type' for queue '${q}' in vhost '/': "unsupported queue type 'bogus'"`, () =>
      ch.assertQueue(q, { durable: false, arguments: { 'x-queue-type': 'bogus', 'x-max-length': -1 } }),
    );
    ch = await channel(conn);
    await expectChannelClosed(ch, 406, `PRECONDITION_FAILED - invalid arg 'x-queue-type' for queue '${q}' in vhost '/': {unacceptable_type,bool}`, () =>
      ch.assertQueue(q, { arguments: { 'x-queue-type': true } }),
    );
  });

  test('a redeclare must keep the type: classic and quorum are not equivalent; absent and classic are', async (t) => {
    const n = names(t, broker.url);
    const quorum = n.queue();
    const classic = n.queue();
    const conn = await connect(broker.url, t);
    let ch: Channel = await channel(conn);
    await ch.assertQueue(quorum, { durable: true, arguments: QUORUM });
    await ch.assertQueue(classic, { durable: true });
    await ch.assertQueue(classic, { durable: true, arguments: { 'x-queue-type': 'classic' } });
    await expectChannelClosed(
      ch,
      406,
      `PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue '${quorum}' in vhost '/': received none but current is the value 'quorum' of type 'longstr'`,
      () => ch.assertQueue(quorum, { durable: true }),
    );
    ch = await channel(conn);
    await expectChannelClosed(
      ch,
      406,
      `PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue '${classic}' in vhost '/': received the value 'quorum' of type 'longstr' but current is none`,
      () => ch.assertQueue(classic, { durable: true, arguments: QUORUM }),
    );
  });
});

/** A consumer that nacks (requeue) every delivery, logging body, redelivered and x-delivery-count. */
async function nackEverything(ch: Channel, q: string): Promise<Inbox<[string, boolean, unknown]>> {
  const log = new Inbox<[string, boolean, unknown]>();
  await ch.prefetch(10);
  await ch.consume(q, (m: ConsumeMessage | null) => {
    if (!m) return;
    log.push([m.content.toString(), m.fields.redelivered, m.properties.headers?.['x-delivery-count']]);
    ch.nack(m, false, true);
  });
  return log;
}

describe('the delivery limit', () => {
  test('x-delivery-limit 2: delivered three times (x-delivery-count on redeliveries only), then dead-lettered as delivery_limit', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const dlq = n.queue('dlq');
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(dlq);
    await ch.assertQueue(q, { durable: true, arguments: { ...QUORUM, 'x-delivery-limit': 2, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dlq } });
    ch.sendToQueue(q, Buffer.from('poison'), { headers: { own: 'kept' } });
    const log = await nackEverything(await channel(conn), q);
    assert.deepEqual(await log.take(3), [
      ['poison', false, undefined],
      ['poison', true, 1],
      ['poison', true, 2],
    ]);
    await waitForReady(conn, dlq, 1);
    const [dead] = await drain(ch, dlq);
    const death = (dead.properties.headers!['x-death'] as { reason: string; queue: string }[])[0];
    assert.deepEqual([death.reason, death.queue], ['delivery_limit', q]);
    assert.equal(dead.properties.headers!['x-first-death-reason'], 'delivery_limit');
    assert.equal(dead.properties.headers!.own, 'kept');
    await log.expectNothing();
  });

  test('a channel closing with the message unacked counts as a return too', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { durable: true, arguments: { ...QUORUM, 'x-delivery-limit': 1 } });
    sendAll(ch, q, ['m']);
    await sync(ch);
    for (const expected of [false, true]) {
      const taker = await channel(conn);
      const m = await getOne(taker, q);
      assert.equal(m.fields.redelivered, expected);
      await taker.close();
    }
    await waitForReady(conn, q, 0);
  });

  test('without x-delivery-limit a message is dead-lettered after 20 returns, as in RabbitMQ 4', { skip: EXTERNAL && 'RabbitMQ 3.10 has no default limit' }, async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { durable: true, arguments: QUORUM });
    ch.sendToQueue(q, Buffer.from('poison'));
    const log = await nackEverything(await channel(conn), q);
    const seen = await log.take(21);
    assert.equal(seen.at(-1)![2], 20);
    await log.expectNothing();
    assert.equal((await ch.checkQueue(q)).messageCount, 0);
  });

  test('x-delivery-limit -1 means no limit, as in RabbitMQ 4', { skip: EXTERNAL && 'RabbitMQ 3.10 dead-letters on the first return' }, async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { durable: true, arguments: { ...QUORUM, 'x-delivery-limit': -1 } });
    ch.sendToQueue(q, Buffer.from('again'));
    const log = await nackEverything(await channel(conn), q);
    assert.equal((await log.take(30)).length, 30);
  });
});

describe('length limits on a quorum queue', () => {
  test('reject-publish-dlx is taken and acts as drop-head, as RabbitMQ does', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await confirmChannel(conn);
    await ch.assertQueue(q, { durable: true, arguments: { ...QUORUM, 'x-max-length': 2, 'x-overflow': 'reject-publish-dlx' } });
    for (const body of ['m1', 'm2', 'm3', 'm4']) ch.sendToQueue(q, Buffer.from(body));
    await ch.waitForConfirms();
    assert.deepEqual(bodies(await drain(ch, q)), ['m3', 'm4']);
  });
});

describe('a quorum queue keeps every message on disk', { skip: EXTERNAL && 'needs an embedded Warren to restart' }, () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('a transient message survives a restart; confirms wait for the disk', async () => {
    const { Broker: WarrenBroker } = await import('../src/index.js');
    const dataDir = mkdtempSync(join(tmpdir(), 'warren-quorum-'));
    dirs.push(dataDir);
    let warren: Broker = await WarrenBroker.start({ port: 0, dataDir });
    try {
      const conn = await connect(warren.url);
      const ch = await confirmChannel(conn);
      await ch.assertQueue('orders', { durable: true, arguments: QUORUM });
      ch.sendToQueue('orders', Buffer.from('transient'), { persistent: false });
      await ch.waitForConfirms();
      await conn.close();
    } finally {
      await warren.close();
    }
    warren = await WarrenBroker.start({ port: 0, dataDir });
    try {
      const conn = await connect(warren.url);
      const ch = await channel(conn);
      const back = await getOne(ch, 'orders', { noAck: true });
      assert.equal(back.content.toString(), 'transient');
      await conn.close();
    } finally {
      await warren.close();
    }
  });
});

describe('at-least-once dead-lettering', { skip: EXTERNAL && 'needs the management API of an embedded Warren' }, () => {
  test('a message the dead-letter exchange cannot take stays in its queue (messages_dlx) and moves once it can', async (t) => {
    const { Broker: WarrenBroker } = await import('../src/index.js');
    const warren = await WarrenBroker.start({ port: 0, httpPort: 0 });
    t.after(() => warren.close());
    const conn = await connect(warren.url);
    const ch = await channel(conn);
    await ch.assertQueue('source', {
      durable: true,
      arguments: { ...QUORUM, 'x-overflow': 'reject-publish', 'x-dead-letter-strategy': 'at-least-once', 'x-dead-letter-exchange': 'later.dlx' },
    });
    ch.sendToQueue('source', Buffer.from('keep me'));
    const m = await getOne(ch, 'source');
    ch.nack(m, false, false);
    await sync(ch);
    const auth = { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` };
    const view = await (await fetch(`${warren.httpUrl}/api/queues/%2F/source`, { headers: auth })).json();
    assert.deepEqual([view.messages_dlx, view.message_bytes_dlx, view.messages_ready], [1, 7, 0]);
    await ch.assertExchange('later.dlx', 'fanout');
    await ch.assertQueue('dead', { durable: true });
    await ch.bindQueue('dead', 'later.dlx', '');
    await waitForReady(conn, 'dead', 1, 8000);
    const after = await (await fetch(`${warren.httpUrl}/api/queues/%2F/source`, { headers: auth })).json();
    assert.equal(after.messages_dlx, 0);
    await conn.close();
  });
});

describe('the default queue type of a vhost', { skip: EXTERNAL && 'needs an embedded Warren to make the vhost' }, () => {
  test('durable declarations without x-queue-type become quorum queues; exclusive, auto-delete and transient ones stay classic', async (t) => {
    const { Broker: WarrenBroker } = await import('../src/index.js');
    const warren = await WarrenBroker.start({ port: 0 });
    t.after(() => warren.close());
    warren.control.vhosts.put('qq', { defaultQueueType: 'quorum' }, 'guest');
    const url = new URL(warren.url);
    url.pathname = '/qq';
    const conn = await connect(url.toString());
    let ch = await channel(conn);
    await ch.assertQueue('orders', { durable: true });
    await ch.assertQueue('scratch', { durable: false });
    await ch.assertQueue('mine', { exclusive: true });
    const queues = warren.control.queues.listIn('qq');
    const types = Object.fromEntries(queues.map((q) => [q.name, [q.type, q.arguments]]));
    assert.deepEqual(types, {
      orders: ['quorum', { 'x-queue-type': 'quorum' }],
      scratch: ['classic', {}],
      mine: ['classic', {}],
    });
    await ch.assertQueue('orders', { durable: true });
    await expectChannelClosed(ch, 406, 'PRECONDITION_FAILED - Cannot declare a server-named queue for type rabbit_quorum_queue', () =>
      ch.assertQueue('', { durable: true }),
    );
    ch = await channel(conn);
    assert.match((await ch.assertQueue('', { durable: true, exclusive: true })).queue, /^amq\.gen-/);
    await conn.close();
  });
});
