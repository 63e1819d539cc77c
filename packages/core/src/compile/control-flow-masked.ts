/**
 * Control flow on a device that cannot read a predicate synchronously (webgpu): `cond` runs both
 * branches and selects with `where`, a bounded `whileLoop` runs `maxIterations` masked steps in
 * which finished loop variables pass through unchanged. Every decision stays on the device.
 */
import { InvalidArgumentError } from "../errors.js";
import { runOp } from "../engine/dispatch.js";
import type { Tensor } from "../tensor.js";

/** Whether `p`'s value can be read on the host now (it holds a value on a device with synchronous reads). */
export function canReadPredicate(p: Tensor): boolean {
  const s = p._storage;
  return s !== null && s.backend.capabilities.syncRead;
}

/** A one-element predicate as a bool scalar on its device (nonzero, NaN included, is true); `p` itself when it already is one. */
export function predicateMask(p: Tensor, what: string): Tensor {
  if (p.size !== 1) throw new InvalidArgumentError(`${what}: the predicate must have one element, got ${p.describe()}`);
  const scalar = p.rank === 0 ? p : runOp("reshape", [p], { shape: [] })[0]!;
  if (scalar.dtype === "bool") return scalar;
  try {
    return runOp("notEqual", [scalar, 0], {})[0]!;
  } finally {
    if (scalar !== p) scalar.dispose();
  }
}

/** `where(mask, a[i], b[i])` for each pair (equal shapes and dtypes). */
export function selectEach(mask: Tensor, a: readonly Tensor[], b: readonly Tensor[]): Tensor[] {
  const out: Tensor[] = [];
  try {
    for (let i = 0; i < a.length; i++) out.push(runOp("where", [mask, a[i]!, b[i]!], {})[0]!);
  } catch (e) {
    for (const t of out) t.dispose();
    throw e;
  }
  return out;
}

/** The error for an unbounded loop whose condition lives where the host cannot read it. */
export function unboundedLoopError(c: Tensor): InvalidArgumentError {
  return new InvalidArgumentError(
    `whileLoop: the loop condition is on device "${c.device}", which cannot be read synchronously, so the loop cannot decide on the host when to stop. ` +
      `Pass { maxIterations }: the loop then runs that many steps on the device, and loop variables stop changing once the condition is false`,
  );
}

/**
 * `max` masked steps of a loop: at each step `keep = active && cond(vars)`, the body runs and
 * `vars = where(keep, body(vars), vars)`. `firstCond` is the condition already computed for the
 * initial variables. Tensors for which `ours` holds (made by the loop's functions, not captured)
 * are freed once replaced; the returned variables are new tensors, or the initial ones when `max` is 0.
 */
export function maskedLoop(
  cond: (vars: readonly Tensor[]) => Tensor,
  body: (vars: readonly Tensor[]) => Tensor[],
  init: readonly Tensor[],
  max: number,
  firstCond: Tensor,
  ours: (t: Tensor) => boolean,
): Tensor[] {
  const drop = (t: Tensor): void => {
    if (ours(t)) t.dispose();
  };
  let vars = init as Tensor[];
  let owned = false;
  let active: Tensor | null = null;
  let c: Tensor | null = firstCond;
  try {
    for (let i = 0; i < max; i++) {
      c ??= cond(vars);
      const now = predicateMask(c, "whileLoop");
      if (now !== c) drop(c);
      c = null;
      let keep = now;
      if (active) {
        keep = runOp("logicalAnd", [active, now], {})[0]!;
        drop(now);
        drop(active);
      }
      active = keep;
      const next = body(vars);
      let chosen: Tensor[];
      try {
        chosen = selectEach(keep, next, vars);
      } finally {
        for (const t of next) drop(t);
      }
      if (owned) for (const v of vars) v.dispose();
      vars = chosen;
      owned = true;
    }
    owned = false;
    return vars;
  } finally {
    if (c) drop(c);
    if (active) drop(active);
    if (owned) for (const v of vars) v.dispose();
  }
}
