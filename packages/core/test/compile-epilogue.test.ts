/** Epilogue fusion: a matmul, conv2d or reduction with an elementwise tail runs as one kernel and equals the ops run one by one. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { createReferenceBackend, epilogueHeads, registerBackend } from "@eager/core/backend";
import { agree } from "./helpers/random-graph.js";

const rand = (shape: number[], seed: number): tf.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, (_, k) => Math.sin(seed * 7.1 + k * 1.37) * 2), shape);
};

/** Compile `f`, check it against eager exactly, and return the program's kernels. */
function check(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[]) {
  const eager = f(...xs);
  const g = tf.compile(f);
  const got = g(...xs);
  const why = agree(got, eager, 0);
  if (why) throw new Error(`${why}\n${g.concrete(...xs).toString()}`);
  return g.concrete(...xs);
}

describe("epilogue fusion on the reference backend", () => {
  it("names its heads", () => {
    expect(epilogueHeads).toEqual(["matmul", "conv2d", "sum", "max", "mean"]);
  });

  it("matmul + bias + relu is one kernel", () => {
    const p = check((x, w, b) => tf.relu(tf.add(tf.matMul(x, w), b)), [rand([5, 7], 1), rand([7, 3], 2), rand([3], 3)]);
    expect(p.kernels).toEqual([{ ops: ["matmul", "add", "relu"], device: "reference", fused: true, head: "matmul" }]);
    expect(p.toString()).toContain("epilogue[matmul > add > relu]");
    expect(p.toString()).toContain("(1 fused, 1 with an epilogue)");
  });
});
