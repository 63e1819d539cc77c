/**
 * The seed walkthrough: eager ops, host control flow on tensors, gradients (including
 * higher order) and a custom gradient. Run: `pnpm walkthrough`. Each step prints its value.
 */
import * as tf from "@eager/core";

/** Print `label: value` and return the value, so tests can check every printed line. */
export type Log = (label: string, value: unknown) => void;

export async function walkthrough(log: Log = (label, value) => console.log(`${label}: ${String(value)}`)): Promise<void> {
  await tf.ready();

  // Ops run at once and return concrete values.
  log("matmul([[2]], [[2]])", tf.matmul([[2]], [[2]]));

  // Host control flow: the Collatz sequence from 12 with a JS while loop and if on tensors.
  let x = tf.scalar(12);
  const steps: number[] = [x.item() as number];
  while (tf.notEqual(x, 1).item()) {
    x = tf.equal(tf.mod(x, 2), 1).item() ? tf.add(tf.mul(x, 3), 1) : tf.floorDiv(x, 2);
    steps.push(x.item() as number);
  }
  log("collatz(12)", steps.join(" -> "));

  // Gradients of plain functions, and gradients of gradients.
  const square = (v: tf.Tensor) => tf.mul(v, v);
  const grad = tf.gradientsFunction(square);
  const gradgrad = tf.gradientsFunction((v) => grad(v)[0]!);
  log("d/dx square at 3", grad(3)[0]);
  log("d2/dx2 square at 3", gradgrad(3)[0]);

  // Host control flow inside a differentiated function.
  const abs = (v: tf.Tensor) => (tf.greater(v, 0).item() ? v : tf.neg(v));
  const absGrad = tf.gradientsFunction(abs);
  log("d/dx abs at 2", absGrad(2)[0]);
  log("d/dx abs at -2", absGrad(-2)[0]);

  // log(1 + e^x): the naive gradient overflows at 100; a custom gradient fixes it.
  const log1pexp = (v: tf.Tensor) => tf.log(tf.add(1, tf.exp(v)));
  const naive = tf.gradientsFunction(log1pexp);
  log("naive d/dx log1pexp at 0", naive(0)[0]);
  log("naive d/dx log1pexp at 100", naive(100)[0]);
  const stable = tf.customGradient((v) => {
    const e = tf.exp(v);
    return [tf.log(tf.add(1, e)), (dy) => tf.mul(dy, tf.sub(1, tf.div(1, tf.add(1, e))))];
  });
  const stableGrad = tf.gradientsFunction(stable);
  log("custom d/dx log1pexp at 0", stableGrad(0)[0]);
  log("custom d/dx log1pexp at 100", stableGrad(100)[0]);
}

const isMain = typeof process !== "undefined" && process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"));
if (isMain) await walkthrough();
