/**
 * The training worker: loads eager and its backends, reports which devices work here, loads
 * MNIST, trains one of the examples' models (MLP or CNN, Adam) with progress sent to the page,
 * predicts drawn digits, saves or loads the model as checkpoint bytes, and trains and samples
 * the examples' char-RNN (charrnn-worker.ts). Driven by comlink;
 * the page's main thread only draws.
 */
import { expose } from "comlink";
import * as tf from "@eager/core";
import { getBackend } from "@eager/core/backend";
import "@eager/backend-cpu";
import "@eager/backend-webgpu";
import "@eager/backend-webgl";
import { CNN, MLP } from "../../examples/src/mnist/models.js";
import { evaluate } from "../../examples/src/mnist/loop.js";
import type { MnistSplit } from "../../examples/src/mnist/data.js";
import { fetchMnist } from "./mnist-browser.js";
import { sampleCharRnn, trainCharRnn } from "./charrnn-worker.js";
import type { DeviceStatus, ModelKind, Progress, TrainerApi, TrainOptions, TrainSummary } from "./protocol.js";

let mnist: { train: MnistSplit; test: MnistSplit } | null = null;
let model: tf.layers.Layer | null = null;
let modelKind: ModelKind = "mlp";
let modelDevice = "cpu";
let stopRequested = false;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!;

async function status(name: string): Promise<DeviceStatus> {
  try {
    await tf.ready(name);
  } catch (e) {
    return { name, available: false, reason: message(e), info: {} };
  }
  const info = { ...getBackend(name).capabilities.info };
  if (name === "webgl" && info["webgl"] !== true)
    return { name, available: false, reason: `gpu.js found no WebGL context in this worker (it would run in "${String(info["mode"])}" mode)`, info };
  return { name, available: true, info };
}

function makeModel(kind: ModelKind): tf.layers.Layer {
  return kind === "mlp" ? new MLP(1) : new CNN({ seed: 1, filters: [8, 16] });
}

/** A safetensors header names the variables; a convolution's kernel means the CNN. */
function kindOf(bytes: Uint8Array): ModelKind {
  const len = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + len));
  return /conv/i.test(header) ? "cnn" : "mlp";
}

