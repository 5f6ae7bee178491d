// Direct reply-to (amq.rabbitmq.reply-to): the requester consumes the
// pseudo-queue in no-ack mode, publishes with reply_to set to it, the
// server rewrites reply_to to a routable name, and the responder's reply
// published to that name through the default exchange reaches the requester.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type TestBroker } from './support/broker.js';
import {
  channel,
  connect,
  consume,
  expectChannelClosed,
  names,
  returns,
  sync,
} from './support/amqp.js';

const REPLY_TO = 'amq.rabbitmq.reply-to';

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker.close();
});

describe('direct reply-to', () => {
  test('request/reply round trip: reply_to is rewritten and the reply reaches the requester', async (t) => {
    const n = names(t, broker.url);
    const serviceQ = n.queue('service');
    // Responder on its own connection.
    const responder = await channel(await connect(broker.url, t));
    await responder.assertQueue(serviceQ);
    const requests = await consume(responder, serviceQ, { noAck: true });

    const requester = await channel(await connect(broker.url, t));
    const replies = await consume(requester, REPLY_TO, { noAck: true });
    assert.match(replies.consumerTag, /^amq\.ctag-/);
    requester.sendToQueue(serviceQ, Buffer.from('ping'), { replyTo: REPLY_TO, correlationId: 'c-1' });

    const req = (await requests.inbox.next())!;
    const rewritten = req.properties.replyTo as string;
    assert.ok(rewritten.startsWith(`${REPLY_TO}.`), `reply_to was rewritten to ${rewritten}`);
    assert.ok(rewritten.length > REPLY_TO.length + 1);
    assert.equal(req.properties.correlationId, 'c-1');

    responder.sendToQueue(rewritten, Buffer.from('pong'), { correlationId: 'c-1' });
    const reply = (await replies.inbox.next())!;
    assert.equal(reply.content.toString(), 'pong');
    assert.equal(reply.properties.correlationId, 'c-1');
    assert.equal(reply.fields.consumerTag, replies.consumerTag);
    assert.equal(reply.fields.exchange, '');
    assert.equal(reply.fields.routingKey, rewritten);
    assert.equal(reply.fields.redelivered, false);
  });

  test('every request from one channel gets the same rewritten reply_to', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const admin = await channel(conn);
    await admin.assertQueue(q);
    const requester = await channel(conn);
    await consume(requester, REPLY_TO, { noAck: true });
    requester.sendToQueue(q, Buffer.from('1'), { replyTo: REPLY_TO });
    requester.sendToQueue(q, Buffer.from('2'), { replyTo: REPLY_TO });
    await sync(requester);
    const m1 = await admin.get(q, { noAck: true });
    const m2 = await admin.get(q, { noAck: true });
    assert.ok(m1 && m2);
    assert.equal(m1.properties.replyTo, m2.properties.replyTo);
  });

  test('publishing with reply_to amq.rabbitmq.reply-to without consuming it first → 406', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    await expectChannelClosed(ch, 406, 'PRECONDITION_FAILED - fast reply consumer does not exist', () =>
      ch.sendToQueue(q, Buffer.from('x'), { replyTo: REPLY_TO }));
  });

  test('the reply consumer is per channel: another channel of the same connection cannot use it', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const ch = await channel(conn);
    await ch.assertQueue(q);
    await consume(ch, REPLY_TO, { noAck: true });
    const other = await channel(conn);
    await expectChannelClosed(other, 406, 'PRECONDITION_FAILED - fast reply consumer does not exist', () =>
      other.sendToQueue(q, Buffer.from('x'), { replyTo: REPLY_TO }));
  });

  test('consuming amq.rabbitmq.reply-to with manual ack → 406', async (t) => {
    const ch = await channel(await connect(broker.url, t));
    await expectChannelClosed(ch, 406, 'PRECONDITION_FAILED - reply consumer cannot acknowledge', () =>
      ch.consume(REPLY_TO, () => {}, { noAck: false }));
  });

  test('declaring amq.rabbitmq.reply-to (passive or not) → declare-ok with message_count 0, consumer_count 1', async (t) => {
    // RabbitMQ answers with fixed counts (0, 1), whether or not this channel consumes it.
    const ch = await channel(await connect(broker.url, t));
    assert.deepEqual(await ch.checkQueue(REPLY_TO), { queue: REPLY_TO, messageCount: 0, consumerCount: 1 });
    assert.deepEqual(await ch.assertQueue(REPLY_TO), { queue: REPLY_TO, messageCount: 0, consumerCount: 1 });
  });

  test('a second reply consumer on the same channel → 406', async (t) => {
    const ch = await channel(await connect(broker.url, t));
    await consume(ch, REPLY_TO, { noAck: true });
    await expectChannelClosed(ch, 406, 'PRECONDITION_FAILED - reply consumer already set', () =>
      ch.consume(REPLY_TO, () => {}, { noAck: true }));
  });

  test('the reply consumer can be cancelled like any other', async (t) => {
    const ch = await channel(await connect(broker.url, t));
    const { consumerTag } = await consume(ch, REPLY_TO, { noAck: true });
    assert.deepEqual(await ch.cancel(consumerTag), { consumerTag });
  });

  test('basic.get on amq.rabbitmq.reply-to → 404 NOT_FOUND (it is not a real queue)', async (t) => {
    const ch = await channel(await connect(broker.url, t));
    await expectChannelClosed(ch, 404, `NOT_FOUND - no queue '${REPLY_TO}' in vhost '/'`, () => ch.get(REPLY_TO));
  });

  test('passive declare of an unknown amq.rabbitmq.reply-to.<token> → 404 NOT_FOUND', async (t) => {
    const ch = await channel(await connect(broker.url, t));
    await expectChannelClosed(ch, 404, `NOT_FOUND - no queue '${REPLY_TO}.bogus' in vhost '/'`, () =>
      ch.checkQueue(`${REPLY_TO}.bogus`));
  });

  test('a reply to a name whose requester is gone is dropped (mandatory → returned)', async (t) => {
    const n = names(t, broker.url);
    const q = n.queue();
    const conn = await connect(broker.url, t);
    const admin = await channel(conn);
    await admin.assertQueue(q);
    const requester = await channel(conn);
    await consume(requester, REPLY_TO, { noAck: true });
    requester.sendToQueue(q, Buffer.from('req'), { replyTo: REPLY_TO });
    await sync(requester);
    const req = await admin.get(q, { noAck: true });
    assert.ok(req);
    await requester.close();

    const responder = await channel(conn);
    const returned = returns(responder);
    responder.sendToQueue(req.properties.replyTo as string, Buffer.from('late reply'), { mandatory: true });
    const r = await returned.next();
    assert.equal(r.fields.replyCode, 312);
    assert.equal(r.fields.replyText, 'NO_ROUTE');
  });
});
