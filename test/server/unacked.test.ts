import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrokerError } from '../../src/broker/errors.js';
import type { Queue, QueuedMessage } from '../../src/broker/queues/queue.js';
import type { ChannelConsumer } from '../../src/server/channel-consumer.js';
import { UnackedDeliveries, type Delivery } from '../../src/server/unacked.js';

const delivery = (tag: number, deadline = 0, consumer?: ChannelConsumer): Delivery => ({
  tag,
  queue: {} as Queue,
  entry: {} as QueuedMessage,
  consumer,
  settled: false,
  deadline,
  timeoutMs: deadline,
});

function filled(...tags: number[]) {
  const unacked = new UnackedDeliveries();
  const all = new Map(tags.map((tag) => [tag, delivery(tag)]));
  for (const d of all.values()) unacked.add(d);
  return { unacked, all };
}

const tags = (deliveries: Delivery[]) => deliveries.map((d) => d.tag);

describe('UnackedDeliveries (RabbitMQ ack rules)', () => {
  it('acks one tag, in or out of order', () => {
    const { unacked } = filled(1, 2, 3);
    assert.deepEqual(tags(unacked.take(2, false)), [2]);
    assert.deepEqual(tags(unacked.take(1, false)), [1]);
    assert.equal(unacked.count, 1);
    assert.deepEqual(tags(unacked.takeAll()), [3]);
  });

  it('multiple takes every outstanding tag up to and including the given one', () => {
    const { unacked } = filled(1, 2, 3, 4, 5);
    unacked.take(2, false);
    assert.deepEqual(tags(unacked.take(4, true)), [1, 3, 4]);
    assert.equal(unacked.count, 1);
  });

  it('tag 0 with multiple means everything; without multiple it is unknown', () => {
    const { unacked } = filled(1, 2);
    assert.throws(() => unacked.take(0, false), BrokerError);
    assert.deepEqual(tags(unacked.take(0, true)), [1, 2]);
    assert.deepEqual(unacked.take(0, true), []);
  });

  it('an unknown or already settled tag is 406, even with multiple', () => {
    const { unacked } = filled(1, 2, 3);
    unacked.take(2, false);
    for (const [tag, multiple] of [[2, false], [2, true], [9, false], [9, true]] as const) {
      assert.throws(
        () => unacked.take(tag, multiple),
        (e: unknown) => e instanceof BrokerError && e.code === 406 && e.message === `unknown delivery tag ${tag}`,
      );
    }
    assert.equal(unacked.count, 2);
  });

  it('restore puts settled deliveries back exactly once (tx rollback)', () => {
    const { unacked } = filled(1, 2, 3);
    const two = unacked.take(2, false); // settled in place
    const one = unacked.take(1, false); // removed from the head
    unacked.restore([...one, ...two]);
    assert.equal(unacked.count, 3);
    assert.deepEqual(tags(unacked.takeAll()), [1, 2, 3]);
  });
});

describe('consumer timeout deadlines', () => {
  it('finds the oldest unsettled delivery past its deadline, and nothing before the earliest one is due', () => {
    const unacked = new UnackedDeliveries();
    unacked.add(delivery(1, 1000));
    unacked.add(delivery(2, 500));
    unacked.add(delivery(3, 0));
    assert.equal(unacked.overdue(400), undefined);
    assert.equal(unacked.overdue(600)?.tag, 2);
    unacked.take(2, false);
    assert.equal(unacked.overdue(600), undefined);
    assert.equal(unacked.overdue(1000)?.tag, 1);
    unacked.take(1, false);
    assert.equal(unacked.overdue(1_000_000), undefined, 'no deadline, never due');
  });

  it("gives back one consumer's deliveries; a later ack of one of them is ignored, and a multiple ack still settles the others", () => {
    const a = {} as ChannelConsumer;
    const b = {} as ChannelConsumer;
    const unacked = new UnackedDeliveries();
    unacked.add(delivery(1, 0, b));
    unacked.add(delivery(2, 0, a));
    unacked.add(delivery(3, 0, b));
    unacked.add(delivery(4, 0, a));
    assert.deepEqual(unacked.takeReturned(a).map((d) => d.tag), [2, 4]);
    assert.equal(unacked.count, 2);
    assert.deepEqual(unacked.take(2, false), []);
    assert.deepEqual(unacked.take(4, true).map((d) => d.tag), [1, 3]);
    assert.throws(() => unacked.take(4, false), BrokerError, 'only once');
  });
});
