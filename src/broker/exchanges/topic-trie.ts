import type { Destination } from '../binding.js';

/**
 * Topic patterns as a trie over dot-separated words. `*` matches exactly one word and
 * `#` zero or more. As in RabbitMQ, the empty string has zero words and `a..b` has
 * three (the middle one empty).
 */
class TrieNode {
  readonly children = new Map<string, TrieNode>();
  readonly destinations: Destination[] = [];

  get isEmpty(): boolean {
    return this.children.size === 0 && this.destinations.length === 0;
  }
}

export function topicWords(key: string): string[] {
  return key === '' ? [] : key.split('.');
}

export class TopicTrie {
  private readonly root = new TrieNode();

  add(pattern: string, destination: Destination): void {
    let node = this.root;
    for (const word of topicWords(pattern)) {
      let child = node.children.get(word);
      if (!child) node.children.set(word, (child = new TrieNode()));
      node = child;
    }
    node.destinations.push(destination);
  }

  remove(pattern: string, destination: Destination): void {
    const words = topicWords(pattern);
    const path: TrieNode[] = [this.root];
    for (const word of words) {
      const child = path[path.length - 1].children.get(word);
      if (!child) return;
      path.push(child);
    }
    const leaf = path[path.length - 1];
    const at = leaf.destinations.indexOf(destination);
    if (at < 0) return;
    leaf.destinations.splice(at, 1);
    // Prune nodes left with nothing under them, so the trie does not grow forever.
    for (let depth = words.length; depth > 0 && path[depth].isEmpty; depth--) {
      path[depth - 1].children.delete(words[depth - 1]);
    }
  }

  /** Calls `found` for every destination of every pattern matching the words (duplicates possible). */
  match(words: readonly string[], found: (destinations: readonly Destination[]) => void): void {
    this.walk(this.root, words, 0, found);
  }

  private walk(
    node: TrieNode,
    words: readonly string[],
    at: number,
    found: (destinations: readonly Destination[]) => void,
  ): void {
    const hash = node.children.get('#');
    if (hash) {
      // '#' swallows zero or more words: try every split point.
      for (let rest = at; rest <= words.length; rest++) this.walk(hash, words, rest, found);
    }
    if (at === words.length) {
      if (node.destinations.length > 0) found(node.destinations);
      return;
    }
    const word = words[at];
    if (word !== '#' && word !== '*') {
      const exact = node.children.get(word);
      if (exact) this.walk(exact, words, at + 1, found);
    }
    const star = node.children.get('*');
    if (star) this.walk(star, words, at + 1, found);
  }
}
