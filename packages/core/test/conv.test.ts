/**
 * Convolution and pooling: hand-computed values, TF's SAME/VALID output sizes, the adjoint
 * identity of conv2dTranspose, gradients against central differences in float64, and errors.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import type { Tensor } from "@eager/core";

const vals = (t: Tensor): number[] => Array.from(t.dataSync() as ArrayLike<number>);

/** Deterministic values in [-1, 1). */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}
function rand(shape: number[], seed: number): Tensor {
  const r = seeded(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, r), shape, "float64");
}
const iota = (shape: number[], dtype: "float32" | "float64" = "float32"): Tensor =>
  tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i + 1), shape, dtype);
const sumOf = (t: Tensor): number => vals(tf.sum(t))[0]!;

/** Central differences of the scalar f at each element of each input, in float64. */
function numericGrads(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], h = 1e-5): number[][] {
  return inputs.map((x, k) => {
    const base = vals(x);
    return base.map((_, i) => {
      const at = (d: number): number => {
        const v = base.slice();
        v[i] = v[i]! + d;
        const args = inputs.map((t, j) => (j === k ? tf.tensor(v, x.shape, "float64") : t));
        return sumOf(f(...args));
      };
      return (at(h) - at(-h)) / (2 * h);
    });
  });
}

function expectClose(got: number[], want: number[], tol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    if (Math.abs(got[i]! - want[i]!) > tol * (1 + Math.abs(want[i]!))) expect(got[i]).toBe(want[i]);
  }
}

/**
 * First- and (optionally) second-order gradients of sum(f(...xs)^2 * R) against differences;
 * squaring makes dy depend on the inputs, so the gradient ops' own gradients are exercised.
 */
function checkGradients(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], secondOrder = true): void {
  const y = f(...inputs);
  const weights = rand([...y.shape], 99);
  const loss = (...xs: Tensor[]): Tensor => tf.sum(tf.mul(tf.square(f(...xs)), weights));
  const grads = tf.gradientsFunction(loss)(...inputs);
  const numeric = numericGrads(loss, inputs);
  grads.forEach((g, k) => expectClose(vals(g), numeric[k]!, 1e-6));
  if (!secondOrder) return;
  // g2(xs) = sum_k <d loss / d x_k, S_k>, differentiated again.
  const probes = inputs.map((x, k) => rand([...x.shape], 7 + k));
  const g2 = (...xs: Tensor[]): Tensor => {
    const gs = tf.gradientsFunction(loss)(...xs);
    return gs.map((g, k) => tf.sum(tf.mul(g, probes[k]!))).reduce((a, b) => tf.add(a, b));
  };
  const second = tf.gradientsFunction(g2)(...inputs);
  const numeric2 = numericGrads(g2, inputs);
  second.forEach((g, k) => expectClose(vals(g), numeric2[k]!, 1e-5));
}

