/** The example models' training steps compile: the same losses as eager, fewer kernels. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { CNN, MLP, MNISTModel } from "../../examples/src/mnist/models.js";

const models: [string, () => tf.Network, number][] = [
  ["seed (two Dense layers)", () => new MNISTModel(), 8],
  ["MLP", () => new MLP(3), 8],
  ["CNN", () => new CNN({ seed: 3, filters: [2, 4] }), 2],
];

describe.each(models)("compiled training step of the %s model", (_, make, batch) => {
  it("gives the eager losses over 5 Adam steps, in fewer kernels than ops", () => {
    const x = tf.randomUniform([batch, 784], 0, 1, "float32", 5);
    const y = tf.tensor(Array.from({ length: batch }, (_, i) => i % 10), [batch], "int32");
    const run = (compiled: boolean) => {
      tf.setRandomSeed(11); // the seed model's initializers draw from the global stream
      const model = make();
      const opt = new tf.train.AdamOptimizer({ learningRate: 0.01 });
      const loss = () => tf.losses.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits: model.apply(x, { training: true }) });
      const body = () => {
        const [l, grads] = tf.implicitValueAndGradients(loss)();
        opt.applyGradients(grads);
        return l;
      };
      const step = compiled ? tf.compile(body) : () => tf.tidy(body);
      const values: number[] = [];
      for (let i = 0; i < 5; i++) {
        const l = step();
        values.push(l.item() as number);
        l.dispose();
      }
      return { values, program: compiled ? (step as tf.CompiledFunction<typeof body>).concrete() : null };
    };
    const eager = run(false);
    const compiled = run(true);
    compiled.values.forEach((v, i) => expect(Math.abs(v - eager.values[i]!)).toBeLessThanOrEqual(1e-5 * Math.abs(eager.values[i]!)));
    const p = compiled.program!;
    const fused = p.kernels.filter((k) => k.fused);
    expect(fused.length).toBeGreaterThan(0);
    expect(p.kernels.length).toBeLessThan(p.ops.length);
  });
});
