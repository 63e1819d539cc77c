/**
 * Recurrent layers and cells: hand-computed values, a plain-JS float64 reference of Keras'
 * formulas, weight names and layouts, options, float64 finite-difference gradients, checkpoints.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { layers, train } from "@eager/core";
import { checkLayerGradients, expectClose, values } from "./helpers/gradcheck.js";

type Mat = number[][];
const sig = (v: number) => 1 / (1 + Math.exp(-v));
/** Rows of a 2-D variable. */
function mat(t: tf.Tensor): Mat {
  return t.arraySync() as Mat;
}
/** x [in] times W [in, out]. */
function vecMat(x: number[], w: Mat): number[] {
  return w[0]!.map((_, j) => x.reduce((s, xi, i) => s + xi * w[i]![j]!, 0));
}
const cols = (v: number[], from: number, n: number) => v.slice(from, from + n);

/** One GRU step for one batch row, Keras' formulas (gate order z, r, h). */
function gruStep(x: number[], h: number[], W: Mat, U: Mat, bias: number[] | Mat, resetAfter: boolean): number[] {
  const u = h.length;
  const bIn = resetAfter ? (bias as Mat)[0]! : (bias as number[]);
  const bRec = resetAfter ? (bias as Mat)[1]! : new Array<number>(3 * u).fill(0);
  const xp = vecMat(x, W).map((v, j) => v + bIn[j]!);
  const z: number[] = [], r: number[] = [], hh: number[] = [];
  if (resetAfter) {
    const rp = vecMat(h, U).map((v, j) => v + bRec[j]!);
    for (let j = 0; j < u; j++) {
      z.push(sig(xp[j]! + rp[j]!));
      r.push(sig(xp[u + j]! + rp[u + j]!));
      hh.push(Math.tanh(xp[2 * u + j]! + r[j]! * rp[2 * u + j]!));
    }
  } else {
    const rp = vecMat(h, U);
    for (let j = 0; j < u; j++) {
      z.push(sig(xp[j]! + rp[j]!));
      r.push(sig(xp[u + j]! + rp[u + j]!));
    }
    const rh = vecMat(h.map((v, j) => v * r[j]!), U.map((row) => cols(row, 2 * u, u)));
    for (let j = 0; j < u; j++) hh.push(Math.tanh(xp[2 * u + j]! + rh[j]!));
  }
  return h.map((hv, j) => z[j]! * hv + (1 - z[j]!) * hh[j]!);
}

/** One LSTM step (gate order i, f, c, o). */
function lstmStep(x: number[], h: number[], c: number[], W: Mat, U: Mat, b: number[]): [number[], number[]] {
  const u = h.length;
  const zz = vecMat(x, W).map((v, j) => v + vecMat(h, U)[j]! + b[j]!);
  const c2 = c.map((cv, j) => sig(zz[u + j]!) * cv + sig(zz[j]!) * Math.tanh(zz[2 * u + j]!));
  const h2 = c2.map((cv, j) => sig(zz[3 * u + j]!) * Math.tanh(cv));
  return [h2, c2];
}

const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, "float64", seed);
/** x [batch, time, in] as nested arrays. */
const seq = (x: tf.Tensor) => x.arraySync() as number[][][];

describe("SimpleRNN", () => {
  it("matches hand-computed values (units 1)", () => {
    const l = new layers.SimpleRNN({ units: 1, kernelInitializer: layers.initializers.constant(0.5), recurrentInitializer: layers.initializers.constant(-1), biasInitializer: layers.initializers.constant(0.1), returnSequences: true });
    const y = l.apply(tf.tensor([[[1], [2]]], [1, 2, 1], "float64"));
    const h1 = Math.tanh(0.5 * 1 + 0.1);
    const h2 = Math.tanh(0.5 * 2 - h1 + 0.1);
    expect(y.shape).toEqual([1, 2, 1]);
    expectClose(values(y), [h1, h2], 1e-12);
  });
  it("names and shapes its weights as Keras does", () => {
    const l = new layers.SimpleRNN({ units: 4 });
    l.apply(tf.zeros([2, 3, 5]));
    expect(l.variables.map((v) => [v.name, v.shape])).toEqual([
      ["simple_rnn/simple_rnn_cell/kernel", [5, 4]],
      ["simple_rnn/simple_rnn_cell/recurrent_kernel", [4, 4]],
      ["simple_rnn/simple_rnn_cell/bias", [4]],
    ]);
  });
  it("float64 gradients match finite differences", () => {
    const l = new layers.SimpleRNN({ units: 3, returnSequences: true, activation: "tanh" });
    checkLayerGradients((x) => l.apply(x), rand([2, 4, 2], 1), () => l.trainableVariables);
  });
});