describe("conv2d values", () => {
  // x[i][j] = 4 i + j + 1 on a 4x4 image; the diagonal kernel reads x[i][j] + 2 x[i+1][j+1] + 3 x[i+2][j+2].
  const x = iota([1, 4, 4, 1]);
  const k = tf.tensor([1, 0, 0, 0, 2, 0, 0, 0, 3], [3, 3, 1, 1]);

  it("computes a 1-channel 3x3 VALID convolution", () => {
    const y = tf.conv2d(x, k, 1, "valid");
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(vals(y)).toEqual([1 + 12 + 33, 2 + 14 + 36, 5 + 20 + 45, 6 + 22 + 48]);
  });

  it("pads SAME by one on each side for a 3x3 kernel", () => {
    const y = tf.conv2d(x, k, 1, "same");
    expect(y.shape).toEqual([1, 4, 4, 1]);
    const v = vals(y);
    expect(v[0]).toBe(2 * 1 + 3 * 6); // (0,0): x[-1][-1] is padding
    expect(v[3]).toBe(2 * 4); // (0,3): only the centre tap is inside
    expect(v[5]).toBe(1 + 12 + 33); // (1,1) equals VALID (0,0)
    expect(v[15]).toBe(11 + 2 * 16); // (3,3)
  });

  it("puts the odd SAME padding at the bottom/right, as TF does", () => {
    const y = tf.conv2d(x, tf.ones([2, 2, 1, 1]), 1, "same");
    expect(y.shape).toEqual([1, 4, 4, 1]);
    const v = vals(y);
    expect(v[0]).toBe(1 + 2 + 5 + 6);
    expect(v[15]).toBe(16);
    expect(v[3]).toBe(4 + 8);
  });

  it("strides 2 with SAME on an odd input", () => {
    const y = tf.conv2d(tf.ones([1, 5, 5, 1]), tf.ones([3, 3, 1, 1]), 2, "same");
    expect(y.shape).toEqual([1, 3, 3, 1]);
    expect(vals(y)).toEqual([4, 6, 4, 6, 9, 6, 4, 6, 4]);
  });

  it("sums over input channels and maps to output channels, with batch > 1", () => {
    // x: batch 2, 1x1 image, 2 channels; a 1x1 filter is a matmul over channels.
    const xs = tf.tensor([1, 2, 3, 4], [2, 1, 1, 2]);
    const w = tf.tensor([1, 10, 100, 2, 20, 200], [1, 1, 2, 3]);
    expect(vals(tf.conv2d(xs, w, 1, "valid"))).toEqual([1 + 4, 10 + 40, 100 + 400, 3 + 8, 30 + 80, 300 + 800]);
  });

  it("dilates the kernel", () => {
    // 2x2 kernel of ones with dilation 2 reads x[i][j] + x[i][j+2] + x[i+2][j] + x[i+2][j+2].
    const y = tf.conv2d(x, tf.ones([2, 2, 1, 1]), 1, "valid", "NHWC", 2);
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(vals(y)).toEqual([1 + 3 + 9 + 11, 2 + 4 + 10 + 12, 5 + 7 + 13 + 15, 6 + 8 + 14 + 16]);
  });

  it("takes explicit padding and HWC input", () => {
    const y = tf.conv2d(iota([2, 2, 1]), tf.ones([2, 2, 1, 1]), 1, [[0, 0], [1, 0], [0, 1], [0, 0]]);
    expect(y.shape).toEqual([2, 2, 1]);
    expect(vals(y)).toEqual([1 + 2, 2, 1 + 2 + 3 + 4, 2 + 4]);
    const z = tf.conv2d(iota([1, 2, 2, 1]), tf.ones([1, 1, 1, 1]), 1, 1);
    expect(z.shape).toEqual([1, 4, 4, 1]);
    expect(vals(z)).toEqual([0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0]);
  });

  it("is also a Tensor method", () => {
    expect(vals(x.conv2d(k, 1, "valid"))).toEqual(vals(tf.conv2d(x, k, 1, "valid")));
  });
});

describe("output sizes follow TensorFlow", () => {
  it("SAME is ceil(in / s), VALID is ceil((in - (k - 1) d) / s), for conv and pools", () => {
    for (const h of [5, 6, 7, 9])
      for (const k of [1, 2, 3])
        for (const s of [1, 2, 3])
          for (const d of s === 1 ? [1, 2] : [1]) {
            const w = h + 2;
            const x = tf.zeros([1, h, w, 1]);
            const f = tf.zeros([k, k, 1, 1]);
            const same = [1, Math.ceil(h / s), Math.ceil(w / s), 1];
            const valid = [1, Math.ceil((h - (k - 1) * d) / s), Math.ceil((w - (k - 1) * d) / s), 1];
            expect(tf.conv2d(x, f, s, "same", "NHWC", d).shape).toEqual(same);
            expect(tf.conv2d(x, f, s, "valid", "NHWC", d).shape).toEqual(valid);
            expect(tf.depthwiseConv2d(x, f, s, "same", "NHWC", d).shape).toEqual(same);
            if (d === 1) {
              expect(tf.maxPool(x, k, s, "same").shape).toEqual(same);
              expect(tf.avgPool(x, k, s, "valid").shape).toEqual(valid);
            }
          }
  });

  it("rounds numeric padding with dimRoundingMode", () => {
    // (6 - 3 + 2) / 2 + 1 = 3.5
    const x = tf.zeros([1, 6, 6, 1]);
    const f = tf.zeros([3, 3, 1, 1]);
    expect(tf.conv2d(x, f, 2, 1).shape).toEqual([1, 3, 3, 1]);
    expect(tf.conv2d(x, f, 2, 1, "NHWC", 1, "ceil").shape).toEqual([1, 4, 4, 1]);
    expect(tf.conv2d(x, f, 2, 1, "NHWC", 1, "round").shape).toEqual([1, 4, 4, 1]);
    expect(tf.maxPool(x, 3, 2, 1, "floor").shape).toEqual([1, 3, 3, 1]);
  });
});

