/**
 * The example models as export cases (weights built with fixed seeds): the seed MNISTModel, the
 * MLP and the CNN. Adding a model is one entry.
 */
import * as tf from "@eager/core";
import { CNN, MLP, MNISTModel } from "../../packages/examples/src/mnist/models.js";
import type { ExportCase } from "./op-families.js";

function networkCase(name: string, make: () => tf.Network): ExportCase {
  const net = make();
  net.apply(tf.zeros([1, 784]));
  return { name, target: net, fn: (x) => net.apply(x), signature: [{ shape: [null, 784] }], inputs: (n) => [tf.randomUniform([Math.max(n, 1), 784], 0, 1, "float32", 20 + n)] };
}

export const modelCases: readonly ExportCase[] = [
  networkCase("MNISTModel", () => new MNISTModel()),
  networkCase("MLP", () => new MLP(1)),
  networkCase("CNN", () => new CNN({ seed: 1 })),
];
