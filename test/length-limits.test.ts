// Queue length limits: x-max-length, x-max-length-bytes and x-overflow (drop-head,
// reject-publish, reject-publish-dlx), as RabbitMQ 3.10.8 applies them: on ready
// messages only, on body bytes only, with confirms, dead-lettering, requeues and
// several queues per publish. Every case was first run against RabbitMQ 3.10.8.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Channel, ConfirmChannel, Message } from 'amqplib';
import { startBroker, type TestBroker } from './support/broker.js';
import {
  bodies,
  channel,
  confirmChannel,
  connect,
  consume,
  drain,
  expectChannelClosed,
  get,
  getOne,
  names,
  returns,
  sync,
  waitForReady,
} from './support/amqp.js';

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.close();
});

/** Publishes and waits for the confirm: 'ack' or 'nack'. */
function publish(ch: ConfirmChannel, exchange: string, key: string, body: string, options = {}): Promise<'ack' | 'nack'> {
  return new Promise((resolve) => ch.publish(exchange, key, Buffer.from(body), options, (err) => resolve(err ? 'nack' : 'ack')));
}

async function publishAll(ch: ConfirmChannel, queue: string, list: string[], options = {}): Promise<string[]> {
  const outcomes: string[] = [];
  for (const body of list) outcomes.push(await publish(ch, '', queue, body, options));
  return outcomes;
}

function reasonOf(m: Message): string {
  return (m.properties.headers?.['x-death'] as { reason: string }[])[0].reason;
}