const api: TrainerApi = {
  async devices() {
    return Promise.all(tf.listBackends().map(status));
  },

  async loadData(trainCount, testCount) {
    const t0 = performance.now();
    mnist = await fetchMnist(new URL("/mnist/", self.location.href).href, trainCount, testCount);
    return { train: mnist.train.count, test: mnist.test.count, seconds: (performance.now() - t0) / 1000 };
  },

  async train(o: TrainOptions, onProgress: (p: Progress) => void): Promise<TrainSummary> {
    if (!mnist || mnist.train.count < o.trainCount || mnist.test.count < o.testCount) await api.loadData(o.trainCount, o.testCount);
    const data = mnist!;
    const s = await status(o.device);
    if (!s.available) throw new Error(`device "${o.device}" is unavailable: ${s.reason}`);
    stopRequested = false;
    model?.dispose();
    tf.setDefaultDevice(o.device);
    tf.resetPlacementReport();
    model = makeModel(o.model);
    modelKind = o.model;
    modelDevice = o.device;
    const current = model;
    const n = Math.min(o.trainCount, data.train.count);
    const test: MnistSplit = { images: data.test.images.subarray(0, o.testCount * 784), labels: data.test.labels.subarray(0, o.testCount), count: Math.min(o.testCount, data.test.count) };
    const steps = Math.ceil(n / o.batchSize);
    const optimizer = new tf.train.AdamOptimizer({ learningRate: o.learningRate });
    const lossFn = (x: tf.Tensor, y: tf.Tensor) => tf.losses.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits: current.apply(x, { training: true }) });
    const step = tf.implicitValueAndGradients(lossFn);
    const start = performance.now();
    let done = 0;
    let testAccuracy = NaN;
    const every = Math.max(1, Math.round(steps / 40));
    try {
      for (let epoch = 0; epoch < o.epochs && !stopRequested; epoch++) {
        const order = tf.data.Dataset.range(n).shuffle(n, { seed: 7 + epoch }).batch(n);
        const [perm] = await order.take(1).toArray();
        const idx = (await perm!.data()) as Int32Array;
        perm!.dispose();
        let lossSum = 0;
        let lossCount = 0;
        const epochStart = performance.now();
        for (let k = 0; k < steps && !stopRequested; k++) {
          const b = idx.subarray(k * o.batchSize, Math.min(n, (k + 1) * o.batchSize));
          const xs = new Float32Array(b.length * 784);
          const ys = new Int32Array(b.length);
          b.forEach((i, j) => {
            xs.set(data.train.images.subarray(i * 784, (i + 1) * 784), j * 784);
            ys[j] = data.train.labels[i]!;
          });
          const [lossT, accT] = tf.tidy(() => {
            const x = tf.tensor(xs, [b.length, 784], "float32");
            const y = tf.tensor(ys, [b.length], "int32");
            const [loss, grads] = step(x, y);
            optimizer.applyGradients(grads);
            if ((k + 1) % every !== 0 && k !== steps - 1) return [tf.keep(loss), null];
            const pred = tf.argMax(current.apply(x), -1);
            return [tf.keep(loss), tf.keep(tf.mean(tf.cast(tf.equal(pred, tf.cast(y, pred.dtype)), "float32")))];
          });
          lossSum += (await lossT.data())[0]!;
          lossCount++;
          lossT.dispose();
          done++;
          if (accT) {
            const accuracy = (await accT.data())[0]!;
            accT.dispose();
            const seen = (k + 1) * o.batchSize;
            onProgress({ epoch, step: epoch * steps + k + 1, steps: o.epochs * steps, loss: lossSum / lossCount, accuracy, examplesPerSecond: Math.min(seen, n) / ((performance.now() - epochStart) / 1000) });
            lossSum = 0;
            lossCount = 0;
          }
          // Let stop() and other calls in between steps.
          await new Promise((r) => setTimeout(r, 0));
        }
        const ev = await evaluate(current, test);
        testAccuracy = ev.accuracy;
        onProgress({ epoch, step: (epoch + 1) * steps, steps: o.epochs * steps, loss: NaN, accuracy: NaN, examplesPerSecond: 0, testAccuracy: ev.accuracy, testLoss: ev.loss });
      }
    } finally {
      optimizer.dispose();
    }
    return { device: o.device, model: o.model, epochs: o.epochs, steps: done, seconds: (performance.now() - start) / 1000, testAccuracy, stopped: stopRequested, placement: tf.placementReport() };
  },

  stop() {
    stopRequested = true;
  },

  async predict(pixels) {
    if (!model) throw new Error("no model yet: train one or load a saved one");
    const m = model;
    const probs = tf.withDevice(modelDevice, () => tf.tidy(() => tf.softmax(m.apply(tf.tensor(pixels, [1, 784], "float32")))));
    const out = Array.from((await probs.data()) as Float32Array);
    probs.dispose();
    return out;
  },

  async save() {
    if (!model) throw new Error("no model to save: train one first");
    return { bytes: await new tf.train.Checkpoint({ model }).toBytes(), model: modelKind };
  },

  async load(bytes) {
    const kind = kindOf(bytes);
    model?.dispose();
    model = makeModel(kind);
    modelKind = kind;
    new tf.train.Checkpoint({ model }).fromBytes(bytes);
    // Build the model (its variables take the restored values) with one prediction.
    const m = model;
    tf.withDevice(modelDevice, () => tf.tidy(() => m.apply(tf.zeros([1, 784]))));
    return kind;
  },

  placement() {
    return tf.placementReport();
  },

  async trainCharRnn(o, onProgress) {
    const s = await status(o.device);
    if (!s.available) throw new Error(`device "${o.device}" is unavailable: ${s.reason}`);
    stopRequested = false;
    return trainCharRnn(o, onProgress, () => stopRequested);
  },

  async sampleCharRnn(o) {
    return sampleCharRnn(o);
  },
};

expose(api);
