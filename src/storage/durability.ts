import type { SyncResult } from './sync-scheduler.js';

/** One completed group commit: everything written in `epoch` is durable if ok. */
export type SyncOutcome = SyncResult;

/** What a protocol needs to know about storage to confirm only what is on disk. */
export interface Durability {
  /** Highest epoch whose group commit has completed. */
  readonly syncedEpoch: number;
  /** Epoch of the latest definitions change still waiting for its sync (0 when none). */
  readonly pendingDefinitionsEpoch: number;
  /** Called after every group commit, in epoch order; returns an unsubscribe function. */
  onSynced(listener: (outcome: SyncOutcome) => void): () => void;
}
