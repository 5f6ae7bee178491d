import type { Destination } from '../binding.js';

/**
 * Destinations grouped by a key (routing key, topic pattern). A destination appears
 * once per binding, so removing one of two bindings with the same key (say, with
 * different arguments) keeps the other; routing drops the duplicates.
 */
export class DestinationIndex {
  private readonly byKey = new Map<string, Destination[]>();

  get(key: string): readonly Destination[] | undefined {
    return this.byKey.get(key);
  }

  add(key: string, destination: Destination): void {
    const list = this.byKey.get(key);
    if (list) list.push(destination);
    else this.byKey.set(key, [destination]);
  }

  /** Returns true when `key` has no destinations left. */
  remove(key: string, destination: Destination): boolean {
    const list = this.byKey.get(key);
    if (!list) return true;
    const at = list.indexOf(destination);
    if (at >= 0) list.splice(at, 1);
    if (list.length > 0) return false;
    this.byKey.delete(key);
    return true;
  }
}
