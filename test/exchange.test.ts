// Exchanges: the default exchange, the predeclared amq.* exchanges,
// exchange.declare/delete rules, internal exchanges, exchange-to-exchange
// bindings and auto-delete.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type TestBroker } from './support/broker.js';
import { bodies, channel, connect, consume, expectChannelClosed, expectConnectionClosed, get, names, sync } from './support/amqp.js';

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.close();
});

describe('default exchange', () => {
  test('every queue is reachable by its name through ""', async (t) => {
    const n = names(t, broker.url);
    const [q1, q2] = [n.queue(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await ch.assertQueue(q1);
    await ch.assertQueue(q2);
    ch.publish('', q1, Buffer.from('to q1'));
    ch.publish('', q2, Buffer.from('to q2'));
    const m1 = await get(ch, q1, { noAck: true });
    const m2 = await get(ch, q2, { noAck: true });
    assert.ok(m1 && m2);
    assert.equal(m1.content.toString(), 'to q1');
    assert.equal(m1.fields.exchange, '');
    assert.equal(m1.fields.routingKey, q1);
    assert.equal(m2.content.toString(), 'to q2');
  });

  test('even a passive declare of "" → 403 ACCESS_REFUSED (RabbitMQ 3.10 rejects any declare of the default exchange)', async (t) => {
    const ch = await channel(await connect(broker.url, t));
    await expectChannelClosed(ch, 403, 'ACCESS_REFUSED - operation not permitted on the default exchange', () =>
      ch.checkExchange(''));
  });

  test('declaring "" → 403 ACCESS_REFUSED', async (t) => {
    const ch = await channel(await connect(broker.url, t));
    await expectChannelClosed(ch, 403, "ACCESS_REFUSED - operation not permitted on the default exchange", () =>
      ch.assertExchange('', 'direct'));
  });

  test('deleting "" → 403 ACCESS_REFUSED', async (t) => {
    const ch = await channel(await connect(broker.url, t));
    await expectChannelClosed(ch, 403, 'ACCESS_REFUSED - operation not permitted on the default exchange', () =>
      ch.deleteExchange(''));
  });

  test('binding a queue to "" → 403 ACCESS_REFUSED', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    await expectChannelClosed(ch, 403, 'ACCESS_REFUSED - operation not permitted on the default exchange', () =>
      ch.bindQueue(q, '', 'anything'));
  });

  test('unbinding a queue from "" → 403 ACCESS_REFUSED', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    await expectChannelClosed(ch, 403, 'ACCESS_REFUSED - operation not permitted on the default exchange', () =>
      ch.unbindQueue(q, '', q));
  });

  test('binding an exchange to "" as source → 403 ACCESS_REFUSED', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertExchange(x, 'fanout', { autoDelete: false });
    await expectChannelClosed(ch, 403, 'ACCESS_REFUSED - operation not permitted on the default exchange', () =>
      ch.bindExchange(x, '', 'k'));
  });
});

describe('predeclared amq.* exchanges', () => {
  const expected: Array<[string, string]> = [
    ['amq.direct', 'direct'],
    ['amq.fanout', 'fanout'],
    ['amq.topic', 'topic'],
    ['amq.headers', 'headers'],
    ['amq.match', 'headers'],
  ];
  for (const [name, type] of expected) {
    test(`${name} exists (passive declare) and is a durable ${type} exchange`, async (t) => {
      const conn = await connect(broker.url, t);
      const ch = await channel(conn);
      await ch.checkExchange(name);
      // Redeclaring with identical properties is allowed even though the name starts with amq.
      await ch.assertExchange(name, type, { durable: true, autoDelete: false, internal: false });
      const other = type === 'fanout' ? 'direct' : 'fanout';
      await expectChannelClosed(
        ch,
        406,
        `PRECONDITION_FAILED - inequivalent arg 'type' for exchange '${name}' in vhost '/': received '${other}' but current is '${type}'`,
        () => ch.assertExchange(name, other, { durable: true }),
      );
    });
  }

  test('declaring a new amq.* exchange → 403 ACCESS_REFUSED', async (t) => {
    const ch = await channel(await connect(broker.url, t));
    await expectChannelClosed(
      ch,
      403,
      "ACCESS_REFUSED - exchange name 'amq.warren-test-foo' contains reserved prefix 'amq.*'",
      () => ch.assertExchange('amq.warren-test-foo', 'direct'),
    );
  });

  test('passive declare of a missing amq.* exchange → 404 NOT_FOUND', async (t) => {
    const ch = await channel(await connect(broker.url, t));
    await expectChannelClosed(ch, 404, "NOT_FOUND - no exchange 'amq.warren-test-missing' in vhost '/'", () =>
      ch.checkExchange('amq.warren-test-missing'));
  });
});

