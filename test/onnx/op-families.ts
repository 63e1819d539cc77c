/**
 * One small model per op family, each a function of its inputs returning many outputs, so every
 * ONNX mapping and decomposition is exercised. Adding a model is one entry.
 */
import * as tf from "@eager/core";
import type { Tensor } from "@eager/core";

/** A model to export: its input signature (null = dynamic batch) and inputs at batch n. */
export interface ExportCase {
  readonly name: string;
  readonly fn: (...xs: Tensor[]) => Tensor | Tensor[];
  /** What is exported when it is not `fn` itself (a Network, so its weights keep their names). */
  readonly target?: tf.ExportTarget;
  readonly signature: readonly { shape: readonly (number | null)[]; dtype?: "float32" | "int32" | "bool" }[];
  readonly inputs: (n: number) => Tensor[];
}
const u = (shape: number[], lo: number, hi: number, seed: number) => tf.randomUniform(shape, lo, hi, "float32", seed);
const idx = (v: number[], shape?: number[]) => tf.tensor(v, shape, "int32");
const g = (f: (...xs: Tensor[]) => Tensor) => (...xs: Tensor[]) => tf.gradientsFunction(f)(...xs) as Tensor[];

export const familyCases: readonly ExportCase[] = [
  {
    name: "unary",
    signature: [{ shape: [null, 6] }, { shape: [null, 6] }],
    inputs: (n) => [u([n, 6], -2, 2, 1), u([n, 6], 0.1, 0.9, 2)],
    fn: (x, p) => [
      tf.neg(x), tf.abs(x), tf.sign(x), tf.exp(x), tf.expm1(x), tf.log(p!), tf.log1p(p!), tf.sqrt(p!), tf.rsqrt(p!), tf.square(x), tf.reciprocal(p!),
      tf.sin(x), tf.cos(x), tf.tan(p!), tf.asin(p!), tf.acos(p!), tf.atan(x), tf.sinh(x), tf.cosh(x), tf.tanh(x), tf.sigmoid(x), tf.softplus(x),
      tf.relu(x), tf.relu6(tf.mul(x, 4)), tf.elu(x), tf.selu(x), tf.gelu(x), tf.erf(x), tf.softsign(x), tf.floor(tf.mul(x, 3)), tf.ceil(tf.mul(x, 3)),
      tf.round(tf.mul(x, 3)), tf.isNaN(tf.log(x)), tf.isFinite(tf.div(1, tf.floor(x))), tf.logicalNot(tf.greater(x, 0)), tf.onesLike(x), tf.zerosLike(x),
      tf.stopGradient(x), tf.clipByValue(x, -0.5, 0.5), tf.leakyRelu(x, 0.1),
    ],
  },
  {
    name: "binary",
    signature: [{ shape: [null, 5] }, { shape: [null, 5] }],
    inputs: (n) => [u([n, 5], -2, 2, 3), u([n, 5], 0.5, 2, 4)],
    fn: (a, b) => [
      tf.add(a, b), tf.sub(a, b), tf.mul(a, b), tf.div(a, b), tf.floorDiv(a, b), tf.mod(a, b), tf.pow(b!, a), tf.atan2(a, tf.sub(b!, 1.2)),
      tf.squaredDifference(a, b), tf.minimum(a, b), tf.maximum(a, b), tf.equal(tf.round(a), tf.round(b!)), tf.notEqual(tf.round(a), tf.round(b!)),
      tf.less(a, b), tf.lessEqual(a, b), tf.greater(a, b), tf.greaterEqual(a, b), tf.logicalAnd(tf.greater(a, 0), tf.greater(b!, 1)),
      tf.logicalOr(tf.greater(a, 0), tf.greater(b!, 1)), tf.logicalXor(tf.greater(a, 0), tf.greater(b!, 1)), tf.where(tf.greater(a, b), a, b),
      tf.cast(tf.mul(a, 3), "int32"), tf.add(a, tf.tensor([1, 2, 3, 4, 5])), tf.div(tf.cast(tf.mul(a, 5), "int32"), tf.tensor([2, -3, 4, 2, 3], undefined, "int32")),
    ],
  },
  {
    name: "reduce",
    signature: [{ shape: [null, 4, 6] }],
    inputs: (n) => [u([n, 4, 6], -2, 2, 5)],
    fn: (x) => {
      const t = tf.topk(x, 3);
      return [
        tf.sum(x, 1), tf.mean(x, [1, 2], true), tf.prod(x, 2), tf.max(x, 1), tf.min(x, 2), tf.all(tf.greater(x, -1.5), 2), tf.any(tf.greater(x, 1.5), 1),
        tf.argMax(x, 2), tf.argMin(x, 1), t.values, t.indices, tf.cumsum(x, 2), tf.cumsum(x, 1, true, true), tf.sum(x),
      ];
    },
  },
  {
    name: "movement",
    signature: [{ shape: [null, 3, 4] }],
    inputs: (n) => [u([n, 3, 4], -2, 2, 6)],
    fn: (x) => [
      tf.reshape(x, [-1, 12]), tf.transpose(x, [0, 2, 1]), tf.broadcastTo(tf.expandDims(x, 1), [x.shape[0]!, 2, 3, 4]), tf.stridedSlice(x, [0, 2, 3], [x.shape[0]!, 0, 0], [1, -1, -2]),
      tf.slice(x, [0, 1, 1], [-1, 2, 2]), tf.pad(x, [[0, 0], [1, 0], [2, 1]], 0.5), tf.concat([x, tf.mul(x, 2)], 2), tf.stridedSliceGrad(tf.sum(x, 0), [4, 7], [3, 0], [-1, 2]),
      tf.tile(x, [1, 2, 1]), tf.reverse(x, 1),
    ],
  },
  {
    // a recurrent cell unrolled over time: per-step slices, a zero state shaped by the batch (a fill)
    name: "recurrent",
    signature: [{ shape: [null, 4, 3] }],
    inputs: (n) => [u([n, 4, 3], -1, 1, 14)],
    fn: (x) => {
      const wz = u([3, 5], -0.5, 0.5, 15), uz = u([5, 5], -0.5, 0.5, 16), wh = u([3, 5], -0.5, 0.5, 17), uh = u([5, 5], -0.5, 0.5, 18);
      let h = tf.zeros([x.shape[0]!, 5]);
      const outs: Tensor[] = [];
      for (let t = 0; t < x.shape[1]!; t++) {
        const xt = tf.reshape(tf.slice(x, [0, t, 0], [-1, 1, -1]), [-1, 3]);
        const z = tf.sigmoid(tf.add(tf.matmul(xt, wz), tf.matmul(h, uz)));
        const hh = tf.tanh(tf.add(tf.matmul(xt, wh), tf.matmul(tf.mul(z, h), uh)));
        h = tf.add(tf.mul(tf.sub(1, z), h), tf.mul(z, hh));
        outs.push(h);
      }
      return [tf.stack(outs, 1), h];
    },
  },
  {
    name: "linalg",
    signature: [{ shape: [null, 3, 4] }],
    inputs: (n) => [u([n, 3, 4], -2, 2, 7)],
    fn: (x) => [tf.matmul(x, tf.transpose(x, [0, 2, 1])), tf.matmul(x, x, true, false), tf.matmul(x, u([5, 4], -1, 1, 8), false, true)],
  },
  {
    name: "index",
    signature: [{ shape: [null, 5] }],
    inputs: (n) => [u([n, 5], -2, 2, 9)],
    fn: (x) => [
      tf.gather(x, idx([4, 0, 2]), 1), tf.gatherND(tf.transpose(x), idx([1, 0, 3, 0], [2, 2])), tf.oneHot(tf.argMax(x, 1), 5),
      tf.unsortedSegmentSum(tf.transpose(x), idx([0, 2, 0, 1, 2]), 3), tf.scatterND(idx([1, 3], [2, 1]), tf.slice(tf.transpose(x), [0, 0], [2, -1]), [4, x.shape[0]!]),
    ],
  },
  {
    name: "conv",
    signature: [{ shape: [null, 6, 6, 2] }],
    inputs: (n) => [u([n, 6, 6, 2], -1, 1, 10)],
    fn: (x) => {
      const w = u([3, 3, 2, 3], -1, 1, 11), dw = u([3, 3, 2, 2], -1, 1, 12);
      return [
        tf.conv2d(x, w, 1, "same"), tf.conv2d(x, w, [2, 1], "valid"), tf.conv2d(x, w, 1, "valid", "NHWC", [1, 2]), tf.depthwiseConv2d(x, dw, 1, "same"), tf.maxPool(x, 2, 2, "valid"), tf.avgPool(x, 3, 2, "same"),
        tf.conv2dTranspose(tf.conv2d(x, w, 2, "same"), w, [x.shape[0]!, 6, 6, 2], 2, "same"),
      ];
    },
  },
  {
    name: "conv-gradients",
    signature: [{ shape: [2, 6, 6, 2] }],
    inputs: () => [u([2, 6, 6, 2], -1, 1, 13)],
    fn: (x) => {
      const w = u([3, 3, 2, 3], -1, 1, 11), dw = u([3, 3, 2, 2], -1, 1, 12);
      return [
        ...g((x, w) => tf.conv2d(x, w, 1, "same").square().sum())(x, w),
        ...g((x, dw) => tf.depthwiseConv2d(x, dw, 1, "valid").square().sum())(x, dw),
        ...g((x) => tf.maxPool(x, 2, 2, "valid").square().sum())(x),
        ...g((x) => tf.avgPool(x, 3, 2, "same").square().sum())(x),
        ...g((x) => g((y) => tf.maxPool(y, 2, 2, "valid").square().sum())(x)[0]!.mul(x).sum())(x),
      ];
    },
  },
];
