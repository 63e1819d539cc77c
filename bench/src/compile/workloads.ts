/**
 * The compile benchmark's workloads, each as an eager and a compiled variant on one device:
 * a*b+c, the MLP 784-128-10 SGD step, the char-RNN GRU step, and the training step of each
 * example model (seed, MLP 784-256-10, CNN, char-RNN from packages/examples). Steps run on two
 * copies of the model with the same initial weights; `check` compares their first two losses
 * (and a*b+c's outputs) before anything is timed. Portable: runs in Node and in the page.
 */
import * as tf from "@eager/core";
import type { Program, Tensor } from "@eager/core";
import { CNN, MLP, MNISTModel } from "../../../packages/examples/src/mnist/models.js";
import { CharRNN } from "../../../packages/examples/src/charrnn/model.js";
import { CORPUS } from "../../../packages/examples/src/charrnn/corpus.js";
import { Vocabulary } from "../../../packages/examples/src/charrnn/train.js";
import { oneHot, uniform, uniformStream } from "../data.js";
import { CharRnnModel } from "../workloads/charrnn.js";

/** Sizes that differ between a fast device and a software GPU. */
export interface Sizes {
  /** Elements of a*b+c. */
  readonly mulAdd: number;
  /** Batch of the MNIST example models (seed, MLP, CNN); null: each example's own. */
  readonly mnistBatch: number | null;
}

/** A workload built on one device. */
export interface Built {
  readonly eager: () => Promise<void>;
  readonly compiled: () => Promise<void>;
  /** The compiled program (after the first call). */
  readonly program: () => Program;
  /** Runs the first eager and compiled calls, compares them; returns the first compiled call's time. */
  readonly check: () => Promise<{ firstCompiledMs: number; firstEagerMs: number }>;
  readonly dispose: () => void;
  /** Shapes and settings, for the report. */
  readonly size: string;
  /** More variants timed in the same rounds (ids become row.extra keys). */
  readonly extra?: readonly { readonly id: string; readonly run: () => Promise<void> }[];
}

/** One workload: an id, which jax-js peer applies to it, and its builder. */
export interface CompileWorkload {
  readonly id: string;
  readonly peer?: "mulAdd" | "mlp";
  /** True for the example models (the "never slower than eager" check). */
  readonly example?: boolean;
  readonly build: (device: string, sizes: Sizes) => Built;
}

const onHost = async (t: Tensor): Promise<number> => {
  const v = (await t.data())[0]!;
  t.dispose();
  return v;
};

const timed = async (f: () => Promise<number>): Promise<[number, number]> => {
  const t = performance.now();
  const v = await f();
  return [v, performance.now() - t];
};

/** One training step of `loss`: its value and gradients, the gradients applied by `opt`; returns the loss. */
const trainingStep = (loss: () => Tensor, opt: tf.train.Optimizer) => (): Tensor => {
  const [l, grads] = tf.implicitValueAndGradients(loss)();
  opt.applyGradients(grads);
  return l;
};

/** A training step built twice (same initial weights): `step` returns the loss tensor; both losses are compared for two steps. */
function stepPair(device: string, size: string, make: () => { step: () => Tensor; dispose: () => void }, tolerance = 1e-4): Built {
  const [e, c] = tf.withDevice(device, () => [make(), make()]);
  const compiledStep = tf.compile(c.step, { name: "step" });
  const runEager = () => onHost(tf.withDevice(device, () => tf.tidy(e.step)));
  const runCompiled = () => onHost(tf.withDevice(device, () => compiledStep()));
  return {
    size,
    eager: async () => void (await runEager()),
    compiled: async () => void (await runCompiled()),
    program: () => tf.withDevice(device, () => compiledStep.concrete()),
    async check() {
      let firstCompiledMs = 0;
      let firstEagerMs = 0;
      for (let i = 0; i < 2; i++) {
        const [le, te] = await timed(runEager);
        const [lc, tc] = await timed(runCompiled);
        if (i === 0) [firstEagerMs, firstCompiledMs] = [te, tc];
        if (!(Math.abs(le - lc) <= tolerance * Math.max(1, Math.abs(le)))) throw new Error(`step ${i + 1}: compiled loss ${lc}, eager ${le}`);
      }
      return { firstCompiledMs, firstEagerMs };
    },
    dispose: () => {
      compiledStep.dispose();
      e.dispose();
      c.dispose();
    },
  };
}

