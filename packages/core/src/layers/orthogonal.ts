/**
 * The orthogonal initializer (Saxe et al.), Keras' default for recurrent kernels: a random
 * matrix with orthonormal rows or columns, from the QR decomposition of a normal matrix. The
 * work runs on the host in float64, so the same seed gives the same weights on every backend.
 */
import { streamFor } from "../api/random.js";
import { allocArray } from "../dtype.js";
import { tensorFromHost } from "../engine/dispatch.js";
import { InvalidArgumentError } from "../errors.js";
import type { Initializer, SeedOptions } from "./initializers.js";

/**
 * Q of the QR decomposition of a [rows, cols] normal matrix (rows >= cols), each column's sign
 * fixed by R's diagonal (so the distribution is uniform), by modified Gram-Schmidt.
 */
function orthonormalColumns(rows: number, cols: number, normal: () => number): Float64Array {
  const a = new Float64Array(rows * cols);
  for (let i = 0; i < a.length; i++) a[i] = normal();
  for (let j = 0; j < cols; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < rows; i++) dot += a[i * cols + k]! * a[i * cols + j]!;
      for (let i = 0; i < rows; i++) a[i * cols + j]! -= dot * a[i * cols + k]!;
    }
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += a[i * cols + j]! ** 2;
    norm = Math.sqrt(norm);
    // R[j][j] = norm > 0, so the sign correction is already +1.
    for (let i = 0; i < rows; i++) a[i * cols + j]! /= norm;
  }
  return a;
}

/**
 * A (semi-)orthogonal matrix times `gain`; a weight of rank > 2 is flattened to
 * [prod(leading axes), last axis].
 * @example orthogonal({ seed: 1 })([4, 4], "float32") // W with W^T W = I
 */
export function orthogonal(options: SeedOptions & { gain?: number } = {}): Initializer {
  const gain = options.gain ?? 1;
  return (shape, dtype) => {
    if (shape.length < 2) throw new InvalidArgumentError(`orthogonal: needs a weight of rank >= 2, got shape [${shape.join(", ")}]`);
    const cols = shape[shape.length - 1]!;
    const rows = shape.slice(0, -1).reduce((p, d) => p * d, 1);
    const u = streamFor(options.seed);
    let spare: number | null = null;
    const normal = (): number => {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      const r = Math.sqrt(-2 * Math.log(1 - u()));
      const t = 2 * Math.PI * u();
      spare = r * Math.sin(t);
      return r * Math.cos(t);
    };
    const out = allocArray(dtype, rows * cols);
    if (rows >= cols) {
      const q = orthonormalColumns(rows, cols, normal);
      for (let i = 0; i < q.length; i++) out[i] = gain * q[i]!;
    } else {
      const q = orthonormalColumns(cols, rows, normal); // [cols, rows]; the weight is its transpose
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = gain * q[j * rows + i]!;
    }
    return tensorFromHost(out, shape, dtype);
  };
}
