/**
 * A compiled training step against the same step run eagerly, on one device: a two-layer MLP
 * (matmul + bias + relu, matmul + bias, mean squared error) trained with Adam, so the compiled
 * program carries epilogue kernels forward and backward. Reads values asynchronously, so it
 * runs on devices without synchronous reads.
 */
import * as tf from "@eager/core";

/** Losses of both runs per step and the compiled program's kernels. */
export interface CompiledStepRun {
  readonly eager: readonly number[];
  readonly compiled: readonly number[];
  readonly kernels: ReturnType<ReturnType<typeof tf.compile>["concrete"]>["kernels"];
}

/** Train the MLP `steps` steps on `device`, eagerly and with a compiled step, from the same start. */
export async function compiledMlpSteps(device: string, steps: number): Promise<CompiledStepRun> {
  // Each synchronous part runs in the device scope; values are read between them.
  const on = <T>(f: () => T): T => tf.withDevice(device, f);
  const made: tf.Tensor[] = [];
  const X = on(() => tf.randomNormal([16, 12], 0, 1, "float32", 1));
  const Y = on(() => tf.randomNormal([16, 3], 0, 1, "float32", 2));
  made.push(X, Y);
  const model = () =>
    on(() => {
      const w1 = tf.variable(tf.randomNormal([12, 10], 0, 0.4, "float32", 3));
      const b1 = tf.variable(tf.zeros([10]));
      const w2 = tf.variable(tf.randomNormal([10, 3], 0, 0.4, "float32", 4));
      const b2 = tf.variable(tf.zeros([3]));
      made.push(w1, b1, w2, b2);
      return () => tf.sub(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(X, w1), b1)), w2), b2), Y).square().mean();
    });
  const eagerLoss = model();
  const eagerOpt = new tf.train.AdamOptimizer({ learningRate: 0.02 });
  const compiledLoss = model();
  const opt = new tf.train.AdamOptimizer({ learningRate: 0.02 });
  const step = tf.compile(() => {
    const [loss, grads] = tf.implicitValueAndGradients(compiledLoss)();
    opt.applyGradients(grads);
    return loss;
  });
  const eager: number[] = [];
  const compiled: number[] = [];
  for (let i = 0; i < steps; i++) {
    const e = on(() =>
      tf.tidy(() => {
        const [loss, grads] = tf.implicitValueAndGradients(eagerLoss)();
        eagerOpt.applyGradients(grads);
        return loss;
      }),
    );
    const c = on(() => step());
    if (e.device !== device || c.device !== device) throw new Error(`compiledMlpSteps: the losses ran on "${e.device}" and "${c.device}", not "${device}"`);
    eager.push((await e.data())[0]!);
    compiled.push((await c.data())[0]!);
    e.dispose();
    c.dispose();
  }
  const kernels = on(() => step.concrete().kernels);
  for (const t of made) t.dispose();
  return { eager, compiled, kernels };
}

/**
 * Why `run` fails the bar, or null: every compiled loss within `rtol` of the eager one, the loss
 * falling, and at least two epilogue kernels (one on a matmul), all fused on `device`.
 */
export function compiledStepMismatch(run: CompiledStepRun, device: string, rtol = 1e-5): string | null {
  for (let i = 0; i < run.eager.length; i++) {
    const e = run.eager[i]!;
    const c = run.compiled[i]!;
    if (!(Math.abs(c - e) <= rtol * Math.abs(e))) return `step ${i}: compiled loss ${c}, eager ${e} (relative tolerance ${rtol})`;
  }
  if (!(run.eager[run.eager.length - 1]! < run.eager[0]!)) return `the eager loss did not fall: ${run.eager.join(", ")}`;
  const tails = run.kernels.filter((k) => k.head !== undefined);
  const where = JSON.stringify(tails);
  if (tails.length < 2) return `expected at least two epilogue kernels, got ${where}`;
  if (!tails.every((k) => k.fused && k.device === device)) return `not every epilogue kernel ran fused on ${device}: ${where}`;
  if (!tails.some((k) => k.head === "matmul")) return `no epilogue kernel has a matmul head: ${where}`;
  return null;
}
