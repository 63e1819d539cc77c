/**
 * Streaming metrics: Mean (of every value passed to `update`) and the Metric base class.
 * State stays on the device (no readback per update); `result()` reads it once.
 */
import { add, cast } from "../api/elementwise.js";
import { sum } from "../api/reduce.js";
import { toTensor } from "../engine/dispatch.js";
import { tidy } from "../engine/memory.js";
import type { Tensor, TensorLike } from "../tensor.js";

/** A metric: accumulate with `update`, read with `result`, start over with `reset`. */
export abstract class Metric {
  protected total: Tensor | null = null;
  protected count = 0;

  /** Add `amount` (a scalar tensor, consumed) and `n` to the running total and count. */
  protected accumulate(amount: Tensor, n: number): void {
    const prev = this.total;
    this.total = (prev ? add(prev, amount) : amount)._keep();
    if (prev) {
      prev.dispose();
      amount.dispose();
    }
    this.count += n;
  }

  /** The metric's value now (NaN before any update). Reads the device synchronously. */
  result(): number {
    return this.total && this.count > 0 ? Number(this.total.dataSync()[0]) / this.count : NaN;
  }
  /** Like `result`, for devices that read back asynchronously. */
  async resultAsync(): Promise<number> {
    return this.total && this.count > 0 ? Number((await this.total.data())[0]) / this.count : NaN;
  }
  /** Forget everything accumulated. */
  reset(): void {
    this.total?.dispose();
    this.total = null;
    this.count = 0;
  }
  /** Free the tensor this metric holds (same as `reset`); the metric stays usable. */
  dispose(): void {
    this.reset();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * The mean of all values passed to `update` (each element counts once).
 * @example const m = new Mean(); m.update(tensor([1, 2])); m.update(6); m.result() // 3
 */
export class Mean extends Metric {
  /** Add the elements of `values` (not disposed). */
  update(values: TensorLike): void {
    const t = toTensor(values, "Mean.update");
    const s = tidy(() => cast(sum(t), "float32"));
    this.accumulate(s, t.size);
    if (t !== values) t.dispose();
  }
}