describe('exchange.declare', () => {
  test('passive declare of a missing exchange → 404 NOT_FOUND', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const ch = await channel(await connect(broker.url, t));
    await expectChannelClosed(ch, 404, `NOT_FOUND - no exchange '${x}' in vhost '/'`, () => ch.checkExchange(x));
  });

  test('redeclaring with the same type and flags is idempotent', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const ch = await channel(await connect(broker.url, t));
    for (let i = 0; i < 3; i++) {
      const ok = await ch.assertExchange(x, 'topic', { durable: false, autoDelete: false, internal: false });
      assert.equal(ok.exchange, x);
    }
    await ch.checkExchange(x);
  });

  test('passive declare ignores type and flags', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertExchange(x, 'topic', { durable: false });
    await ch.checkExchange(x);
  });

  const mismatches: Array<[string, Record<string, unknown>, string, string, string]> = [
    ['type', { type: 'direct' }, 'type', 'direct', 'topic'],
    ['durable', { durable: true }, 'durable', 'true', 'false'],
    ['auto_delete', { autoDelete: true }, 'auto_delete', 'true', 'false'],
    ['internal', { internal: true }, 'internal', 'true', 'false'],
  ];
  for (const [label, change, arg, received, current] of mismatches) {
    test(`redeclaring with a different ${label} → 406 PRECONDITION_FAILED`, async (t) => {
      const n = names(t, broker.url);
      const x = n.exchange();
      const conn = await connect(broker.url, t);
      const ch = await channel(conn);
      await ch.assertExchange(x, 'topic', { durable: false, autoDelete: false, internal: false });
      const opts = { durable: false, autoDelete: false, internal: false, ...change };
      const type = (change.type as string | undefined) ?? 'topic';
      delete (opts as Record<string, unknown>).type;
      await expectChannelClosed(
        ch,
        406,
        `PRECONDITION_FAILED - inequivalent arg '${arg}' for exchange '${x}' in vhost '/': received '${received}' but current is '${current}'`,
        () => ch.assertExchange(x, type, opts),
      );
      // The original exchange is unchanged.
      const ch2 = await channel(conn);
      await ch2.assertExchange(x, 'topic', { durable: false, autoDelete: false, internal: false });
    });
  }

  test('unknown exchange type → connection error 503 COMMAND_INVALID', async (t) => {
    const n = names(t, broker.url);
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await expectConnectionClosed(conn, 503, "COMMAND_INVALID - unknown exchange type 'x-warren-nonsense'", () =>
      ch.assertExchange(n.exchange(), 'x-warren-nonsense'));
  });
});

