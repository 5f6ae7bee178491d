type Listener = (...args: unknown[]) => void;

/**
 * A typed event hub: any number of listeners per event (storage, policies, metrics,
 * the UI and replication can all follow the same change), each removable on its own.
 * Listeners run synchronously in the order they were added, so a listener sees the
 * change before the call that made it returns (storage journals a declare before its
 * declare-ok is sent).
 */
export class Events<EventMap extends { [event: string]: unknown[] }> {
  // Each list holds listeners of its own event's signature; the map cannot say so by itself.
  private readonly listeners = new Map<keyof EventMap, Listener[]>();

  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof EventMap>(event: E, listener: (...args: EventMap[E]) => void): () => void {
    const stored = listener as Listener;
    const list = this.listeners.get(event);
    if (list) list.push(stored);
    else this.listeners.set(event, [stored]);
    return () => {
      const current = this.listeners.get(event);
      const at = current?.indexOf(stored) ?? -1;
      if (at >= 0) current!.splice(at, 1);
    };
  }

  emit<E extends keyof EventMap>(event: E, ...args: EventMap[E]): void {
    const list = this.listeners.get(event) as ((...args: EventMap[E]) => void)[] | undefined;
    if (list === undefined) return;
    if (list.length === 1) return list[0](...args);
    for (const listener of [...list]) listener(...args);
  }

  /** Whether anyone listens (lets hot paths skip building an event nobody reads). */
  has(event: keyof EventMap): boolean {
    return (this.listeners.get(event)?.length ?? 0) > 0;
  }
}
