import { Deque } from '../broker/deque.js';
import type { SyncOutcome } from '../storage/durability.js';

/** A run of consecutive publishes with the same outcome, ending at `upTo`. */
interface Run {
  upTo: number;
  ok: boolean;
}

/**
 * A confirm-mode channel's publisher confirms. A publish is confirmed once every
 * queue it reached has it durably (its epoch synced); confirms go out in publish
 * order, as few frames as possible (`multiple` over runs), nack where a sync failed.
 */
export class ConfirmTracker {
  private readonly waiting = new Deque<{ seq: number; epoch: number; ok: boolean }>();
  private lastWaitingEpoch = 0;
  private readonly runs: Run[] = [];
  private lastSent = 0;

  get hasWaiting(): boolean {
    return this.waiting.length > 0;
  }

  /**
   * Publish `seq` is done as far as routing goes; it still needs `epoch` synced (0:
   * nothing). `ok` false (a queue refused it) makes it a nack whatever the sync says.
   */
  add(seq: number, epoch: number, syncedEpoch: number, ok = true): void {
    if (this.waiting.length === 0 && epoch <= syncedEpoch) {
      this.resolve(seq, ok);
      return;
    }
    // Confirms leave in order, so a publish never overtakes an earlier one still waiting.
    this.lastWaitingEpoch = Math.max(this.lastWaitingEpoch, epoch);
    this.waiting.push({ seq, epoch: this.lastWaitingEpoch, ok });
  }

  /** Resolves what a group commit covered; returns true if anything became ready to send. */
  synced(outcome: SyncOutcome): boolean {
    let resolved = false;
    let head = this.waiting.peek();
    while (head !== undefined && head.epoch <= outcome.epoch) {
      this.waiting.shift();
      this.resolve(head.seq, outcome.ok && head.ok);
      resolved = true;
      head = this.waiting.peek();
    }
    return resolved;
  }

  /** The frames to send now: [deliveryTag, multiple, ok, how many publishes it covers] per run. */
  drain(): [number, boolean, boolean, number][] {
    const frames: [number, boolean, boolean, number][] = [];
    for (const run of this.runs) {
      const count = run.upTo - this.lastSent;
      frames.push([run.upTo, count > 1, run.ok, count]);
      this.lastSent = run.upTo;
    }
    this.runs.length = 0;
    return frames;
  }

  get hasReady(): boolean {
    return this.runs.length > 0;
  }

  private resolve(seq: number, ok: boolean): void {
    const last = this.runs[this.runs.length - 1];
    if (last !== undefined && last.ok === ok) last.upTo = seq;
    else this.runs.push({ upTo: seq, ok });
  }
}
