import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Destination } from '../../src/broker/binding.js';
import { TopicTrie, topicWords } from '../../src/broker/exchanges/topic-trie.js';

/** Stand-ins for queues: the trie only stores and returns them. */
const dest = (name: string) => ({ kind: 'queue', name }) as unknown as Destination;

function matches(patterns: string[], key: string): string[] {
  const trie = new TopicTrie();
  for (const pattern of patterns) trie.add(pattern, dest(pattern));
  const found = new Set<string>();
  trie.match(topicWords(key), (destinations) => {
    for (const d of destinations) found.add(d.name);
  });
  return [...found].sort();
}

describe('topic words', () => {
  it('the empty key has zero words, a..b has three, a. has two', () => {
    assert.deepEqual(topicWords(''), []);
    assert.deepEqual(topicWords('a..b'), ['a', '', 'b']);
    assert.deepEqual(topicWords('a.'), ['a', '']);
    assert.deepEqual(topicWords('.a'), ['', 'a']);
  });
});

describe('topic matching (RabbitMQ semantics)', () => {
  const cases: [pattern: string, key: string, expected: boolean][] = [
    ['#', '', true],
    ['#', 'a', true],
    ['#', 'a.b.c', true],
    ['*', '', false],
    ['*', 'a', true],
    ['*', 'a.b', false],
    ['*', '.', false],
    ['a.*', 'a.', true], // '*' matches one empty word
    ['a.*', 'a', false],
    ['a.*.b', 'a..b', true],
    ['a.#', 'a', true],
    ['a.#', 'a.b.c', true],
    ['a.#', 'b.a', false],
    ['#.a', 'a', true],
    ['#.a', 'x.y.a', true],
    ['#.a', 'a.x', false],
    ['a.#.b', 'a.b', true],
    ['a.#.b', 'a.x.y.b', true],
    ['a.#.b', 'a.x.y', false],
    ['*.#', '', false],
    ['*.#', 'a', true],
    ['#.*', '', false],
    ['#.*', 'a.b', true],
    ['#.#', '', true],
    ['', '', true],
    ['', 'a', false],
    ['mysql.*', 'mysql', false],
    ['mysql.*', 'mysql.error', true],
    ['mysql.*', 'mysql.error.x', false],
    ['*.redis', '.redis', true],
    ['*.*', 'a.b', true],
    ['*.*', 'a', false],
    ['a.b', 'a.b', true],
    ['a.b', 'a.b.c', false],
  ];
  for (const [pattern, key, expected] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(key)}`, () => {
      assert.deepEqual(matches([pattern], key), expected ? [pattern] : []);
    });
  }

  it('reports every matching pattern once per pattern, even with overlapping #s', () => {
    assert.deepEqual(matches(['#', 'a.#', '#.c', 'a.*.c', 'x.*'], 'a.b.c'), ['#', '#.c', 'a.#', 'a.*.c']);
  });

  it('a literal word * or # in the routing key is not a wildcard for exact bindings', () => {
    assert.deepEqual(matches(['a.b'], 'a.*'), []);
    assert.deepEqual(matches(['a.*'], 'a.#'), ['a.*']);
  });

  it('removing a binding prunes it without touching others on the same path', () => {
    const trie = new TopicTrie();
    const one = dest('one');
    const two = dest('two');
    trie.add('a.b.c', one);
    trie.add('a.b', two);
    trie.remove('a.b.c', one);
    const found: string[] = [];
    trie.match(topicWords('a.b'), (ds) => found.push(...ds.map((d) => d.name)));
    assert.deepEqual(found, ['two']);
    const none: string[] = [];
    trie.match(topicWords('a.b.c'), (ds) => none.push(...ds.map((d) => d.name)));
    assert.deepEqual(none, []);
  });

  it('the same destination bound twice with one pattern survives removing one of them', () => {
    const trie = new TopicTrie();
    const q = dest('q');
    trie.add('a.*', q);
    trie.add('a.*', q);
    trie.remove('a.*', q);
    const found: string[] = [];
    trie.match(topicWords('a.x'), (ds) => found.push(...ds.map((d) => d.name)));
    assert.deepEqual(found, ['q']);
  });
});
