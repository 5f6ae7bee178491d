import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeContentHeader } from '../../src/amqp/content.js';
import { Message } from '../../src/broker/message.js';
import { MEMORY_STORES, MemoryQueueStore } from '../../src/broker/queues/memory-store.js';
import { PriorityStore } from '../../src/broker/queues/priority-store.js';
import type { QueuedMessage } from '../../src/broker/queues/queue.js';
import type { QueueStore, QueueStoreFactory, StoreSpec } from '../../src/broker/queues/store.js';

let seq = 0;
function entry(body: string, priority: number | undefined, level = 0): QueuedMessage {
  const header = encodeContentHeader(60, body.length, priority === undefined ? {} : { priority });
  return { message: new Message('', 'q', header, Buffer.from(body)), seq: ++seq, redelivered: false, expiresAt: 0, position: -1, priority: level, deliveryCount: 0 };
}

/** Stores by part, as storage would keep them: what was on disk before comes back from recover(). */
function factory(onDisk: Map<string, QueueStore> = new Map()) {
  const made = new Map<string, QueueStore>();
  const stores: QueueStoreFactory = {
    create: (spec: StoreSpec) => {
      const store = new MemoryQueueStore();
      made.set(spec.part, store);
      return store;
    },
    recover: (spec: StoreSpec) => {
      const store = onDisk.get(spec.part);
      return store === undefined ? undefined : { store, lastSeq: 0 };
    },
    openStream: MEMORY_STORES.openStream,
  };
  return { stores, made };
}

const SPEC: StoreSpec = { vhostName: '/', name: 'q', durable: true, persistsEveryMessage: false, part: '', memoryShare: 1 };

describe('PriorityStore', () => {
  it('serves the highest level first, FIFO within a level, and makes levels on first use', () => {
    const { stores, made } = factory();
    const store = PriorityStore.create(stores, SPEC, 9);
    for (const [body, level] of [['a', 1], ['b', 9], ['c', 1], ['d', 5]] as const) store.push(entry(body, level, level));
    assert.deepEqual([...made.keys()].sort(), ['p1', 'p5', 'p9']);
    assert.equal(made.get('p1')!.length, 2);
    assert.deepEqual([store.length, store.bytes], [4, 4]);
    assert.deepEqual(store.levelLengths, [0, 2, 0, 0, 0, 1, 0, 0, 0, 1]);
    const order: string[] = [];
    for (let e = store.shift(); e !== undefined; e = store.shift()) order.push(e.message.body.toString());
    assert.deepEqual(order, ['b', 'd', 'a', 'c']);
  });

  it('gives requeued messages back to their own level, in place', () => {
    const { stores } = factory();
    const store = PriorityStore.create(stores, SPEC, 3);
    const low = entry('low', 0, 0);
    const high1 = entry('high1', 3, 3);
    const high2 = entry('high2', 3, 3);
    for (const e of [low, high1, high2]) store.push(e);
    const taken = [store.shift()!, store.shift()!];
    assert.deepEqual(taken.map((e) => e.message.body.toString()), ['high1', 'high2']);
    store.requeue([high1]);
    assert.equal(store.shift(), high1);
    assert.equal(store.shift(), low);
  });

  it('delivers what a queue stored before it had levels first, in stored order, and settles it in its own store', () => {
    const unlevelled = new MemoryQueueStore();
    // Warren 0.1 kept a priority queue as one FIFO; its records carry level 0.
    for (const [body, priority] of [['old-low', 1], ['old-high', 9]] as const) unlevelled.push(entry(body, priority, 0));
    const settled: QueuedMessage[] = [];
    const original = unlevelled.settle.bind(unlevelled);
    unlevelled.settle = (e) => {
      settled.push(e);
      original(e);
    };
    const { stores } = factory(new Map([['', unlevelled]]));
    const { store } = PriorityStore.recover(stores, SPEC, 9);
    store.push(entry('new-high', 9, 9));
    assert.equal(store.length, 3);
    const first = store.shift()!;
    assert.equal(first.message.body.toString(), 'old-low');
    store.settle(first);
    assert.deepEqual(settled.map((e) => e.seq), [first.seq], 'settled in the store it came from');
    const second = store.shift()!;
    assert.equal(second.message.body.toString(), 'old-high');
    store.requeue([second]);
    assert.equal(store.shift()!.message.body.toString(), 'old-high', 'a requeue goes back to where it came from');
    assert.equal(store.shift()!.message.body.toString(), 'new-high');
    assert.equal(store.shift(), undefined);
  });
});
