/**
 * The conformance suite on the typed-array backend over the whole table: its kernels for the
 * required ops, optional ops as their decompositions on it. Run again on an instance whose new
 * buffers are poisoned (NaN, or an out-of-range value for int32 and bool), so a kernel that
 * leaves an output element unwritten fails.
 */
import { describe, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend, type Backend, type TypedArray } from "@eager/core/backend";
import { conformanceSuite } from "@eager/conformance";
import { createTypedArrayBackend } from "@eager/plugin-typed-array";

function poisoned(): Backend<TypedArray> {
  const b = createTypedArrayBackend({ name: "typed-array-poisoned" });
  return { ...b, alloc: (dtype, size) => b.alloc(dtype, size).fill(dtype === "bool" ? 7 : dtype === "int32" ? -123456789 : NaN) };
}

registerBackend("typed-array", () => createTypedArrayBackend(), { priority: -1, kind: "cpu" });
registerBackend("typed-array-poisoned", poisoned, { priority: -1, kind: "cpu" });
await tf.ready("typed-array");
await tf.ready("typed-array-poisoned");
conformanceSuite({ device: "typed-array", describe, it });
conformanceSuite({ device: "typed-array-poisoned", describe, it });
