// Direct and fanout exchanges.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type TestBroker } from './support/broker.js';
import { channel, connect, names, routeAndCollect } from './support/amqp.js';

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.close();
});

describe('direct exchange', () => {
  test('a queue bound with several keys receives each of them; other keys are dropped', async (t) => {
    const n = names(t, broker.url);
    const [x, q] = [n.exchange(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'direct');
    await ch.assertQueue(q);
    await ch.bindQueue(q, x, 'red');
    await ch.bindQueue(q, x, 'green');
    const [got] = await routeAndCollect(ch, x, [{ key: 'red' }, { key: 'blue' }, { key: 'green' }, { key: 'RED' }], [q]);
    assert.deepEqual(got, ['red', 'green']);
  });

  test('two queues bound with the same key each get a copy', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const [q1, q2, q3] = [n.queue(), n.queue(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'direct');
    for (const q of [q1, q2, q3]) await ch.assertQueue(q);
    await ch.bindQueue(q1, x, 'k');
    await ch.bindQueue(q2, x, 'k');
    await ch.bindQueue(q3, x, 'other');
    assert.deepEqual(await routeAndCollect(ch, x, [{ key: 'k' }], [q1, q2, q3]), [['k'], ['k'], []]);
  });

  test('a duplicate binding delivers one copy; so do bindings differing only in arguments', async (t) => {
    const n = names(t, broker.url);
    const [x, q] = [n.exchange(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'direct');
    await ch.assertQueue(q);
    await ch.bindQueue(q, x, 'k');
    await ch.bindQueue(q, x, 'k');
    await ch.bindQueue(q, x, 'k', { 'x-extra': 1 });
    assert.deepEqual(await routeAndCollect(ch, x, [{ key: 'k' }], [q]), [['k']]);
    // The argument-less binding and the one with arguments are distinct: removing one keeps routing.
    await ch.unbindQueue(q, x, 'k');
    assert.deepEqual(await routeAndCollect(ch, x, [{ key: 'k' }], [q]), [['k']]);
    await ch.unbindQueue(q, x, 'k', { 'x-extra': 1 });
    assert.deepEqual(await routeAndCollect(ch, x, [{ key: 'k' }], [q]), [[]]);
  });

  test('the empty routing key is a key like any other', async (t) => {
    const n = names(t, broker.url);
    const [x, q] = [n.exchange(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'direct');
    await ch.assertQueue(q);
    await ch.bindQueue(q, x, '');
    assert.deepEqual(
      await routeAndCollect(ch, x, [{ key: '', body: 'empty' }, { key: 'k', body: 'k' }], [q]),
      [['empty']],
    );
  });

  test('amq.direct routes by key', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const key = n.queue('key');
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q);
    await ch.bindQueue(q, 'amq.direct', key);
    assert.deepEqual(await routeAndCollect(ch, 'amq.direct', [{ key, body: 'hit' }], [q]), [['hit']]);
    await ch.unbindQueue(q, 'amq.direct', key);
  });
});

describe('fanout exchange', () => {
  test('every bound queue gets a copy whatever the routing key (binding key ignored)', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const [q1, q2] = [n.queue(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'fanout');
    await ch.assertQueue(q1);
    await ch.assertQueue(q2);
    await ch.bindQueue(q1, x, 'ignored');
    await ch.bindQueue(q2, x, '');
    const got = await routeAndCollect(ch, x, [{ key: '' }, { key: 'anything' }, { key: 'ignored' }], [q1, q2]);
    assert.deepEqual(got, [
      ['', 'anything', 'ignored'],
      ['', 'anything', 'ignored'],
    ]);
  });

  test('a queue bound twice with different keys still gets one copy', async (t) => {
    const n = names(t, broker.url);
    const [x, q] = [n.exchange(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'fanout');
    await ch.assertQueue(q);
    await ch.bindQueue(q, x, 'a');
    await ch.bindQueue(q, x, 'b');
    assert.deepEqual(await routeAndCollect(ch, x, [{ key: 'z' }], [q]), [['z']]);
  });

  test('with no bindings nothing is routed', async (t) => {
    const n = names(t, broker.url);
    const [x, q] = [n.exchange(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'fanout');
    await ch.assertQueue(q);
    assert.deepEqual(await routeAndCollect(ch, x, [{ key: 'z' }], [q]), [[]]);
  });
});
