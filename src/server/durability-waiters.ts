import type { Channel } from './channel.js';
import type { Durability } from '../storage/durability.js';

/**
 * The channels waiting for a group commit (confirms, durable declare-oks). One storage
 * subscription serves them all, so a sync costs nothing for the many channels that wait
 * for nothing.
 */
export class DurabilityWaiters {
  private readonly waiting = new Set<Channel>();

  constructor(durability: Durability) {
    durability.onSynced((outcome) => {
      for (const channel of this.waiting) {
        if (!channel.synced(outcome)) this.waiting.delete(channel);
      }
    });
  }

  add(channel: Channel): void {
    this.waiting.add(channel);
  }
}
