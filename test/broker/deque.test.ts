import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Deque } from '../../src/broker/deque.js';
import { prng } from '../amqp/helpers.js';

describe('Deque', () => {
  it('behaves like an array under random pushes, shifts, unshifts, pops and inserts', () => {
    const rand = prng(7);
    const deque = new Deque<number>();
    const model: number[] = [];
    for (let step = 0; step < 20_000; step++) {
      const op = Math.floor(rand() * 6);
      if (op === 0 || op === 1) {
        deque.push(step);
        model.push(step);
      } else if (op === 2) {
        assert.equal(deque.shift(), model.shift());
      } else if (op === 3) {
        deque.unshift(step);
        model.unshift(step);
      } else if (op === 4) {
        assert.equal(deque.pop(), model.pop());
      } else {
        const at = Math.floor(rand() * (model.length + 1));
        deque.insertAt(at, step);
        model.splice(at, 0, step);
      }
      assert.equal(deque.length, model.length);
      assert.equal(deque.peek(), model[0]);
    }
    assert.deepEqual([...deque], model);
    for (let i = 0; i < model.length; i += 97) assert.equal(deque.at(i), model[i]);
  });

  it('clear returns how many were dropped', () => {
    const deque = new Deque<string>();
    deque.push('a');
    deque.push('b');
    assert.equal(deque.clear(), 2);
    assert.equal(deque.length, 0);
    assert.equal(deque.shift(), undefined);
  });
});