const mulAdd: CompileWorkload = {
  id: "mulAdd",
  peer: "mulAdd",
  build(device, sizes) {
    const n = sizes.mulAdd;
    const [a, b, c] = tf.withDevice(device, () => [1, 2, 3].map((s) => tf.tensor(uniform([n], s).data, [n])));
    const f = tf.compile((x: Tensor, y: Tensor, z: Tensor) => tf.add(tf.mul(x, y), z), { name: "mulAdd" });
    const eager = () =>
      tf.withDevice(device, () => {
        const p = tf.mul(a!, b!);
        const y = tf.add(p, c!);
        p.dispose();
        return y;
      });
    const compiled = () => tf.withDevice(device, () => f(a!, b!, c!));
    const read = async (t: Tensor) => {
      await t.data();
      t.dispose();
    };
    // The cpu backend's kernels finish before the call returns, so there a call without the
    // readback times the kernels alone (the readback allocates and copies 4n bytes for both).
    const dispose = async (t: Tensor) => t.dispose();
    const synchronous = device === "cpu" || device === "cpu-1t";
    // An accumulator acc = a * b + acc: eager makes a new acc and frees the old one; the compiled
    // function takes acc donated and writes the new one over it (JAX's donate_argnums).
    const donated = tf.compile((x: Tensor, y: Tensor, z: Tensor) => tf.add(tf.mul(x, y), z), { name: "mulAdd donated", donate: [2] });
    // The donated accumulator never moves: it is timed twice, allocated before eager's and after it
    // (a placement that aligns it with a, b and c would show as a difference between the two).
    const acc = () => (synchronous ? tf.withDevice(device, () => tf.add(c!, 0)) : null);
    let accBefore: Tensor | null = acc();
    let accEager: Tensor | null = acc();
    let accAfter: Tensor | null = acc();
    const eagerAccumulate = async () => {
      const next = tf.withDevice(device, () => tf.tidy(() => tf.add(tf.mul(a!, b!), accEager!)));
      accEager!.dispose();
      accEager = next;
    };
    const compiledDonated = async () => {
      accBefore = tf.withDevice(device, () => donated(a!, b!, accBefore!));
    };
    const compiledDonatedAfter = async () => {
      accAfter = tf.withDevice(device, () => donated(a!, b!, accAfter!));
    };
    return {
      size: `${n} float32 elements`,
      extra: synchronous
        ? [
            { id: "eagerNoReadback", run: () => dispose(eager()) },
            { id: "compiledNoReadback", run: () => dispose(compiled()) },
            { id: "eagerAccumulate", run: eagerAccumulate },
            { id: "compiledDonated", run: compiledDonated },
            { id: "compiledDonatedAfter", run: compiledDonatedAfter },
          ]
        : undefined,
      eager: () => read(eager()),
      compiled: () => read(compiled()),
      program: () => tf.withDevice(device, () => f.concrete(a!, b!, c!)),
      async check() {
        let t = performance.now();
        const want = eager();
        const wv = await want.data();
        const firstEagerMs = performance.now() - t;
        t = performance.now();
        const got = compiled();
        const gv = await got.data();
        const firstCompiledMs = performance.now() - t;
        for (let i = 0; i < n; i += 997) if (Math.abs(wv[i]! - gv[i]!) > 1e-6 * Math.max(1, Math.abs(wv[i]!))) throw new Error(`element ${i}: compiled ${gv[i]}, eager ${wv[i]}`);
        want.dispose();
        got.dispose();
        return { firstCompiledMs, firstEagerMs };
      },
      dispose: () => {
        [a, b, c].forEach((t) => t!.dispose());
        [accBefore, accEager, accAfter].forEach((t) => t?.dispose());
        donated.dispose();
      },
    };
  },
};

/** The MLP 784-128-10 step of the suite (batch 128, softmax cross-entropy by logSumExp, SGD 0.1). */
export const MLP_BATCH = 128;
export const mlpSpec = () => ({
  w1: uniform([784, 128], 31, -Math.sqrt(6 / 912), Math.sqrt(6 / 912)),
  w2: uniform([128, 10], 32, -Math.sqrt(6 / 138), Math.sqrt(6 / 138)),
  x: uniform([MLP_BATCH, 784], 33, 0, 1),
  labels: oneHot(MLP_BATCH, 10, 34),
});

const mlpStep: CompileWorkload = {
  id: "mlp 784-128-10 step",
  peer: "mlp",
  build(device) {
    const spec = mlpSpec();
    return stepPair(device, `batch ${MLP_BATCH}, SGD`, () => {
      const vars = [tf.variable(tf.tensor(spec.w1.data, spec.w1.shape)), tf.variable(tf.zeros([128])), tf.variable(tf.tensor(spec.w2.data, spec.w2.shape)), tf.variable(tf.zeros([10]))];
      const [w1, b1, w2, b2] = vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
      const x = tf.tensor(spec.x.data, spec.x.shape);
      const labels = tf.tensor(spec.labels.data, spec.labels.shape);
      const opt = new tf.train.GradientDescentOptimizer({ learningRate: 0.1 });
      const loss = () => {
        const h = tf.relu(tf.add(tf.matmul(x, w1), b1));
        const z = tf.add(tf.matmul(h, w2), b2);
        return tf.div(tf.sum(tf.sub(tf.logSumExp(z, 1), tf.sum(tf.mul(labels, z), 1))), MLP_BATCH);
      };
      return {
        step: trainingStep(loss, opt),
        dispose: () => [...vars, x, labels].forEach((t) => t.dispose()),
      };
    });
  },
};