describe("depthwiseConv2d", () => {
  it("applies a channel multiplier of 2", () => {
    // Channel 0 is 1..9, channel 1 is 10..90. Filters: c0k0 ones, c0k1 picks top-left,
    // c1k0 picks bottom-right, c1k1 is top-left minus top-right.
    const c0 = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const x = tf.tensor(c0.flatMap((v) => [v, 10 * v]), [1, 3, 3, 2]);
    const f = tf.tensor([1, 1, 0, 1, 1, 0, 0, -1, 1, 0, 0, 0, 1, 0, 1, 0], [2, 2, 2, 2]);
    const y = tf.depthwiseConv2d(x, f, 1, "valid");
    expect(y.shape).toEqual([1, 2, 2, 4]);
    expect(vals(y)).toEqual([12, 1, 50, -10, 16, 2, 60, -10, 24, 4, 80, -10, 28, 5, 90, -10]);
  });

  it("with multiplier 1 equals conv2d on each channel separately", () => {
    const x = rand([2, 5, 6, 2], 1);
    const f = rand([3, 3, 2, 1], 2);
    const y = tf.depthwiseConv2d(x, f, 2, "same");
    for (let c = 0; c < 2; c++) {
      const xc = tf.tensor(vals(x).filter((_, i) => i % 2 === c), [2, 5, 6, 1], "float64");
      const fc = tf.tensor(vals(f).filter((_, i) => i % 2 === c), [3, 3, 1, 1], "float64");
      expectClose(vals(y).filter((_, i) => i % 2 === c), vals(tf.conv2d(xc, fc, 2, "same")), 1e-12);
    }
  });
});

