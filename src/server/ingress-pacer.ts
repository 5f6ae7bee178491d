import { Deque } from '../broker/deque.js';

/** Something whose input was put off to a later turn of the event loop. */
export interface PacedInput {
  /** Handle the input put off so far and read the socket again. */
  resumeInput(): void;
}

/**
 * Bounds how many incoming bytes are handled per turn of the event loop.
 *
 * libuv reads every ready socket in one poll phase, each up to 32 × 64 KiB. With a
 * thousand publishers that is seconds of routing before the loop reaches timers
 * (heartbeats), flushes to consumers or the HTTP API: consumers starve, clients time
 * out, and output piles up in memory. Past the budget a connection keeps its chunk,
 * pauses its socket and waits in line; each turn starts with the oldest waiters, so
 * every publisher gets its share and the loop keeps turning.
 */
export class IngressPacer {
  private spent = 0;
  private readonly waiting = new Deque<PacedInput>();
  private turnScheduled = false;
  private readonly nextTurn = () => this.startTurn();

  constructor(private readonly bytesPerTurn: number) {}

  /** Whether `bytes` may be handled in this turn; they are counted if so. */
  admit(bytes: number): boolean {
    if (this.spent >= this.bytesPerTurn) return false;
    this.charge(bytes);
    return true;
  }

  /** Counts bytes handled regardless of the budget (input already put off once). */
  charge(bytes: number): void {
    this.spent += bytes;
    this.scheduleTurn();
  }

  /** `input` was refused this turn: call it back in a later one. */
  wait(input: PacedInput): void {
    this.waiting.push(input);
    this.scheduleTurn();
  }

  private scheduleTurn(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    setImmediate(this.nextTurn);
  }

  private startTurn(): void {
    this.turnScheduled = false;
    this.spent = 0;
    // Waiters first, oldest first; those left over go first in the next turn.
    while (this.waiting.length > 0 && this.spent < this.bytesPerTurn) this.waiting.shift()!.resumeInput();
    if (this.waiting.length > 0) this.scheduleTurn();
  }
}
