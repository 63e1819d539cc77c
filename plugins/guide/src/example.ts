/**
 * The guide's example backend (plugins/README.md includes this file verbatim): "mini", a
 * partial backend on typed arrays with two required kernels (add, mul) and a fast kernel
 * for one optional op (relu). Everything else it lacks runs elsewhere, and says so.
 */
import * as tf from "@eager/core";
import { allocArray, broadcastStrides, DTYPES, registerBackend, stridesOf, type Backend, type KernelTensor, type TypedArray } from "@eager/core/backend";

type T = KernelTensor<TypedArray>;

/** y = f(a, b) with broadcasting: core allocated y; the kernel writes every element of it. */
function binary(f: (a: number, b: number) => number) {
  return ([a, b]: readonly T[], [y]: readonly T[]) => {
    const sa = broadcastStrides(a!.shape, y!.shape);
    const sb = broadcastStrides(b!.shape, y!.shape);
    const sy = stridesOf(y!.shape);
    for (let i = 0; i < y!.size; i++) {
      let ia = 0;
      let ib = 0;
      for (let d = 0; d < sy.length; d++) {
        const k = Math.floor(i / sy[d]!) % y!.shape[d]!;
        ia += k * sa[d]!;
        ib += k * sb[d]!;
      }
      y!.data[i] = f(a!.data[ia]!, b!.data[ib]!);
    }
  };
}

/** The backend: buffers are typed arrays; it reads synchronously, so it may be partial. */
export function createMiniBackend(): Backend<TypedArray> {
  return {
    name: "mini",
    capabilities: { kind: "cpu", dtypes: DTYPES, syncRead: true, ops: ["add", "mul", "relu"] },
    kernels: {
      add: binary((a, b) => a + b),
      mul: binary((a, b) => a * b),
      // relu is optional (its decomposition is maximum(x, 0)); this kernel is the fast path.
      relu: ([x], [y]) => {
        for (let i = 0; i < y!.size; i++) y!.data[i] = x!.data[i]! > 0 ? x!.data[i]! : 0;
      },
    },
    alloc: (dtype, size) => allocArray(dtype, size),
    write: (buffer, data) => buffer.set(data),
    read: async (buffer) => buffer.slice(),
    readSync: (buffer) => buffer.slice(),
    free: () => undefined,
  };
}

/** Register "mini", run a few ops on it and return what ran where. */
export async function runMini(): Promise<{ y: number[]; m: number[]; report: tf.PlacementReport }> {
  registerBackend("mini", createMiniBackend, { kind: "cpu", priority: -1 });
  await tf.ready("mini");
  tf.setFallbackPolicy("auto"); // "warn" (the default) also prints each fallback once
  tf.resetPlacementReport();
  const y = tf.withDevice("mini", () => tf.relu(tf.add(tf.mul([[1, -2], [3, -4]], 2), 1)));
  // mean is optional: it runs as its decomposition on "mini"; that needs sum (required), which
  // "mini" lacks, so sum falls back to the reference backend.
  const m = tf.withDevice("mini", () => tf.mean(y, 1));
  const result = { y: Array.from(await y.data()), m: Array.from(await m.data()), report: tf.placementReport() };
  y.dispose(); // tensors are freed explicitly (or by tidy); the backend's free() runs then
  m.dispose();
  return result;
}
