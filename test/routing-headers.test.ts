// Headers exchange matching (x-match all / any / all-with-x / any-with-x),
// value types, void values and the routing key being ignored.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type TestBroker } from './support/broker.js';
import { channel, connect, expectChannelClosed, names, routeAndCollect } from './support/amqp.js';

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.close();
});

// Messages, by name. amqplib encodes small integers as signed bytes ('b'),
// strings as long strings ('S'), true as 't' and null as void ('V').
const MESSAGES: Record<string, Record<string, unknown> | undefined> = {
  none: undefined,
  empty: {},
  a1: { a: 1 },
  a1b: { a: 1, b: 'x' },
  a1bc: { a: 1, b: 'x', c: true },
  aStr1: { a: '1' },
  b: { b: 'x' },
  a2b: { a: 2, b: 'x' },
  aLong1: { a: { '!': 'long', value: 1 } },
  xfoo: { 'x-foo': 'bar' },
  xfooA1: { 'x-foo': 'bar', a: 1 },
  aVoid: { a: null },
  aAny: { a: 'anything' },
};
const ALL = Object.keys(MESSAGES);

// binding arguments → the messages that must match (in MESSAGES order).
const CASES: Array<[string, Record<string, unknown>, string[]]> = [
  ['x-match all: every key must match', { 'x-match': 'all', a: 1, b: 'x' }, ['a1b', 'a1bc']],
  ['x-match any: one key is enough', { 'x-match': 'any', a: 1, b: 'x' }, ['a1', 'a1b', 'a1bc', 'b', 'a2b', 'aLong1', 'xfooA1']],
  ['absent x-match means all', { a: 1, b: 'x' }, ['a1b', 'a1bc']],
  ['{x-match: all} with no other keys matches everything', { 'x-match': 'all' }, ALL],
  ['no arguments at all matches everything', {}, ALL],
  ['{x-match: any} with no other keys matches nothing', { 'x-match': 'any' }, []],
  ['int 1 matches int 1 of any width, not string "1"', { a: 1 }, ['a1', 'a1b', 'a1bc', 'aLong1', 'xfooA1']],
  ['string "1" matches only string "1"', { a: '1' }, ['aStr1']],
  ['a void value matches on key presence alone', { a: null }, ['a1', 'a1b', 'a1bc', 'aStr1', 'a2b', 'aLong1', 'xfooA1', 'aVoid', 'aAny']],
  ['boolean values match', { 'x-match': 'all', a: 1, c: true }, ['a1bc']],
  ['x-match all ignores x- keys of the binding', { 'x-match': 'all', 'x-foo': 'bar' }, ALL],
  ['x-match any ignores x- keys of the binding', { 'x-match': 'any', 'x-foo': 'bar', a: 2 }, ['a2b']],
  ['x-match all-with-x compares x- keys too', { 'x-match': 'all-with-x', 'x-foo': 'bar' }, ['xfoo', 'xfooA1']],
  ['x-match any-with-x compares x- keys too', { 'x-match': 'any-with-x', 'x-foo': 'bar', a: 2 }, ['a2b', 'xfoo', 'xfooA1']],
];

describe('headers exchange matching', () => {
  for (const [label, args, expected] of CASES) {
    test(`${label}: ${JSON.stringify(args)}`, async (t) => {
      const n = names(t, broker.url);
      const [x, q] = [n.exchange(), n.queue()];
      const ch = await channel(await connect(broker.url, t));
      await ch.assertExchange(x, 'headers');
      await ch.assertQueue(q);
      await ch.bindQueue(q, x, 'binding-key-is-ignored', args);
      const pubs = ALL.map((name, i) => ({ key: `key-${i}`, body: name, headers: MESSAGES[name] }));
      const [got] = await routeAndCollect(ch, x, pubs, [q]);
      assert.deepEqual(got, expected);
    });
  }
});

describe('headers exchange delivery', () => {
  test('the routing key is ignored, in bindings and in publishes', async (t) => {
    const n = names(t, broker.url);
    const [x, q] = [n.exchange(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'headers');
    await ch.assertQueue(q);
    await ch.bindQueue(q, x, 'some-key', { k: 'v' });
    const [got] = await routeAndCollect(
      ch,
      x,
      [
        { key: 'some-key', body: 'right key, no headers' },
        { key: 'other', body: 'other key, matching headers', headers: { k: 'v' } },
        { key: '', body: 'empty key, matching headers', headers: { k: 'v' } },
      ],
      [q],
    );
    assert.deepEqual(got, ['other key, matching headers', 'empty key, matching headers']);
  });

  test('a queue with two matching bindings gets one copy', async (t) => {
    const n = names(t, broker.url);
    const [x, q] = [n.exchange(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'headers');
    await ch.assertQueue(q);
    await ch.bindQueue(q, x, '', { a: 1 });
    await ch.bindQueue(q, x, '', { b: 'x' });
    const [got] = await routeAndCollect(ch, x, [{ key: '', body: 'm', headers: { a: 1, b: 'x' } }], [q]);
    assert.deepEqual(got, ['m']);
  });

  test('amq.match and amq.headers are headers exchanges', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const tag = n.queue('tag');
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q);
    await ch.bindQueue(q, 'amq.match', '', { tag });
    await ch.bindQueue(q, 'amq.headers', '', { tag });
    const [got] = await routeAndCollect(ch, 'amq.match', [{ key: '', body: 'm', headers: { tag } }], [q]);
    assert.deepEqual(got, ['m']);
    const [got2] = await routeAndCollect(ch, 'amq.headers', [{ key: '', body: 'h', headers: { tag } }, { key: '', body: 'no' }], [q]);
    assert.deepEqual(got2, ['h']);
    await ch.unbindQueue(q, 'amq.match', '', { tag });
    await ch.unbindQueue(q, 'amq.headers', '', { tag });
  });

  test('an invalid x-match value → 406 PRECONDITION_FAILED on bind', async (t) => {
    const n = names(t, broker.url);
    const [x, q] = [n.exchange(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'headers');
    await ch.assertQueue(q);
    await expectChannelClosed(
      ch,
      406,
      'PRECONDITION_FAILED - Invalid x-match field value <<"bogus">>; expected all, any, all-with-x, or any-with-x',
      () => ch.bindQueue(q, x, '', { 'x-match': 'bogus' }),
    );
  });
});