describe("GRU", () => {
  for (const resetAfter of [true, false]) {
    it(`resetAfter ${resetAfter}: every step matches Keras' formulas, from a given initial state`, () => {
      const l = new layers.GRU({ units: 3, resetAfter, returnSequences: true, biasInitializer: "randomNormal" });
      const x = rand([2, 4, 5], 2);
      const h0 = rand([2, 3], 3);
      const y = l.apply([x, h0]);
      const W = mat(l.cell.kernel!), U = mat(l.cell.recurrentKernel!);
      const bias = l.cell.bias!.arraySync() as number[] | Mat;
      const want: number[] = [];
      const xs = seq(x);
      const h0s = h0.arraySync() as Mat;
      for (let b = 0; b < 2; b++) {
        let h = h0s[b]!;
        for (let t = 0; t < 4; t++) want.push(...(h = gruStep(xs[b]![t]!, h, W, U, bias, resetAfter)));
      }
      expect(y.shape).toEqual([2, 4, 3]);
      expectClose(values(y), want, 1e-12);
    });
  }
  it("weights: kernel [in, 3u], recurrent_kernel [u, 3u] with orthonormal rows, bias [2, 3u] zeros", () => {
    const l = new layers.GRU({ units: 4 });
    l.apply(tf.zeros([1, 2, 6], "float64"));
    expect(l.variables.map((v) => [v.name, v.shape])).toEqual([
      ["gru/gru_cell/kernel", [6, 12]],
      ["gru/gru_cell/recurrent_kernel", [4, 12]],
      ["gru/gru_cell/bias", [2, 12]],
    ]);
    const U = l.cell.recurrentKernel!;
    expectClose(values(tf.matmul(U, U, false, true)), values(tf.eye(4, 4, [], "float64")), 1e-12);
    expect(values(l.cell.bias!).every((v) => v === 0)).toBe(true);
    // Glorot uniform on [6, 12]: |w| <= sqrt(6 / 18)
    expect(values(l.cell.kernel!).every((v) => Math.abs(v) <= Math.sqrt(6 / 18))).toBe(true);
  });
  it("returnState, goBackwards, last output", () => {
    const x = rand([2, 5, 3], 4);
    const fwd = new layers.GRU<tf.Tensor[]>({ units: 2, returnState: true, returnSequences: true, name: "g" });
    const [seqOut, state] = fwd.apply(x);
    const back = new layers.GRU<tf.Tensor[]>({ units: 2, returnState: true, goBackwards: true, name: "g" });
    back.apply(x);
    fwd.variables.forEach((v, i) => back.variables[i]!.assign(v));
    const [last, backState] = back.apply(x);
    expect(state!.shape).toEqual([2, 2]);
    expectClose(values(state!), values(tf.slice(seqOut!, [0, 4, 0], [2, 1, 2])), 0);
    const rev = fwd.apply(tf.reverse(x, 1))[1]!;
    expectClose(values(last!), values(rev), 1e-12);
    expectClose(values(backState!), values(rev), 1e-12);
  });
  it("float64 gradients match finite differences (both reset modes)", () => {
    for (const resetAfter of [true, false]) {
      const l = new layers.GRU({ units: 2, resetAfter, returnSequences: true, biasInitializer: "randomNormal" });
      checkLayerGradients((x) => l.apply(x), rand([2, 3, 3], 5), () => l.trainableVariables);
    }
  });
  it("rejects bad inputs and states with clear errors", () => {
    const l = new layers.GRU({ units: 2 });
    expect(() => l.apply(tf.zeros([2, 3]))).toThrow(/\[batch, time, features\]/);
    expect(() => l.apply([tf.zeros([2, 3, 1]), tf.zeros([2, 5])])).toThrow(/state 0 must be \[2, 2\]/);
    expect(() => new layers.GRU({ units: 0 })).toThrow(/units/);
  });
});

