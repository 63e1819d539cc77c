/**
 * Peers: TensorFlow.js (tfjs-core) on its "cpu" backend (plain JS) and its "wasm" backend
 * (XNNPACK, SIMD, threads where the loader enabled them). tfjs has one global backend, so
 * activate() switches it. Waits with `await tensor.data()`. No Node imports: the Node loader
 * (tfjs.ts) and the browser page both build their engines here.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Engine, MlpSpec, MlpTrainer } from "../types.js";

class TfMlp implements MlpTrainer {
  private readonly vars: tf.Variable[];
  private readonly x: tf.Tensor;
  private readonly labels: tf.Tensor;
  private readonly optimizer: tf.SGDOptimizer;
  private peak = 0;
  constructor(spec: MlpSpec) {
    this.vars = [spec.w1, spec.b1, spec.w2, spec.b2].map((a) => tf.variable(tf.tensor(a.data, [...a.shape])));
    this.x = tf.tensor(spec.x.data, [...spec.x.shape]);
    this.labels = tf.tensor(spec.labels.data, [...spec.labels.shape]);
    this.optimizer = tf.train.sgd(spec.learningRate);
  }
  async step(): Promise<number> {
    this.peak = 0;
    const [w1, b1, w2, b2] = this.vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
    const loss = this.optimizer.minimize(() => {
      const h = tf.relu(tf.add(tf.matMul(this.x, w1), b1));
      const z = tf.add(tf.matMul(h, w2), b2);
      const l = tf.losses.softmaxCrossEntropy(this.labels, z) as tf.Scalar;
      this.peak = Math.max(this.peak, tf.memory().numBytes);
      return l;
    }, true)!;
    this.peak = Math.max(this.peak, tf.memory().numBytes);
    const out = (await loss.data())[0]!;
    loss.dispose();
    return out;
  }
  peakBytesLastStep(): number {
    return this.peak;
  }
  dispose(): void {
    tf.dispose([...this.vars, this.x, this.labels]);
    this.optimizer.dispose();
  }
}

/** A tfjs engine on `backend` (already registered and initialized by the caller). */
export function tfEngine(name: string, backend: "cpu" | "wasm", info: Record<string, string | number | boolean>): Engine<tf.Tensor> {
  return {
    name,
    peer: true,
    waits: "await tensor.data()",
    info: { version: tf.version_core, prodMode: true, ...info },
    fromHost: (a) => tf.tensor(a.data, [...a.shape]),
    read: async (t) => (await t.data()) as Float32Array,
    dispose: (t) => t.dispose(),
    matmul: (a, b) => tf.matMul(a, b),
    mulAdd: (a, b, c) => {
      const p = tf.mul(a, b);
      const out = tf.add(p, c);
      p.dispose();
      return out;
    },
    exp: (a) => tf.exp(a),
    tanh: (a) => tf.tanh(a),
    sum: (a) => tf.sum(a),
    add: (a, b) => tf.add(a, b),
    conv2d: {
      inputs: (x, f) => [tf.tensor(x.data, [...x.shape]), tf.tensor(f.data, [...f.shape])],
      run: (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, "same"),
      toNhwc: (r) => r,
    },
    mlp: (spec) => new TfMlp(spec),
    activate: async () => {
      if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`tfjs could not switch to ${backend}`);
    },
    close: async () => undefined,
  };
}
