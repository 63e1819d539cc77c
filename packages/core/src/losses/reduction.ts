/**
 * How a loss turns per-example (or per-element) values into what it returns: "none" keeps
 * them, "sum" adds them, "mean" (the default) averages them.
 */
import { mean, sum } from "../api/reduce.js";
import { InvalidArgumentError } from "../errors.js";
import type { Tensor } from "../tensor.js";

/** Reduction of a loss. */
export type Reduction = "none" | "sum" | "mean";

/** Apply `reduction` to per-example losses (disposing them when reduced). */
export function reduceLoss(values: Tensor, reduction: Reduction | undefined, where: string): Tensor {
  switch (reduction ?? "mean") {
    case "none":
      return values;
    case "sum": {
      const s = sum(values);
      values.dispose();
      return s;
    }
    case "mean": {
      const m = mean(values);
      values.dispose();
      return m;
    }
    default:
      throw new InvalidArgumentError(`${where}: reduction must be "none", "sum" or "mean", got ${JSON.stringify(reduction)}`);
  }
}