describe("conv2dTranspose", () => {
  it("spreads each input over the filter's footprint", () => {
    expect(vals(tf.conv2dTranspose(tf.ones([1, 2, 2, 1]), tf.ones([2, 2, 1, 1]), [1, 3, 3, 1], 1, "valid"))).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
    const y = tf.conv2dTranspose(tf.tensor([1, 2, 3, 4], [2, 2, 1]), tf.ones([2, 2, 1, 1]), [4, 4, 1], 2, "valid");
    expect(y.shape).toEqual([4, 4, 1]);
    expect(vals(y)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  const cases: [number[], number[], number, "same" | "valid", number][] = [
    [[2, 7, 6, 3], [3, 3, 3, 4], 2, "same", 1],
    [[2, 7, 6, 3], [3, 2, 3, 2], 2, "valid", 1],
    [[1, 5, 5, 2], [1, 1, 2, 3], 2, "same", 1],
    [[1, 6, 7, 2], [3, 3, 2, 2], 1, "same", 2],
  ];
  it.each(cases)("is the adjoint of conv2d: x %j, filter %j, stride %i, %s, dilation %i", (xs, fs, s, pad, d) => {
    const x = rand(xs, 3);
    const w = rand(fs, 4);
    const y = rand([...tf.conv2d(x, w, s, pad, "NHWC", d).shape], 5);
    const lhs = sumOf(tf.mul(tf.conv2d(x, w, s, pad, "NHWC", d), y));
    const rhs = sumOf(tf.mul(x, d === 1 ? tf.conv2dTranspose(y, w, xs, s, pad) : gradOfConvX(x, w, y, s, pad, d)));
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-10 * (1 + Math.abs(lhs)));
  });

  it("checks outputShape against x", () => {
    expect(() => tf.conv2dTranspose(tf.ones([1, 3, 3, 1]), tf.ones([2, 2, 1, 1]), [1, 5, 5, 1], 1, "valid")).toThrow(
      /^conv2dTranspose: x has shape \[1,3,3,1\] but \[1,4,4,1\] was expected/,
    );
    expect(() => tf.conv2dTranspose(tf.ones([1, 3, 3, 2]), tf.ones([2, 2, 1, 1]), [1, 4, 4, 1], 1, "valid")).toThrow(/^conv2dTranspose: x has shape \[1,3,3,2\]/);
  });
});

/** conv2dTranspose has no dilations argument (as TF.js); the dilated adjoint is conv2d's input gradient. */
function gradOfConvX(x: Tensor, w: Tensor, y: Tensor, s: number, pad: "same" | "valid", d: number): Tensor {
  return tf.gradientsFunction((xx) => tf.sum(tf.mul(tf.conv2d(xx, w, s, pad, "NHWC", d), y)))(x)[0]!;
}

describe("pooling values", () => {
  const x = iota([1, 4, 4, 1]);

  it("maxPool and avgPool 2x2 stride 2 VALID", () => {
    expect(vals(tf.maxPool(x, 2, 2, "valid"))).toEqual([6, 8, 14, 16]);
    expect(vals(tf.avgPool(x, 2, 2, "valid"))).toEqual([3.5, 5.5, 11.5, 13.5]);
  });

  it("avgPool with SAME divides by the number of unpadded elements", () => {
    const y = tf.avgPool(iota([1, 3, 3, 1]), 3, 1, "same");
    expect(vals(y)).toEqual([(1 + 2 + 4 + 5) / 4, 21 / 6, (2 + 3 + 5 + 6) / 4, 27 / 6, 5, 33 / 6, (4 + 5 + 7 + 8) / 4, 39 / 6, (5 + 6 + 8 + 9) / 4]);
  });

  it("maxPool with SAME never picks the padding", () => {
    const neg = tf.neg(iota([1, 3, 3, 1]));
    expect(vals(tf.maxPool(neg, 3, 2, "same"))).toEqual([-1, -2, -4, -5]);
  });

  it("pools rank-3 input per channel with rectangular windows", () => {
    const c = tf.tensor([1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6], [2, 3, 2]);
    const m = tf.maxPool(c, [2, 1], [1, 2], "valid");
    expect(m.shape).toEqual([1, 2, 2]);
    expect(vals(m)).toEqual([4, -1, 6, -3]);
    expect(vals(c.avgPool([1, 3], 1, "valid"))).toEqual([2, -2, 5, -5]);
  });

  it("maxPool's gradient goes to the first maximum of each window", () => {
    const g = tf.gradientsFunction((t) => tf.maxPool(t, 2, 2, "valid"))(tf.ones([1, 2, 2, 1]))[0]!;
    expect(vals(g)).toEqual([1, 0, 0, 0]);
    // Overlapping windows share their argmax: (1, 3) and (3, 2) both pick the 3.
    const g2 = tf.gradientsFunction((t) => tf.maxPool(t, [1, 2], 1, "valid"))(tf.tensor([1, 3, 2], [1, 1, 3, 1]))[0]!;
    expect(vals(g2)).toEqual([0, 2, 0]);
  });

  it("avgPool's gradient shares dy over the unpadded window", () => {
    const g = tf.gradientsFunction((t) => tf.avgPool(t, 2, 2, "same"))(tf.ones([1, 3, 3, 1]))[0]!;
    expect(vals(g)).toEqual([0.25, 0.25, 0.5, 0.25, 0.25, 0.5, 0.5, 0.5, 1]);
  });
});

describe("gradients against central differences (float64)", () => {
  it("conv2d, SAME and stride 2, batch 2", () => {
    checkGradients((x, w) => tf.conv2d(x, w, 2, "same"), [rand([2, 5, 4, 2], 11), rand([3, 3, 2, 2], 12)]);
  });
  it("conv2d, VALID, dilation 2", () => {
    checkGradients((x, w) => tf.conv2d(x, w, 1, "valid", "NHWC", 2), [rand([1, 6, 5, 1], 13), rand([2, 2, 1, 2], 14)]);
  });
  it("depthwiseConv2d, multiplier 2, stride 2 SAME", () => {
    checkGradients((x, w) => tf.depthwiseConv2d(x, w, 2, "same"), [rand([2, 5, 5, 2], 15), rand([3, 3, 2, 2], 16)]);
  });
  it("conv2dTranspose in x and in the filter", () => {
    checkGradients((y, w) => tf.conv2dTranspose(y, w, [2, 5, 5, 2], 2, "same"), [rand([2, 3, 3, 3], 17), rand([3, 3, 2, 3], 18)]);
  });
  it("maxPool (SAME, stride 2) and its second order", () => {
    checkGradients((x) => tf.maxPool(x, 3, 2, "same"), [rand([2, 5, 5, 2], 19)]);
  });
  it("avgPool (SAME, odd input) and its second order", () => {
    checkGradients((x) => tf.avgPool(x, [3, 2], [2, 1], "same"), [rand([1, 5, 4, 3], 20)]);
  });
  it("a small CNN: conv, relu, maxPool, avgPool", () => {
    const net = (x: Tensor, w: Tensor): Tensor => tf.avgPool(tf.maxPool(tf.relu(tf.conv2d(x, w, 1, "same")), 2, 2, "same"), 2, 1, "valid");
    checkGradients(net, [rand([2, 5, 5, 1], 21), rand([3, 3, 1, 2], 22)]);
  });
});

describe("validation", () => {
  const x = tf.zeros([1, 5, 5, 4]);
  const f = tf.zeros([3, 3, 4, 8]);
  it("names the op and the shapes", () => {
    expect(() => tf.conv2d(tf.zeros([5, 5]), f, 1, "same")).toThrow(tf.ShapeError);
    expect(() => tf.conv2d(tf.zeros([5, 5]), f, 1, "same")).toThrow(/^conv2d: x must be rank 4 .* got x \[5,5\]/);
    expect(() => tf.conv2d(x, tf.zeros([3, 3, 4]), 1, "same")).toThrow(/^conv2d: filter must be rank 4 .* got filter \[3,3,4\]/);
    expect(() => tf.conv2d(x, tf.zeros([3, 3, 3, 8]), 1, "same")).toThrow("conv2d: filter has 3 input channels but x has 4 (x [1,5,5,4], filter [3,3,3,8])");
    expect(() => tf.depthwiseConv2d(x, tf.zeros([3, 3, 2, 2]), 1, "same")).toThrow(/^depthwiseConv2d: filter has 2 input channels but x has 4/);
  });
  it("rejects a filter larger than the padded input", () => {
    expect(() => tf.conv2d(tf.zeros([1, 3, 3, 1]), tf.zeros([5, 5, 1, 1]), 1, "valid")).toThrow(tf.ShapeError);
    expect(() => tf.conv2d(tf.zeros([1, 3, 3, 1]), tf.zeros([5, 5, 1, 1]), 1, "valid")).toThrow(
      /^conv2d: the 5x5 window is larger than the padded input 3x3 \(x \[1,3,3,1\], filter \[5,5,1,1\]/,
    );
    expect(() => tf.maxPool(tf.zeros([1, 3, 3, 1]), 4, 1, "valid")).toThrow(/^maxPool: the 4x4 window is larger/);
    expect(tf.conv2d(tf.zeros([1, 3, 3, 1]), tf.zeros([5, 5, 1, 1]), 1, "same").shape).toEqual([1, 3, 3, 1]);
  });
  it("rejects bad strides, dilations, pads and formats", () => {
    expect(() => tf.conv2d(x, f, 0, "same")).toThrow(tf.InvalidArgumentError);
    expect(() => tf.conv2d(x, f, [1, -2], "same")).toThrow("conv2d: strides must be positive integers [strideHeight, strideWidth], got [1,-2]");
    expect(() => tf.avgPool(x, 2, 0, "same")).toThrow(/^avgPool: strides must be positive/);
    expect(() => tf.conv2d(x, f, 2, "same", "NHWC", 2)).toThrow("conv2d: strides [2,2] and dilations [2,2] are both above 1; one of them must be 1");
    expect(() => tf.depthwiseConv2d(x, tf.zeros([3, 3, 4, 1]), [1, 2], "same", "NHWC", [2, 1])).toThrow(/^depthwiseConv2d: strides \[1,2\] and dilations \[2,1\]/);
    expect(() => tf.conv2d(x, f, 1, "full" as "same")).toThrow(/^conv2d: unknown pad "full"/);
    expect(() => tf.maxPool(x, 2, 1, "SAME" as "same")).toThrow(/^maxPool: unknown pad "SAME"/);
    expect(() => tf.conv2d(x, f, 1, -1)).toThrow(/^conv2d: numeric pad must be a non-negative integer/);
    expect(() => tf.maxPool(x, 2, 1, 2)).toThrow(/^maxPool: padding must be smaller than the 2x2 window/);
    expect(() => tf.conv2d(x, f, 1, "same", "NCHW")).toThrow(/^conv2d: only dataFormat "NHWC"/);
  });
});
