import type { Binding, Destination } from '../binding.js';
import { Exchange } from '../exchange.js';
import type { Message } from '../message.js';
import type { Routes } from '../routes.js';
import { TopicTrie, topicWords } from './topic-trie.js';

/** Recent routing keys and what they matched; most publishers reuse a few keys. */
const CACHE_LIMIT = 4096;

/** Routes by pattern: `*` one word, `#` zero or more words. */
export class TopicExchange extends Exchange {
  readonly type = 'topic';
  private readonly trie = new TopicTrie();
  private readonly cache = new Map<string, readonly Destination[]>();

  route(_message: Message, routingKey: string, routes: Routes): void {
    let destinations = this.cache.get(routingKey);
    if (destinations === undefined) {
      destinations = this.match(routingKey);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(routingKey, destinations);
    }
    routes.addAll(destinations);
  }

  protected indexBinding(binding: Binding): void {
    this.trie.add(binding.routingKey, binding.destination);
    this.cache.clear();
  }

  protected unindexBinding(binding: Binding): void {
    this.trie.remove(binding.routingKey, binding.destination);
    this.cache.clear();
  }

  private match(routingKey: string): Destination[] {
    const unique = new Set<Destination>();
    this.trie.match(topicWords(routingKey), (destinations) => {
      for (const destination of destinations) unique.add(destination);
    });
    return [...unique];
  }
}
