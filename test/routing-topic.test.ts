// Topic exchange matching: `*` is exactly one word, `#` zero or more words,
// words are separated by dots (so "" has zero words, "a..b" has three and
// "a." has two, the second empty — `*` matches an empty word).

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

// Every routing key tried against every pattern.
const KEYS = ['', 'a', 'b', 'a.b', 'a.c', 'b.a', 'x.a', 'x.y.a', 'a.x.b', 'a.x.y.b', 'a.b.c', 'a..b', 'a.', '.a', 'ab', 'a.b.b', '.'];

// pattern → the keys (from KEYS) that must match; all others must not.
const CASES: Array<[string, string[]]> = [
  ['a.b', ['a.b']],
  ['a', ['a']],
  ['', ['']],
  ['*', ['a', 'b', 'ab']],
  ['a.*', ['a.b', 'a.c', 'a.']],
  ['*.a', ['b.a', 'x.a', '.a']],
  ['*.*', ['a.b', 'a.c', 'b.a', 'x.a', 'a.', '.a', '.']],
  ['a.*.b', ['a.x.b', 'a..b', 'a.b.b']],
  ['#', KEYS],
  ['#.#', KEYS],
  ['#.a', ['a', 'b.a', 'x.a', 'x.y.a', '.a']],
  ['a.#', ['a', 'a.b', 'a.c', 'a.x.b', 'a.x.y.b', 'a.b.c', 'a..b', 'a.', 'a.b.b']],
  ['a.#.b', ['a.b', 'a.x.b', 'a.x.y.b', 'a..b', 'a.b.b']],
  ['#.b', ['b', 'a.b', 'a.x.b', 'a.x.y.b', 'a..b', 'a.b.b']],
  ['*.#', KEYS.filter((k) => k !== '')],
  ['#.*', KEYS.filter((k) => k !== '')],
  ['a.*.#', ['a.b', 'a.c', 'a.x.b', 'a.x.y.b', 'a.b.c', 'a..b', 'a.', 'a.b.b']],
];

describe('topic exchange matching', () => {
  for (const [pattern, matches] of CASES) {
    test(`pattern ${JSON.stringify(pattern)} matches exactly ${JSON.stringify(matches)}`, async (t) => {
      const n = names(t, broker.url);
      const [x, q] = [n.exchange(), n.queue()];
      const ch = await channel(await connect(broker.url, t));
      await ch.assertExchange(x, 'topic', { autoDelete: false });
      await ch.assertQueue(q);
      await ch.bindQueue(q, x, pattern);
      // Body is the key wrapped in brackets so the empty key is visible.
      const [got] = await routeAndCollect(ch, x, KEYS.map((k) => ({ key: k, body: `[${k}]` })), [q]);
      assert.deepEqual(got, KEYS.filter((k) => matches.includes(k)).map((k) => `[${k}]`));
    });
  }
});

describe('topic exchange delivery', () => {
  test('a queue bound by two matching patterns gets one copy', async (t) => {
    const n = names(t, broker.url);
    const [x, q] = [n.exchange(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'topic');
    await ch.assertQueue(q);
    await ch.bindQueue(q, x, 'a.*');
    await ch.bindQueue(q, x, '#');
    await ch.bindQueue(q, x, 'a.b');
    const [got] = await routeAndCollect(ch, x, [{ key: 'a.b' }, { key: 'z' }], [q]);
    assert.deepEqual(got, ['a.b', 'z']);
  });

  test('several queues with overlapping patterns each get their own copy', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const [q1, q2, q3] = [n.queue(), n.queue(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'topic');
    for (const q of [q1, q2, q3]) await ch.assertQueue(q);
    await ch.bindQueue(q1, x, 'stock.*.nyse');
    await ch.bindQueue(q2, x, 'stock.#');
    await ch.bindQueue(q3, x, '*.ibm.*');
    const got = await routeAndCollect(
      ch,
      x,
      [{ key: 'stock.ibm.nyse' }, { key: 'stock.msft.nasdaq' }, { key: 'bond.ibm.x' }, { key: 'stock' }],
      [q1, q2, q3],
    );
    assert.deepEqual(got, [
      ['stock.ibm.nyse'],
      ['stock.ibm.nyse', 'stock.msft.nasdaq', 'stock'],
      ['stock.ibm.nyse', 'bond.ibm.x'],
    ]);
  });

  test('unbinding one of two patterns keeps the other working', async (t) => {
    const n = names(t, broker.url);
    const [x, q] = [n.exchange(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'topic');
    await ch.assertQueue(q);
    await ch.bindQueue(q, x, 'a.*');
    await ch.bindQueue(q, x, '*.b');
    await ch.unbindQueue(q, x, 'a.*');
    const [got] = await routeAndCollect(ch, x, [{ key: 'a.b' }, { key: 'a.c' }, { key: 'z.b' }], [q]);
    assert.deepEqual(got, ['a.b', 'z.b']);
  });

  test('the delivered routing key is the published one', async (t) => {
    const n = names(t, broker.url);
    const [x, q] = [n.exchange(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'topic');
    await ch.assertQueue(q);
    await ch.bindQueue(q, x, '#');
    ch.publish(x, 'some.key', Buffer.from('m'));
    const m = await ch.get(q, { noAck: true });
    assert.ok(m);
    assert.equal(m.fields.routingKey, 'some.key');
    assert.equal(m.fields.exchange, x);
  });
});
