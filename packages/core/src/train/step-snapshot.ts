/**
 * Makes an optimizer step all-or-nothing. Before the step, the storage of every variable and
 * slot it may write is retained (no copy: `assign` swaps storages, it never writes in place);
 * if the step throws, each is put back. Committing releases the retained storages.
 */
import type { Storage } from "../engine/memory.js";
import type { Variable } from "../tensor.js";

/** The storages of some variables at one moment. */
export class StepSnapshot {
  private readonly saved: [Variable, Storage][] = [];

  constructor(vars: Iterable<Variable>) {
    for (const v of vars) {
      const s = v._storage;
      if (s === null || v.isDisposed) continue;
      s.retain();
      this.saved.push([v, s]);
    }
  }

  /** The step succeeded: drop the saved storages. */
  commit(): void {
    for (const [, s] of this.saved) s.release();
    this.saved.length = 0;
  }

  /** The step failed: every variable gets its storage from before the step back. */
  rollback(): void {
    for (const [v, s] of this.saved) {
      const now = v._storage;
      if (now === s || now === null) {
        s.release();
        continue;
      }
      v._storage = s; // the retained reference moves into the variable
      if (v._box) v._box.storage = s;
      now.release();
    }
    this.saved.length = 0;
  }
}