describe('exchange.delete', () => {
  test('deleting a missing exchange → delete-ok (RabbitMQ 3.10 does not complain)', async (t) => {
    const n = names(t, broker.url);
    const ch = await channel(await connect(broker.url, t));
    await ch.deleteExchange(n.exchange());
    await ch.deleteExchange(n.exchange(), { ifUnused: true });
    await sync(ch);
  });

  test('if_unused with a queue binding → 406 PRECONDITION_FAILED; without → deleted', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertExchange(x, 'direct', { autoDelete: false });
    await ch.assertQueue(q);
    await ch.bindQueue(q, x, 'k');
    await expectChannelClosed(ch, 406, `PRECONDITION_FAILED - exchange '${x}' in vhost '/' in use`, () =>
      ch.deleteExchange(x, { ifUnused: true }));
    const ch2 = await channel(conn);
    await ch2.checkExchange(x);
    await ch2.unbindQueue(q, x, 'k');
    await ch2.deleteExchange(x, { ifUnused: true });
    await expectChannelClosed(ch2, 404, `NOT_FOUND - no exchange '${x}' in vhost '/'`, () => ch2.checkExchange(x));
  });

  test('if_unused counts only bindings where the exchange is the source', async (t) => {
    const n = names(t, broker.url);
    const [src, dst] = [n.exchange(), n.exchange()];
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertExchange(src, 'fanout');
    await ch.assertExchange(dst, 'fanout');
    await ch.bindExchange(dst, src, '');
    // dst is only a destination: "unused".
    await ch.deleteExchange(dst, { ifUnused: true });
    await expectChannelClosed(ch, 404, 'NOT_FOUND - ', () => ch.checkExchange(dst));
  });

  test('deleting an exchange removes its bindings (a recreated exchange routes nothing)', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertExchange(x, 'fanout');
    await ch.assertQueue(q);
    await ch.bindQueue(q, x, '');
    await ch.deleteExchange(x);
    await ch.assertExchange(x, 'fanout');
    ch.publish(x, '', Buffer.from('lost'));
    await sync(ch);
    assert.equal((await ch.checkQueue(q)).messageCount, 0);
  });
});

describe('internal exchanges', () => {
  test('publishing to an internal exchange → 403 ACCESS_REFUSED', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'fanout', { internal: true });
    await expectChannelClosed(ch, 403, `ACCESS_REFUSED - cannot publish to internal exchange '${x}' in vhost '/'`, () =>
      ch.publish(x, '', Buffer.from('nope')));
  });

  test('an internal exchange still routes what another exchange forwards to it', async (t) => {
    const n = names(t, broker.url);
    const [front, inner] = [n.exchange(), n.exchange()];
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(front, 'fanout');
    await ch.assertExchange(inner, 'fanout', { internal: true });
    await ch.assertQueue(q);
    await ch.bindExchange(inner, front, '');
    await ch.bindQueue(q, inner, '');
    ch.publish(front, '', Buffer.from('via internal'));
    const { inbox } = await consume(ch, q, { noAck: true });
    assert.deepEqual(bodies(await inbox.take(1)), ['via internal']);
  });
});

describe('exchange-to-exchange bindings', () => {
  test('bind routes through the destination exchange; unbind stops it', async (t) => {
    const n = names(t, broker.url);
    const [src, dst] = [n.exchange(), n.exchange()];
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(src, 'direct');
    await ch.assertExchange(dst, 'topic');
    await ch.assertQueue(q);
    await ch.bindQueue(q, dst, 'a.*');
    await ch.bindExchange(dst, src, 'a.b');
    const { inbox } = await consume(ch, q, { noAck: true });

    ch.publish(src, 'a.b', Buffer.from('routed'));
    ch.publish(src, 'a.c', Buffer.from('src does not match'));
    const [m] = await inbox.take(1);
    assert.equal(m!.content.toString(), 'routed');
    // The delivery names the exchange the message was published to.
    assert.equal(m!.fields.exchange, src);
    assert.equal(m!.fields.routingKey, 'a.b');

    await ch.unbindExchange(dst, src, 'a.b');
    ch.publish(src, 'a.b', Buffer.from('not routed'));
    await sync(ch);
    // Bounded wait: nothing must arrive after unbind.
    await inbox.expectNothing();
  });

  test('a message reaching a queue over two paths is delivered once; cycles do not loop', async (t) => {
    const n = names(t, broker.url);
    const [a, b] = [n.exchange(), n.exchange()];
    const q = n.queue();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(a, 'fanout');
    await ch.assertExchange(b, 'fanout');
    await ch.assertQueue(q);
    await ch.bindExchange(b, a, '');
    await ch.bindExchange(a, b, ''); // a cycle
    await ch.bindQueue(q, a, '');
    await ch.bindQueue(q, b, '');
    ch.publish(a, '', Buffer.from('once'));
    await sync(ch);
    const { inbox } = await consume(ch, q, { noAck: true });
    assert.deepEqual(bodies(await inbox.take(1)), ['once']);
    await inbox.expectNothing();
  });

  test('binding with a missing source or destination → 404 NOT_FOUND', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const missing = n.exchange();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertExchange(x, 'fanout');
    await expectChannelClosed(ch, 404, `NOT_FOUND - no exchange '${missing}' in vhost '/'`, () =>
      ch.bindExchange(x, missing, ''));
    const ch2 = await channel(conn);
    await expectChannelClosed(ch2, 404, `NOT_FOUND - no exchange '${missing}' in vhost '/'`, () =>
      ch2.bindExchange(missing, x, ''));
  });
});

