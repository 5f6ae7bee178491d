// The consumer (delivery acknowledgement) timeout: a delivery left unacknowledged too
// long closes its channel with RabbitMQ's 406 and exact text, the channel's unacked
// messages going back to their queues (RabbitMQ 3.10.8, measured with consumer_timeout
// set in its config); the per-queue x-consumer-timeout argument and consumer-timeout
// policy key and the per-consumer argument of RabbitMQ 3.12+/4.3; and Warren's opt-in
// mode that cancels only the late consumer. Warren only: RabbitMQ needs a config file.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Broker } from '../src/index.js';
import { channel, connect, consume, delay, expectChannelClosed, getOne, isChannelClosed, sendAll, sync, waitForReady } from './support/amqp.js';

const EXTERNAL = process.env.WARREN_TEST_URL !== undefined;

async function start(options: Record<string, unknown>): Promise<Broker> {
  const { Broker: WarrenBroker } = await import('../src/index.js');
  return WarrenBroker.start({ port: 0, ...options });
}

const timedOut = (channelId: number, ms: number) =>
  `PRECONDITION_FAILED - delivery acknowledgement on channel ${channelId} timed out. Timeout value used: ${ms} ms. ` +
  'This timeout value can be configured, see consumers doc guide to learn more';

describe('consumer timeout: the channel closes (RabbitMQ)', { skip: EXTERNAL && 'needs an embedded Warren' }, () => {
  let broker: Broker;
  before(async () => {
    broker = await start({ consumerTimeoutMs: 300 });
  });
  after(() => broker.close());

  test("an unacked delivery past the timeout closes its channel with RabbitMQ's text; its messages come back redelivered", async (t) => {
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    sendAll(ch, q, ['a', 'b']);
    const consumer = await channel(conn);
    const { inbox } = await consume(consumer, q);
    await inbox.take(2);
    const started = Date.now();
    const close = await expectChannelClosed(consumer, 406, timedOut(2, 300), () => delay(1));
    assert.ok(Date.now() - started < 1500, 'within the timeout and one check');
    assert.equal(close.text, timedOut(2, 300));
    assert.deepEqual([close.classId, close.methodId], [0, 0]);
    await waitForReady(conn, q, 2);
    const again = [await getOne(ch, q, { noAck: true }), await getOne(ch, q, { noAck: true })];
    assert.deepEqual(again.map((m) => [m.content.toString(), m.fields.redelivered]), [['a', true], ['b', true]]);
  });

  test('basic.get with manual ack is covered too; acking in time keeps the channel', async (t) => {
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    sendAll(ch, q, ['kept', 'late']);
    const prompt = await channel(conn);
    const first = await getOne(prompt, q);
    prompt.ack(first);
    await delay(500);
    assert.equal(isChannelClosed(prompt), false);
    await getOne(prompt, q);
    await expectChannelClosed(prompt, 406, timedOut(2, 300), () => delay(1));
  });
});