const charRnnStep: CompileWorkload = {
  id: "char-rnn GRU step",
  build(device) {
    const [e, c] = [new CharRnnModel(device, "float32"), new CharRnnModel(device, "float32")];
    return {
      size: "Embedding(64, 16) -> GRU(64) -> Dense(64), batch 16 x 32, SGD",
      eager: async () => void (await e.eagerStep()),
      compiled: async () => void (await c.compiledStep()),
      program: () => tf.withDevice(device, () => c.compiled.concrete()),
      async check() {
        let firstCompiledMs = 0;
        let firstEagerMs = 0;
        for (let i = 0; i < 2; i++) {
          const [le, te] = await timed(() => e.eagerStep());
          const [lc, tc] = await timed(() => c.compiledStep());
          if (i === 0) [firstEagerMs, firstCompiledMs] = [te, tc];
          if (!(Math.abs(le - lc) <= 1e-4 * Math.max(1, Math.abs(le)))) throw new Error(`step ${i + 1}: compiled loss ${lc}, eager ${le}`);
        }
        return { firstCompiledMs, firstEagerMs };
      },
      dispose: () => {
        e.dispose();
        c.dispose();
      },
    };
  },
};

/** An MNIST example model's step as the examples train it: implicit gradients of the loss, then the optimizer. */
function mnistExample(id: string, batchOf: number, make: () => tf.layers.Layer, optimizer: () => tf.train.Optimizer, sparse: boolean): CompileWorkload {
  return {
    id,
    example: true,
    build(device, sizes) {
      const batch = sizes.mnistBatch ?? batchOf;
      const x = uniform([batch, 784], 41, 0, 1);
      const next = uniformStream(42);
      const ids = Int32Array.from({ length: batch }, () => Math.floor(next() * 10));
      let first: tf.layers.Layer | null = null;
      return stepPair(device, `batch ${batch}`, () => {
        const model = make();
        const opt = optimizer();
        const images = tf.tensor(x.data, x.shape);
        const labels = (sparse ? tf.tensor(ids, [batch], "int32") : tf.oneHot(tf.tensor(ids, [batch], "int32"), 10));
        // Build the layers, and give the second copy the first one's weights (the seed model's initializers are unseeded).
        tf.tidy(() => model.apply(images));
        if (first) model.variables.forEach((v, i) => v.assign(first!.variables[i]!));
        else first = model;
        const loss = () =>
          sparse
            ? tf.losses.sparseSoftmaxCrossEntropyWithLogits({ labels, logits: model.apply(images, { training: true }) })
            : tf.mean(tf.nn.softmaxCrossEntropyWithLogits({ labels, logits: model.apply(images) }));
        return {
          step: trainingStep(loss, opt),
          dispose: () => {
            for (const v of model.variables) v.dispose();
            opt.dispose();
            images.dispose();
            labels.dispose();
          },
        };
      });
    },
  };
}

const charRnnExample: CompileWorkload = {
  id: "example char-RNN step",
  example: true,
  build(device) {
    const vocab = new Vocabulary(CORPUS);
    const ids = vocab.encode(CORPUS);
    const [B, T] = [16, 32];
    const next = uniformStream(2026);
    const xs = new Int32Array(B * T);
    const ys = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      const start = Math.floor(next() * (ids.length - T - 1));
      xs.set(ids.subarray(start, start + T), b * T);
      ys.set(ids.subarray(start + 1, start + T + 1), b * T);
    }
    return stepPair(device, `vocabulary ${vocab.size}, Embedding(16) -> GRU(64) -> Dense(${vocab.size}), batch ${B} x ${T}, Adam`, () => {
      const model = new CharRNN({ vocabSize: vocab.size, embeddingDim: 16, units: 64, seed: 1 });
      const opt = new tf.train.AdamOptimizer({ learningRate: 0.01 });
      const x = tf.tensor(xs, [B, T], "int32");
      const y = tf.tensor(ys, [B, T], "int32");
      const loss = () => tf.mean(tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits: model.forward(x).logits }));
      return {
        step: trainingStep(loss, opt),
        dispose: () => {
          for (const v of model.variables) v.dispose();
          opt.dispose();
          x.dispose();
          y.dispose();
        },
      };
    });
  },
};

/** Every workload, in report order. */
export const COMPILE_WORKLOADS: readonly CompileWorkload[] = [
  mulAdd,
  mlpStep,
  charRnnStep,
  mnistExample("example seed step", 100, () => new MNISTModel(), () => new tf.train.GradientDescentOptimizer({ learningRate: 0.1 }), false),
  mnistExample("example MLP 784-256-10 step", 128, () => new MLP(1), () => new tf.train.AdamOptimizer({ learningRate: 0.001 }), true),
  mnistExample("example CNN step", 64, () => new CNN({ seed: 1 }), () => new tf.train.AdamOptimizer({ learningRate: 0.001 }), true),
  charRnnExample,
];
