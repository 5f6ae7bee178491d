// Publisher confirms: confirm.select, acks for every publish, delivery
// tags, and the ordering of basic.return before basic.ack.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type TestBroker } from './support/broker.js';
import {
  Inbox,
  channel,
  confirmChannel,
  connect,
  expectChannelClosed,
  get,
  names,
  raw,
  sync,
  within,
} from './support/amqp.js';

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.close();
});

type AckEvent = { kind: 'ack' | 'nack' | 'return'; deliveryTag?: number; multiple?: boolean };

/** Records ack / nack / return events on a channel, in arrival order. */
function recordEvents(ch: import('amqplib').Channel): Inbox<AckEvent> {
  const events = new Inbox<AckEvent>();
  ch.on('ack', (f: { deliveryTag: number; multiple: boolean }) => events.push({ kind: 'ack', ...f }));
  ch.on('nack', (f: { deliveryTag: number; multiple: boolean }) => events.push({ kind: 'nack', ...f }));
  ch.on('return', () => events.push({ kind: 'return' }));
  return events;
}

/** Publishes and resolves with the confirm callback's error (null = ack). */
function publishConfirmed(
  ch: import('amqplib').ConfirmChannel,
  exchange: string,
  key: string,
  body: string,
  options: import('amqplib').Options.Publish = {},
): Promise<unknown> {
  return within(
    new Promise((resolve) => ch.publish(exchange, key, Buffer.from(body), options, (err) => resolve(err))),
    3000,
    'publisher confirm',
  );
}

describe('publisher confirms', () => {
  test('every publish is acked; delivery tags count up from 1 per channel', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await confirmChannel(conn);
    await ch.assertQueue(q);
    const events = recordEvents(ch);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => publishConfirmed(ch, '', q, `m${i}`)),
    );
    assert.ok(results.every((r) => r === null), 'every publish acked');
    const acks = events.peekAll();
    assert.ok(acks.every((e) => e.kind === 'ack'));
    // Tags strictly increase and the last one covers publish #50 (acks may use multiple=true).
    for (let i = 1; i < acks.length; i++) assert.ok(acks[i].deliveryTag! > acks[i - 1].deliveryTag!);
    assert.equal(acks[acks.length - 1].deliveryTag, 50);
    assert.equal((await ch.checkQueue(q)).messageCount, 50);
  });

  test('each confirm channel numbers its own publishes from 1', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const a = await confirmChannel(conn);
    const b = await confirmChannel(conn);
    await a.assertQueue(q);
    const ea = recordEvents(a);
    const eb = recordEvents(b);
    await publishConfirmed(a, '', q, 'a1');
    await publishConfirmed(a, '', q, 'a2');
    await publishConfirmed(b, '', q, 'b1');
    assert.deepEqual(ea.peekAll().map((e) => e.deliveryTag), [1, 2]);
    assert.deepEqual(eb.peekAll().map((e) => e.deliveryTag), [1]);
  });

  test('mandatory + unroutable → basic.return first, then basic.ack (not nack)', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const ch = await confirmChannel(await connect(broker.url, t));
    await ch.assertExchange(x, 'direct');
    const events = recordEvents(ch);
    const err = await publishConfirmed(ch, x, 'nowhere', 'lost', { mandatory: true });
    assert.equal(err, null);
    assert.deepEqual(events.peekAll(), [{ kind: 'return' }, { kind: 'ack', deliveryTag: 1, multiple: false }]);
  });

  test('non-mandatory + unroutable → acked', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const ch = await confirmChannel(await connect(broker.url, t));
    await ch.assertExchange(x, 'fanout');
    const events = recordEvents(ch);
    assert.equal(await publishConfirmed(ch, x, '', 'dropped'), null);
    assert.deepEqual(events.peekAll(), [{ kind: 'ack', deliveryTag: 1, multiple: false }]);
  });

  test('waitForConfirms resolves once everything is confirmed', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await confirmChannel(await connect(broker.url, t));
    await ch.assertQueue(q, { durable: true });
    for (let i = 0; i < 20; i++) ch.sendToQueue(q, Buffer.from(`p${i}`), { persistent: true });
    await within(ch.waitForConfirms(), 3000, 'waitForConfirms');
    assert.equal((await ch.checkQueue(q)).messageCount, 20);
  });

  test('publishing to a missing exchange in confirm mode closes the channel with 404', async (t) => {
    const n = names(t, broker.url);
    const ch = await confirmChannel(await connect(broker.url, t));
    const x = n.exchange();
    await expectChannelClosed(ch, 404, `NOT_FOUND - no exchange '${x}' in vhost '/'`, () =>
      ch.publish(x, 'k', Buffer.from('x'), {}, () => {}));
  });

  test('confirm.select on a transactional channel → 406 PRECONDITION_FAILED', async (t) => {
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await raw.txSelect(ch);
    await expectChannelClosed(ch, 406, 'PRECONDITION_FAILED - cannot switch from tx to confirm mode', () =>
      raw.confirmSelect(ch));
  });

  test('tx.select on a confirm channel → 406 PRECONDITION_FAILED', async (t) => {
    const ch = await confirmChannel(await connect(broker.url, t));
    await expectChannelClosed(ch, 406, 'PRECONDITION_FAILED - cannot switch from confirm to tx mode', () => raw.txSelect(ch));
  });

  test('confirm.select twice is fine', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const ch = await confirmChannel(await connect(broker.url, t));
    await raw.confirmSelect(ch);
    await ch.assertQueue(q);
    assert.equal(await publishConfirmed(ch, '', q, 'x'), null);
    await sync(ch);
    assert.ok(await get(ch, q, { noAck: true }));
  });
});