describe('x-max-length with each overflow mode', () => {
  const cases = [
    { overflow: undefined, confirms: ['ack', 'ack', 'ack', 'ack'], kept: ['m3', 'm4'], dead: ['m1', 'm2'] },
    { overflow: 'drop-head', confirms: ['ack', 'ack', 'ack', 'ack'], kept: ['m3', 'm4'], dead: ['m1', 'm2'] },
    { overflow: 'reject-publish', confirms: ['ack', 'ack', 'nack', 'nack'], kept: ['m1', 'm2'], dead: [] },
    { overflow: 'reject-publish-dlx', confirms: ['ack', 'ack', 'nack', 'nack'], kept: ['m1', 'm2'], dead: ['m3', 'm4'] },
  ];
  for (const { overflow, confirms, kept, dead } of cases) {
    test(`${overflow ?? 'no x-overflow (drop-head)'}: confirms ${confirms.join(' ')}, keeps ${kept.join(' ')}, dead-letters ${dead.join(' ') || 'nothing'}`, async (t) => {
      const n = names(t, broker.url);
      const q = n.queue();
      const dlq = n.queue('dlq');
      const conn = await connect(broker.url, t);
      const ch = await confirmChannel(conn);
      await ch.assertQueue(dlq);
      const args: Record<string, unknown> = { 'x-max-length': 2, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dlq };
      if (overflow) args['x-overflow'] = overflow;
      await ch.assertQueue(q, { arguments: args });
      const returned = returns(ch);
      assert.deepEqual(await publishAll(ch, q, ['m1', 'm2', 'm3', 'm4'], { mandatory: true }), confirms);
      const plain = await channel(conn);
      assert.deepEqual(bodies(await drain(plain, q)), kept);
      await waitForReady(conn, dlq, dead.length);
      const deadLettered = await drain(plain, dlq);
      assert.deepEqual(bodies(deadLettered), dead);
      for (const m of deadLettered) assert.equal(reasonOf(m), 'maxlen');
      // A message a full queue refused was routed: no basic.return, even when mandatory.
      await returned.expectNothing();
    });
  }

  test('without confirms a refused publish is dropped and the channel stays open', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q, { arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    for (const body of ['a', 'b', 'c']) ch.sendToQueue(q, Buffer.from(body));
    await sync(ch);
    assert.deepEqual(bodies(await drain(ch, q)), ['a']);
  });

  test('x-max-length 0: drop-head still hands a message to a waiting consumer; reject-publish refuses it anyway', async (t) => {
    const n = names(t, broker.url);
    const dropping = n.queue();
    const refusing = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await confirmChannel(conn);
    await ch.assertQueue(dropping, { arguments: { 'x-max-length': 0 } });
    await ch.assertQueue(refusing, { arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' } });
    assert.deepEqual(await publishAll(ch, dropping, ['gone']), ['ack']);
    assert.equal((await ch.checkQueue(dropping)).messageCount, 0);
    const consumer = await channel(conn);
    const { inbox } = await consume(consumer, dropping, { noAck: true });
    const refusedConsumer = await consume(consumer, refusing, { noAck: true });
    assert.deepEqual(await publishAll(ch, dropping, ['delivered']), ['ack']);
    assert.deepEqual(bodies(await inbox.take(1)), ['delivered']);
    assert.deepEqual(await publishAll(ch, refusing, ['refused']), ['nack']);
    await refusedConsumer.inbox.expectNothing();
  });

  test('unacked messages do not count: only ready ones', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await confirmChannel(conn);
    await ch.assertQueue(q, { arguments: { 'x-max-length': 2, 'x-overflow': 'reject-publish' } });
    assert.deepEqual(await publishAll(ch, q, ['m1', 'm2']), ['ack', 'ack']);
    const taker = await channel(conn);
    const held = [await get(taker, q), await get(taker, q)];
    assert.ok(held.every(Boolean));
    assert.deepEqual(await publishAll(ch, q, ['m3', 'm4', 'm5']), ['ack', 'ack', 'nack']);
  });

  test('a publish to several queues is nacked if any refused it, and the others still deliver it', async (t) => {
    const n = names(t, broker.url);
    const full = n.queue('full');
    const free = n.queue('free');
    const x = n.exchange();
    const conn = await connect(broker.url, t);
    const ch = await confirmChannel(conn);
    await ch.assertExchange(x, 'fanout', { autoDelete: false });
    await ch.assertQueue(full, { arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    await ch.assertQueue(free);
    await ch.bindQueue(full, x, '');
    await ch.bindQueue(free, x, '');
    const outcomes = [await publish(ch, x, '', 'f1'), await publish(ch, x, '', 'f2'), await publish(ch, x, '', 'f3')];
    assert.deepEqual(outcomes, ['ack', 'nack', 'nack']);
    assert.deepEqual(bodies(await drain(ch, full)), ['f1']);
    assert.deepEqual(bodies(await drain(ch, free)), ['f1', 'f2', 'f3']);
  });
});

describe('x-max-length-bytes counts body bytes only', () => {
  test('headers do not count; drop-head keeps the newest that fit', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await confirmChannel(conn);
    await ch.assertQueue(q, { arguments: { 'x-max-length-bytes': 10 } });
    const headers = { big: 'h'.repeat(300) };
    await publishAll(ch, q, ['aaaa', 'bbbb', 'cccc'], { headers });
    assert.deepEqual(bodies(await drain(ch, q)), ['bbbb', 'cccc']);
  });

  test('reject-publish: the limit is inclusive (5 + 5 into 10 fit), a 1-byte body past it is refused, an empty one is not', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await confirmChannel(conn);
    await ch.assertQueue(q, { arguments: { 'x-max-length-bytes': 10, 'x-overflow': 'reject-publish' } });
    assert.deepEqual(await publishAll(ch, q, ['12345', '67890', 'x', '']), ['ack', 'ack', 'nack', 'ack']);
  });

  test('a body bigger than the limit drops everything, itself included', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await confirmChannel(conn);
    await ch.assertQueue(q, { arguments: { 'x-max-length-bytes': 10 } });
    await publishAll(ch, q, ['1234', '12345678901']);
    assert.equal((await ch.checkQueue(q)).messageCount, 0);
  });

  test('with both limits, drop-head drops until both hold', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await confirmChannel(conn);
    await ch.assertQueue(q, { arguments: { 'x-max-length': 3, 'x-max-length-bytes': 6 } });
    await publishAll(ch, q, ['aa', 'bb', 'cc', 'dd', 'e', 'f']);
    assert.deepEqual(bodies(await drain(ch, q)), ['dd', 'e', 'f']);
  });
});

