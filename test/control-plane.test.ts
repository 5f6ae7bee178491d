// The control plane used directly (as embedders do): message rates from the sampler,
// and commands without HTTP.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Broker } from '../src/index.js';
import { uniqueName } from './support/amqp.js';

let broker: Broker;
before(async () => {
  const { Broker } = await import('../src/index.js');
  broker = await Broker.start({ port: 0 });
});
after(() => broker.close());

const publish = (queue: string, count: number) => {
  for (let i = 0; i < count; i++) {
    broker.control.messages.publish('/', 'amq.default', { routing_key: queue, payload: `m${i}`, payload_encoding: 'string', properties: {} });
  }
};

describe('message rates', () => {
  test('*_details.rate is the change per second between two samples', () => {
    const { control } = broker;
    const q = uniqueName('q');
    assert.equal(control.queues.declare('/', q, {}), true);
    const t0 = Date.now() + 60_000;
    control.sampler.sample(t0);
    publish(q, 20);
    control.sampler.sample(t0 + 2000);
    const queue = control.queues.get('/', q);
    const stats = queue.message_stats as Record<string, { rate: number } | number>;
    assert.equal(stats.publish, 20);
    assert.deepEqual(stats.publish_details, { rate: 10 });
    assert.deepEqual(queue.messages_details, { rate: 10 });
    assert.deepEqual(queue.messages_ready_details, { rate: 10 });
    const exchange = control.exchanges.get('/', 'amq.default');
    assert.deepEqual((exchange.message_stats as Record<string, unknown>).publish_in_details, { rate: 10 });
    const overview = control.overview();
    assert.ok(((overview.message_stats as Record<string, { rate: number }>).publish_details.rate) >= 10);
    const vhost = control.vhosts.get('/');
    assert.ok(((vhost.message_stats as Record<string, { rate: number }>).publish_details.rate) >= 10);
    // Nothing happens for the next interval: the rates fall back to 0.
    control.sampler.sample(t0 + 4000);
    assert.deepEqual((control.queues.get('/', q).message_stats as Record<string, unknown>).publish_details, { rate: 0 });
    control.queues.delete('/', q, {});
  });
});

describe('commands without HTTP', () => {
  test('declare, bind, publish, get and delete through the facade', () => {
    const { control } = broker;
    const [x, q] = [uniqueName('x'), uniqueName('q')];
    control.exchanges.declare('/', x, { type: 'fanout' });
    control.queues.declare('/', q, {});
    const props = control.bindings.bind({ vhost: '/', source: x, destinationType: 'queue', destination: q }, { routing_key: 'k' });
    assert.equal(props, 'k');
    assert.deepEqual(control.messages.publish('/', x, { routing_key: 'any', payload: 'aGk=', payload_encoding: 'base64', properties: { delivery_mode: 2 } }), { routed: true });
    const [message] = control.messages.get('/', q, { count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' });
    assert.equal(message.payload, 'hi');
    assert.deepEqual(message.properties, { delivery_mode: 2 });
    control.bindings.unbind({ vhost: '/', source: x, destinationType: 'queue', destination: q }, 'k');
    assert.deepEqual(control.messages.publish('/', x, { routing_key: 'any', payload: '', payload_encoding: 'string', properties: {} }), { routed: false });
    control.exchanges.delete('/', x, false);
    control.queues.delete('/', q, {});
    assert.throws(() => control.queues.get('/', q), { name: 'ControlError', kind: 'not_found' });
  });

  test('a user name as actor gets that user\'s AMQP permissions', () => {
    const { control } = broker;
    const user = uniqueName('user');
    control.users.put(user, { password: 'pw', tags: 'management' });
    control.users.setPermissions('/', user, { configure: '^mine\\.', write: '.*', read: '.*' });
    assert.equal(control.queues.declare('/', `mine.${user}`, {}, user), true);
    assert.throws(() => control.queues.declare('/', `theirs.${user}`, {}, user), { name: 'BrokerError', code: 403 });
    control.queues.delete('/', `mine.${user}`, {});
    control.users.delete(user);
  });
});
