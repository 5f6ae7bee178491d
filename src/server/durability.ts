/** One completed group commit: everything written in `epoch` is durable if ok. */
export interface SyncOutcome {
  epoch: number;
  ok: boolean;
  error?: Error;
}

/** What the server needs to know about storage to confirm only what is on disk. */
export interface Durability {
  /** Highest epoch whose group commit has completed. */
  readonly syncedEpoch: number;
  /** Epoch of the latest definitions change still waiting for its sync (0 when none). */
  readonly pendingDefinitionsEpoch: number;
  /** Called after every group commit, in epoch order; returns an unsubscribe function. */
  onSynced(listener: (outcome: SyncOutcome) => void): () => void;
}

/** A broker without storage: everything is "durable" at once. */
export const NO_DURABILITY: Durability = {
  syncedEpoch: 0,
  pendingDefinitionsEpoch: 0,
  onSynced: () => () => {},
};