describe('requeued messages and length limits', () => {
  test('drop-head: messages requeued into a full queue go back to the head and are the ones dropped', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const dlq = n.queue('dlq');
    const conn = await connect(broker.url, t);
    const ch = await confirmChannel(conn);
    await ch.assertQueue(dlq);
    await ch.assertQueue(q, { arguments: { 'x-max-length': 2, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dlq } });
    await publishAll(ch, q, ['m1', 'm2']);
    const taker = await channel(conn);
    const m1 = (await getOne(taker, q));
    const m2 = (await getOne(taker, q));
    await publishAll(ch, q, ['m3', 'm4']);
    taker.nack(m1, false, true);
    taker.nack(m2, false, true);
    await sync(taker);
    assert.deepEqual(await publishAll(ch, q, ['m5']), ['ack']);
    assert.deepEqual(bodies(await drain(ch, q)), ['m4', 'm5']);
    await waitForReady(conn, dlq, 3);
    assert.deepEqual(bodies(await drain(ch, dlq)), ['m1', 'm2', 'm3']);
  });

  test('reject-publish: a requeue is never refused, so the queue may exceed its limit; publishes are refused until it is back under', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    const ch = await confirmChannel(conn);
    await ch.assertQueue(q, { arguments: { 'x-max-length': 2, 'x-overflow': 'reject-publish' } });
    await publishAll(ch, q, ['m1', 'm2']);
    const taker = await channel(conn);
    const taken = [(await getOne(taker, q)), (await getOne(taker, q))];
    await publishAll(ch, q, ['m3', 'm4']);
    await taker.close(); // both come back
    await waitForReady(conn, q, 4);
    assert.deepEqual(await publishAll(ch, q, ['m5']), ['nack']);
    const back = await drain(ch, q);
    assert.deepEqual(bodies(back), ['m1', 'm2', 'm3', 'm4']);
    assert.deepEqual(back.map((m) => m.fields.redelivered), [true, true, false, false]);
    assert.equal(taken.length, 2);
  });
});

describe('argument validation and equivalence', () => {
  const invalid: [Record<string, unknown>, string][] = [
    [{ 'x-max-length': -1 }, "invalid arg 'x-max-length' for queue '<q>' in vhost '/': {value_negative,-1}"],
    [{ 'x-max-length': '10' }, `invalid arg 'x-max-length' for queue '<q>' in vhost '/': "expected integer, got longstr"`],
    [{ 'x-max-length': true }, `invalid arg 'x-max-length' for queue '<q>' in vhost '/': "expected integer, got bool"`],
    [{ 'x-max-length': 1.5 }, `invalid arg 'x-max-length' for queue '<q>' in vhost '/': "expected integer, got double"`],
    [{ 'x-max-length-bytes': -1 }, "invalid arg 'x-max-length-bytes' for queue '<q>' in vhost '/': {value_negative,-1}"],
    [{ 'x-overflow': 'bogus' }, "invalid arg 'x-overflow' for queue '<q>' in vhost '/': invalid_overflow"],
    [{ 'x-overflow': 'Drop-Head' }, "invalid arg 'x-overflow' for queue '<q>' in vhost '/': invalid_overflow"],
    [{ 'x-overflow': 1 }, "invalid arg 'x-overflow' for queue '<q>' in vhost '/': {unacceptable_type,byte}"],
    // Validators run in RabbitMQ's fixed order, not the table's.
    [{ 'x-overflow': 'bogus', 'x-max-length': -1, 'x-max-length-bytes': 'z' }, "invalid arg 'x-max-length' for queue '<q>' in vhost '/': {value_negative,-1}"],
  ];
  for (const [args, text] of invalid) {
    test(`${JSON.stringify(args)} → 406 ${text}`, async (t) => {
      const q = names(t, broker.url).queue();
      const conn = await connect(broker.url, t);
      const ch = await channel(conn);
      const close = await expectChannelClosed(ch, 406, `PRECONDITION_FAILED - ${text.replace('<q>', q)}`, () => ch.assertQueue(q, { arguments: args }));
      assert.equal(close.text, `PRECONDITION_FAILED - ${text.replace('<q>', q)}`);
      assert.deepEqual([close.classId, close.methodId], [50, 10]);
    });
  }

  test('a redeclare compares the limits (not revalidating them)', async (t) => {
    const q = names(t, broker.url).queue();
    const conn = await connect(broker.url, t);
    let ch: Channel = await channel(conn);
    await ch.assertQueue(q, { arguments: { 'x-max-length': 3 } });
    await ch.assertQueue(q, { arguments: { 'x-max-length': 3 } });
    const resource = `queue '${q}' in vhost '/'`;
    await expectChannelClosed(ch, 406, `PRECONDITION_FAILED - inequivalent arg 'x-max-length' for ${resource}: received '4' but current is '3'`, () =>
      ch.assertQueue(q, { arguments: { 'x-max-length': 4 } }),
    );
    ch = await channel(conn);
    await expectChannelClosed(
      ch,
      406,
      `PRECONDITION_FAILED - inequivalent arg 'x-max-length' for ${resource}: received none but current is the value '3' of type 'byte'`,
      () => ch.assertQueue(q),
    );
    ch = await channel(conn);
    await expectChannelClosed(
      ch,
      406,
      `PRECONDITION_FAILED - inequivalent arg 'x-overflow' for ${resource}: received the value 'drop-head' of type 'longstr' but current is none`,
      () => ch.assertQueue(q, { arguments: { 'x-max-length': 3, 'x-overflow': 'drop-head' } }),
    );
  });
});
