/**
 * Peers: TensorFlow.js (tfjs-core) on its "cpu" backend (plain JS) and its "wasm" backend
 * (XNNPACK, SIMD). tfjs has one global backend, so activate() switches it. In Node the wasm
 * backend runs single-threaded: tfjs-backend-wasm 4.x turns multithreading off when it
 * detects Node, and forcing it on fails (its pthread workers start from a blob: URL, which
 * Node's worker_threads rejects). Waits with `await tensor.data()`.
 */
import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
// The union package registers every gradient on the same tfjs-core (tfjs-core alone has none).
import "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-cpu";
import { getThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import type { Engine, EngineUnavailable, MlpSpec, MlpTrainer } from "../types.js";

const require = createRequire(import.meta.url);

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

function tfEngine(name: string, backend: "cpu" | "wasm", info: Record<string, string | number | boolean>): Engine<tf.Tensor> {
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

/** Points tfjs-backend-wasm at the .wasm files in its package's dist folder. */
function configureWasmPaths(): void {
  const dist = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
  setWasmPaths({
    "tfjs-backend-wasm.wasm": path.join(dist, "tfjs-backend-wasm.wasm"),
    "tfjs-backend-wasm-simd.wasm": path.join(dist, "tfjs-backend-wasm-simd.wasm"),
    "tfjs-backend-wasm-threaded-simd.wasm": path.join(dist, "tfjs-backend-wasm-threaded-simd.wasm"),
  });
}

/** The tfjs engines that start here, and those that do not, with reasons. */
export async function tfjsEngines(): Promise<{ engines: Engine[]; unavailable: EngineUnavailable[] }> {
  const engines: Engine[] = [];
  const unavailable: EngineUnavailable[] = [];
  // Production mode: no debug checks or console advice inside timed code.
  tf.enableProdMode();
  if (await tf.setBackend("cpu")) engines.push(tfEngine("tfjs-cpu", "cpu", { threads: 1 }));
  else unavailable.push({ name: "tfjs-cpu", reason: "tf.setBackend('cpu') failed" });
  try {
    configureWasmPaths();
    if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') returned false");
    const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) as boolean;
    const multithread = (await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")) as boolean;
    engines.push(
      tfEngine("tfjs-wasm", "wasm", {
        simd,
        threads: getThreadsCount(),
        threadsNote: multithread ? "threaded build" : "threads unavailable in Node (tfjs-backend-wasm disables them there)",
      }),
    );
  } catch (e) {
    unavailable.push({ name: "tfjs-wasm", reason: (e as Error).message.split("\n")[0]! });
  }
  return { engines, unavailable };
}