describe('auto_delete exchanges', () => {
  test('not deleted before it ever had a binding', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(x, 'direct', { autoDelete: true });
    await ch.checkExchange(x);
  });

  test('deleted when its last queue binding is removed', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertExchange(x, 'direct', { autoDelete: true });
    await ch.assertQueue(q);
    await ch.bindQueue(q, x, 'k1');
    await ch.bindQueue(q, x, 'k2');
    await ch.unbindQueue(q, x, 'k1');
    await ch.checkExchange(x); // one binding left
    await ch.unbindQueue(q, x, 'k2');
    await expectChannelClosed(ch, 404, `NOT_FOUND - no exchange '${x}' in vhost '/'`, () => ch.checkExchange(x));
  });

  test('deleted when the last bound queue is deleted', async (t) => {
    const n = names(t, broker.url);
    const x = n.exchange();
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertExchange(x, 'fanout', { autoDelete: true });
    await ch.assertQueue(q);
    await ch.bindQueue(q, x, '');
    await ch.deleteQueue(q);
    await expectChannelClosed(ch, 404, `NOT_FOUND - no exchange '${x}' in vhost '/'`, () => ch.checkExchange(x));
  });

  test('deleted when its last exchange-to-exchange binding (as source) is removed', async (t) => {
    const n = names(t, broker.url);
    const [src, dst] = [n.exchange(), n.exchange()];
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertExchange(src, 'fanout', { autoDelete: true });
    await ch.assertExchange(dst, 'fanout');
    await ch.bindExchange(dst, src, '');
    await ch.unbindExchange(dst, src, '');
    await expectChannelClosed(ch, 404, `NOT_FOUND - no exchange '${src}' in vhost '/'`, () => ch.checkExchange(src));
  });
});

describe('alternate exchanges', () => {
  test('a message its exchange cannot route goes to the alternate exchange; redeclaring with another one is 406', async (t) => {
    const n = names(t, broker.url);
    const [main, alternate, queue] = [n.exchange(), n.exchange(), n.queue()];
    const ch = await channel(await connect(broker.url, t));
    await ch.assertExchange(alternate, 'fanout', { autoDelete: false });
    await ch.assertQueue(queue);
    await ch.bindQueue(queue, alternate, '');
    await ch.assertExchange(main, 'direct', { autoDelete: false, alternateExchange: alternate });
    ch.publish(main, 'no-binding-for-this', Buffer.from('rerouted'));
    await sync(ch);
    const message = await get(ch, queue, { noAck: true });
    assert.ok(message, 'the unroutable message reached the alternate exchange');
    assert.equal(message.content.toString(), 'rerouted');
    assert.equal(message.fields.exchange, main, 'delivered with the exchange it was published to');
    await ch.assertExchange(main, 'direct', { autoDelete: false, alternateExchange: alternate });
    await expectChannelClosed(ch, 406, `PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange '${main}'`, () =>
      ch.assertExchange(main, 'direct', { autoDelete: false, alternateExchange: 'amq.fanout' }),
    );
  });
});
