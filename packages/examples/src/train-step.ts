/**
 * One training step of the examples, eager or compiled: the loss and its gradients for a batch
 * (x, y), the optimizer's update, and the loss returned. The compiled step is `tf.compile` of
 * the same body with a `null` batch dimension in its input signature, so batches of every size
 * (the last, smaller one included) replay one trace. Both modes free everything but the loss.
 */
import { compile, implicitValueAndGradients, tidy, type Program, type Tensor, type TensorSignature, type train } from "@eager/core";

/** How a training step runs: op by op, or as one compiled program. */
export type StepMode = "eager" | "compiled";

/** Parse a `--step` value. */
export function parseStepMode(v: string | undefined): StepMode {
  if (v !== "eager" && v !== "compiled") throw new Error(`--step must be eager or compiled, got ${v}`);
  return v;
}

/** A training step: call it with a batch, get the (scalar) loss; the caller disposes it. */
export interface TrainStep {
  (x: Tensor, y: Tensor): Tensor;
  readonly mode: StepMode;
  /** How many times the compiled step traced (0 for an eager step). */
  readonly traceCount: number;
  /** The batch sizes it has been called with. */
  readonly batchSizes: ReadonlySet<number>;
  /** The compiled program for a batch like (x, y) (null for an eager step). */
  program(x: Tensor, y: Tensor): Program | null;
  /** Free the compiled programs. */
  dispose(): void;
}

/**
 * A step that minimizes `lossFn(x, y)` with `optimizer`. `signature` gives the shapes of x and
 * y after the batch dimension (e.g. `{ x: [784], y: [] }`), which the compiled step marks `null`.
 * @example const step = makeTrainStep(loss, adam, "compiled", { x: [784], y: [] }); step(x, y).dispose();
 */
export function makeTrainStep(
  lossFn: (x: Tensor, y: Tensor) => Tensor,
  optimizer: train.Optimizer,
  mode: StepMode,
  signature: { x: readonly number[]; y: readonly number[] },
  name = "train step",
): TrainStep {
  const body = (x: Tensor, y: Tensor): Tensor => {
    const [loss, grads] = implicitValueAndGradients(lossFn)(x, y);
    optimizer.applyGradients(grads);
    return loss;
  };
  const batchSizes = new Set<number>();
  if (mode === "eager") {
    const step = ((x: Tensor, y: Tensor) => {
      batchSizes.add(x.shape[0]!);
      return tidy(() => body(x, y));
    }) as TrainStep;
    Object.assign(step, { mode, traceCount: 0, batchSizes, program: () => null, dispose: () => {} });
    return step;
  }
  const inputSignature: TensorSignature[] = [{ shape: [null, ...signature.x] }, { shape: [null, ...signature.y] }];
  const compiled = compile(body, { inputSignature, name });
  const step = ((x: Tensor, y: Tensor) => {
    batchSizes.add(x.shape[0]!);
    return compiled(x, y);
  }) as TrainStep;
  Object.defineProperty(step, "traceCount", { get: () => compiled.traceCount });
  Object.assign(step, { mode, batchSizes, program: (x: Tensor, y: Tensor) => compiled.concrete(x, y), dispose: () => compiled.dispose() });
  return step;
}

/**
 * "traced once" (for how many batch sizes), or, when there were more traces, how they relate to
 * the batch sizes seen: a trace that uses the batch size other than linearly (or draws a random
 * tensor of batch shape, or runs control flow) serves only that size, so each size seen gets its
 * own program, traced once. Sizes linear in the batch (a reshape to [batch, 1], a mean's count)
 * are recomputed per size from the one trace.
 */
export function describeTraces(step: TrainStep): string {
  const n = step.traceCount;
  const sizes = [...step.batchSizes].sort((a, b) => b - a);
  if (n <= 1) {
    if (n === 0) return "traced never";
    return sizes.length > 1 ? `traced once for ${sizes.length} batch sizes (${sizes.join(", ")}): one program serves every size` : "traced once";
  }
  if (n === sizes.length)
    return `traced ${n} times, once per batch size (${sizes.join(", ")}): the trace depends on the batch size other than linearly (a size computed from it, a random tensor or a loop of batch shape), so each size gets its own program`;
  return `traced ${n} times for ${sizes.length} batch size${sizes.length === 1 ? "" : "s"} (${sizes.join(", ")})`;
}

/** Kernel counts of a compiled program: kernels launched, how many are fused, and the ops in each fused one. */
export interface KernelSummary {
  readonly ops: number;
  readonly kernels: number;
  readonly fused: number;
  /** Ops per fused kernel, in program order. */
  readonly opsPerFused: number[];
}

/** Count the kernels of `p` (after a run, so that each kernel's device and fusion are known). */
export function kernelSummary(p: Program): KernelSummary {
  const fused = p.kernels.filter((k) => k.fused);
  return { ops: p.ops.length, kernels: p.kernels.length, fused: fused.length, opsPerFused: fused.map((k) => k.ops.length) };
}

/** One line: "23 ops in 12 kernels, 5 fused (ops per fused kernel: 2 ops x3, 4 ops x2)". */
export function formatKernelSummary(s: KernelSummary): string {
  const counts = new Map<number, number>();
  for (const n of s.opsPerFused) counts.set(n, (counts.get(n) ?? 0) + 1);
  const per = [...counts].sort((a, b) => a[0] - b[0]).map(([n, c]) => `${n} ops x${c}`);
  return `${s.ops} ops in ${s.kernels} kernels, ${s.fused} fused${per.length ? ` (ops per fused kernel: ${per.join(", ")})` : ""}`;
}
