/**
 * Which required kernels a backend lacks, and the registration rule built on it: a backend
 * that reads only asynchronously must cover the required set (fallback would need a
 * synchronous read). Imports only the op table and errors, so the registry can use it freely.
 */
import { BackendCapabilityError } from "../errors.js";
import { requiredOps, type RequiredOpName } from "../ops/table.js";
import type { Backend } from "../plugin.js";

/** The required ops `backend` has no kernel for. */
export function missingRequired(backend: Backend<any>): RequiredOpName[] {
  return requiredOps.filter((op) => !(op in backend.kernels));
}

/**
 * Refuse a backend that cannot read synchronously and lacks required kernels: fallback moves
 * inputs with a synchronous read, so such a backend could not run those ops at all. It must
 * cover the required set; optional ops then run as decompositions on it.
 */
export function checkAsyncCoverage(backend: Backend<any>, name: string): void {
  if (backend.capabilities?.syncRead !== false && typeof backend.readSync === "function") return;
  const missing = missingRequired(backend);
  if (missing.length > 0)
    throw new BackendCapabilityError(
      `backend "${name}" reads only asynchronously, so it must provide every required op; it lacks ${missing.length}: ${missing.join(", ")}`,
    );
}