describe("LSTM", () => {
  it("matches Keras' formulas with initial [h, c], and returns both states", () => {
    const l = new layers.LSTM<tf.Tensor[]>({ units: 3, returnState: true, biasInitializer: "randomNormal" });
    const x = rand([2, 3, 4], 6);
    const h0 = rand([2, 3], 7), c0 = rand([2, 3], 8);
    const [y, h, c] = l.apply([x, h0, c0]);
    const W = mat(l.cell.kernel!), U = mat(l.cell.recurrentKernel!);
    const b = values(l.cell.bias!);
    const xs = seq(x);
    const wantH: number[] = [], wantC: number[] = [];
    for (let r = 0; r < 2; r++) {
      let hr = (h0.arraySync() as Mat)[r]!, cr = (c0.arraySync() as Mat)[r]!;
      for (let t = 0; t < 3; t++) [hr, cr] = lstmStep(xs[r]![t]!, hr, cr, W, U, b);
      wantH.push(...hr);
      wantC.push(...cr);
    }
    expectClose(values(y!), wantH, 1e-12);
    expectClose(values(h!), wantH, 1e-12);
    expectClose(values(c!), wantC, 1e-12);
  });
  it("the forget gate's bias starts at one (unitForgetBias)", () => {
    const l = new layers.LSTM({ units: 2 });
    l.apply(tf.zeros([1, 1, 3]));
    expect(values(l.cell.bias!)).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    expect(l.variables.map((v) => v.name)).toEqual(["lstm/lstm_cell/kernel", "lstm/lstm_cell/recurrent_kernel", "lstm/lstm_cell/bias"]);
    const off = new layers.LSTM({ units: 2, unitForgetBias: false });
    off.apply(tf.zeros([1, 1, 3]));
    expect(values(off.cell.bias!)).toEqual(new Array(8).fill(0));
  });
  it("float64 gradients match finite differences", () => {
    const l = new layers.LSTM({ units: 2, returnSequences: true, biasInitializer: "randomNormal" });
    checkLayerGradients((x) => l.apply(x), rand([2, 3, 2], 9), () => l.trainableVariables);
  });
});

describe("cells", () => {
  it("GRUCell and LSTMCell give one step of their layer", () => {
    const x = rand([2, 1, 3], 10);
    const gru = new layers.GRU({ units: 2 });
    const y = gru.apply(x);
    const [out, next] = gru.cell.apply([tf.reshape(x, [2, 3]), tf.zeros([2, 2], "float64")]);
    expectClose(values(out!), values(y), 1e-12);
    expect(next).toBe(out);
    const cell = new layers.LSTMCell({ units: 2 });
    const [h, h2, c] = cell.apply([tf.reshape(x, [2, 3]), tf.zeros([2, 2], "float64"), tf.zeros([2, 2], "float64")]);
    expect([h!.shape, h2!.shape, c!.shape]).toEqual([[2, 2], [2, 2], [2, 2]]);
    expect(cell.variables.map((v) => v.name)).toEqual(["lstm_cell/kernel", "lstm_cell/recurrent_kernel", "lstm_cell/bias"]);
    expect(() => cell.apply([tf.reshape(x, [2, 3]), tf.zeros([2, 2], "float64")])).toThrow(/expected 2 state/);
  });
  it("a custom RNN over a SimpleRNNCell is a SimpleRNN", () => {
    const x = rand([1, 3, 2], 11);
    const a = new layers.SimpleRNN({ units: 2 });
    const b = new layers.RNN(new layers.SimpleRNNCell({ units: 2 }));
    a.apply(x);
    b.apply(x);
    a.variables.forEach((v, i) => b.variables[i]!.assign(v));
    expectClose(values(b.apply(x)), values(a.apply(x)), 0);
  });
});

describe("recurrent training and checkpoints", () => {
  it("a GRU model restores before it is built and trains without leaking", async () => {
    const make = () => new tf.layers.Sequential([new layers.GRU({ units: 4, returnSequences: true }), new layers.Dense(2)]);
    const m = make();
    const x = tf.randomNormal([3, 5, 2], 0, 1, "float32", 12);
    m.apply(x);
    const bytes = await new train.Checkpoint({ model: m }).toBytes();
    const fresh = make();
    new train.Checkpoint({ model: fresh }).fromBytes(bytes);
    expectClose(values(fresh.apply(x)), values(m.apply(x)), 0);
    const opt = new train.GradientDescentOptimizer({ learningRate: 0.1 });
    const loss = () => tf.mean(tf.square(m.apply(x, { training: true })));
    const l0 = tf.tidy(() => loss().item() as number);
    opt.minimize(loss, true)!.dispose(); // the first step may create optimizer state
    const before = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) opt.minimize(loss, true)!.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.tidy(() => loss().item() as number)).toBeLessThan(l0);
  });
});

describe("orthogonal initializer", () => {
  it("tall weights get orthonormal columns, scaled by gain; the same seed gives the same weights", () => {
    const init = layers.initializers.orthogonal({ seed: 3, gain: 2 });
    const w = init([6, 3], "float64");
    expectClose(values(tf.matmul(w, w, true, false)), values(tf.mul(tf.eye(3, 3, [], "float64"), 4)), 1e-12);
    expect(values(init([6, 3], "float64"))).toEqual(values(w));
    expect(() => init([4], "float32")).toThrow(/rank >= 2/);
  });
});