describe('consumer timeout per queue and per consumer (RabbitMQ 3.12+ and 4.3)', { skip: EXTERNAL && 'needs an embedded Warren' }, () => {
  let broker: Broker;
  before(async () => {
    broker = await start({ httpPort: 0 });
  });
  after(() => broker.close());

  test('x-consumer-timeout on the queue sets it below the broker default', async (t) => {
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    const q = (await ch.assertQueue('', { exclusive: true, arguments: { 'x-consumer-timeout': 250 } })).queue;
    sendAll(ch, q, ['x']);
    await getOne(ch, q);
    await expectChannelClosed(ch, 406, timedOut(1, 250), () => delay(1));
  });

  test('the consumer-timeout policy key applies, and with the argument the lower wins', async (t) => {
    const auth = { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}`, 'content-type': 'application/json' };
    const put = await fetch(`${broker.httpUrl}/api/policies/%2F/timeouts`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({ pattern: '^timeout\\.', definition: { 'consumer-timeout': 400 }, 'apply-to': 'queues' }),
    });
    assert.equal(put.status, 201);
    t.after(() => fetch(`${broker.httpUrl}/api/policies/%2F/timeouts`, { method: 'DELETE', headers: auth }).then(() => undefined));
    const conn = await connect(broker.url, t);
    for (const [name, args, expected] of [['timeout.policy', {}, 400], ['timeout.both', { 'x-consumer-timeout': 10_000 }, 400], ['timeout.arg', { 'x-consumer-timeout': 200 }, 200]] as const) {
      const ch = await channel(conn);
      await ch.assertQueue(name, { exclusive: true, arguments: args });
      sendAll(ch, name, ['x']);
      await getOne(ch, name);
      const close = await expectChannelClosed(ch, 406, 'PRECONDITION_FAILED - delivery acknowledgement', () => delay(1));
      const channelId = Number(/on channel (\d+) timed out/.exec(close.text)![1]);
      assert.equal(close.text, timedOut(channelId, expected), name);
    }
  });

  test("a consumer's own x-consumer-timeout always wins", async (t) => {
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    const q = (await ch.assertQueue('', { exclusive: true, arguments: { 'x-consumer-timeout': 60_000 } })).queue;
    sendAll(ch, q, ['x']);
    const { inbox } = await consume(ch, q, { arguments: { 'x-consumer-timeout': 200 } });
    await inbox.take(1);
    await expectChannelClosed(ch, 406, timedOut(1, 200), () => delay(1));
  });

  test('x-consumer-timeout must be a non-negative integer, on the queue and on the consumer', async (t) => {
    const conn = await connect(broker.url, t);
    let ch = await channel(conn);
    await expectChannelClosed(ch, 406, "PRECONDITION_FAILED - invalid arg 'x-consumer-timeout' for queue 'bad.timeout' in vhost '/': {value_negative,-1}", () =>
      ch.assertQueue('bad.timeout', { exclusive: true, arguments: { 'x-consumer-timeout': -1 } }),
    );
    ch = await channel(conn);
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    await expectChannelClosed(ch, 406, `PRECONDITION_FAILED - invalid arg 'x-consumer-timeout' for queue '${q}' in vhost '/': "expected integer, got longstr"`, () =>
      ch.consume(q, () => {}, { arguments: { 'x-consumer-timeout': 'soon' } }),
    );
  });
});

describe("consumer timeout, cancel-consumer mode (Warren's; RabbitMQ 4.3 does this for quorum queues)", { skip: EXTERNAL && 'needs an embedded Warren' }, () => {
  let broker: Broker;
  before(async () => {
    broker = await start({ consumerTimeoutMs: 300, consumerTimeoutMode: 'cancel-consumer' });
  });
  after(() => broker.close());

  test('only the late consumer is cancelled (basic.cancel); its messages go back; the channel and its other consumers stay; a late ack is ignored', async (t) => {
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    const slow = (await ch.assertQueue('', { exclusive: true })).queue;
    const fast = (await ch.assertQueue('', { exclusive: true })).queue;
    sendAll(ch, slow, ['s1', 's2']);
    const consumer = await channel(conn);
    const slowInbox = (await consume(consumer, slow)).inbox;
    const fastInbox = (await consume(consumer, fast)).inbox;
    const held = await slowInbox.take(2);
    assert.equal(await slowInbox.next(1500), null, 'basic.cancel from the server');
    assert.equal(isChannelClosed(consumer), false);
    await waitForReady(conn, slow, 2);
    consumer.ack(held[0]!);
    await sync(consumer);
    assert.equal(isChannelClosed(consumer), false, 'an ack of a message given back is ignored, not a 406');
    sendAll(ch, fast, ['f1']);
    const [f1] = await fastInbox.take(1);
    consumer.ack(f1!);
    const back = await getOne(ch, slow, { noAck: true });
    assert.deepEqual([back.content.toString(), back.fields.redelivered], ['s1', true]);
  });
});

describe('consumerTimeoutMs 0: no timeout', { skip: EXTERNAL && 'needs an embedded Warren' }, () => {
  test('a delivery may stay unacked as long as the consumer likes', async (t) => {
    const broker = await start({ consumerTimeoutMs: 0 });
    t.after(() => broker.close());
    const conn = await connect(broker.url);
    const ch = await channel(conn);
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    sendAll(ch, q, ['x']);
    await getOne(ch, q);
    await delay(600);
    assert.equal(isChannelClosed(ch), false);
    await conn.close();
  });
});
