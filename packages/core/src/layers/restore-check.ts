/**
 * After a layer's first call, every value a checkpoint deferred to it (restore-on-create) must
 * have found its weight. Values left over mean the checkpoint does not fit the model (other
 * layer names, a layer fewer, no bias): that is an error, unless the restore allowed a partial
 * match, in which case the leftovers are dropped.
 */
import type { Layer } from "./layer.js";
import { CheckpointError } from "../train/safetensors.js";

/** Settle `layer`'s deferred values after its first call; `out` is disposed if this throws. */
export function checkRestoredAllUsed(layer: Layer<any, any>, out: unknown): void {
  const left = [...layer._deferred!.keys()];
  const strict = layer._deferredStrict;
  layer._deferred = null;
  if (!strict) return;
  if (out !== null && typeof out === "object" && typeof (out as { dispose?: unknown }).dispose === "function") (out as { dispose(): void }).dispose();
  const shown = left.slice(0, 5).map((k) => `"${layer.path}/${k}"`).join(", ");
  throw new CheckpointError(
    `${layer.path}: the restored checkpoint holds ${left.length} value${left.length === 1 ? "" : "s"} that match no weight of the built model (${shown}${left.length > 5 ? ", ..." : ""}); ` +
      `the checkpoint does not fit this model, or pass { allowPartial: true } to restore to ignore them`,
  );
}
