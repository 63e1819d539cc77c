/**
 * One training step of the char-RNN language model: Embedding(64, 16) -> GRU(64, Keras'
 * resetAfter layout) -> Dense(64) over batch 16 x 32 characters, mean sparse softmax
 * cross-entropy, plain SGD (lr 0.5), in ms per step. Runs on eager's engines only (peers have
 * no shared GRU adapter). Each variant of the step is one case: "eager" is the step as written,
 * "compiled" the same step through `compile`.
 * Checked on the first two losses against the same step in float64 on the reference backend,
 * whose first loss is itself checked against a plain-JS float64 forward pass.
 */
import * as core from "@eager/core";
import type { Tensor } from "@eager/core";
import { uniform, uniformStream } from "../data.js";
import { msPerStep } from "../metrics.js";
import type { Case, Engine, HostArray, Workload } from "../types.js";
import { once } from "./util.js";

const VOCAB = 64;
const EMBED = 16;
const UNITS = 64;
const BATCH = 16;
const TIME = 32;
const LR = 0.5;

/** Weights and one batch of ids, shared by every engine. */
interface CharRnnSpec {
  readonly embeddings: HostArray; // [VOCAB, EMBED]
  readonly kernel: HostArray; // [EMBED, 3 UNITS]
  readonly recurrentKernel: HostArray; // [UNITS, 3 UNITS]
  readonly bias: HostArray; // [2, 3 UNITS]
  readonly dense: HostArray; // [UNITS, VOCAB]
  readonly denseBias: HostArray; // [VOCAB]
  readonly x: Int32Array; // [BATCH, TIME]
  readonly y: Int32Array; // [BATCH, TIME]
}

const spec = once((): CharRnnSpec => {
  const ids = (seed: number) => {
    const next = uniformStream(seed);
    return Int32Array.from({ length: BATCH * TIME }, () => Math.floor(next() * VOCAB));
  };
  const g = (a: number, b: number) => Math.sqrt(6 / (a + b));
  return {
    embeddings: uniform([VOCAB, EMBED], 61, -0.05, 0.05),
    kernel: uniform([EMBED, 3 * UNITS], 62, -g(EMBED, 3 * UNITS), g(EMBED, 3 * UNITS)),
    recurrentKernel: uniform([UNITS, 3 * UNITS], 63, -g(UNITS, 3 * UNITS), g(UNITS, 3 * UNITS)),
    bias: uniform([2, 3 * UNITS], 64, -0.1, 0.1),
    dense: uniform([UNITS, VOCAB], 65, -g(UNITS, VOCAB), g(UNITS, VOCAB)),
    denseBias: { data: new Float32Array(VOCAB), shape: [VOCAB] },
    x: ids(66),
    y: ids(67),
  };
});

/** The model built from core's layers with the spec's weights, on `device` in `dtype`. */
export class CharRnnModel {
  readonly embedding = new core.layers.Embedding({ inputDim: VOCAB, outputDim: EMBED });
  readonly gru = new core.layers.GRU({ units: UNITS, returnSequences: true });
  readonly out = new core.layers.Dense({ units: VOCAB });
  readonly x: Tensor;
  readonly y: Tensor;
  constructor(
    readonly device: string,
    dtype: "float32" | "float64",
  ) {
    const s = spec();
    [this.x, this.y] = core.withDevice(device, () => {
      const x = core.tensor(s.x, [BATCH, TIME], "int32");
      const y = core.tensor(s.y, [BATCH, TIME], "int32");
      // Build every layer once, then load the spec's weights.
      core.tidy(() => this.logits(x, dtype));
      const load = (v: core.Variable, a: HostArray) => core.tidy(() => v.assign(core.cast(core.tensor(a.data, a.shape), dtype)));
      load(this.embedding.embeddings!, s.embeddings);
      load(this.gru.cell.kernel!, s.kernel);
      load(this.gru.cell.recurrentKernel!, s.recurrentKernel);
      load(this.gru.cell.bias!, s.bias);
      load(this.out.kernel!, s.dense);
      load(this.out.bias!, s.denseBias);
      return [x, y];
    });
  }
  logits(x: Tensor, dtype?: "float32" | "float64"): Tensor {
    if (dtype && !this.embedding.built) this.embedding.dtype = this.gru.dtype = this.out.dtype = dtype;
    return this.out.apply(this.gru.apply(this.embedding.apply(x)));
  }
  get variables(): core.Variable[] {
    return [...this.embedding.variables, ...this.gru.variables, ...this.out.variables];
  }
  /** The step's body: loss and gradients from the tape, then v -= lr * g. Returns the loss tensor. */
  private stepBody(): Tensor {
    const [value, pairs] = core.implicitValueAndGradients(() => core.mean(core.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: this.y, logits: this.logits(this.x) })))();
    for (const [g, v] of pairs) v.assignSub(core.mul(g, LR));
    return value;
  }
  /** The same step compiled (traced on its first call). */
  readonly compiled = core.compile(() => this.stepBody(), { name: "charRnnStep" });
  /** The eager step. Returns the loss tensor. */
  stepTensor(): Tensor {
    return core.withDevice(this.device, () => core.tidy(() => this.stepBody()));
  }
  /** The compiled step. Returns the loss tensor. */
  compiledStepTensor(): Tensor {
    return core.withDevice(this.device, () => this.compiled());
  }
  /** One eager step, waiting for its loss on the host. */
  async eagerStep(): Promise<number> {
    return hostLoss(this.stepTensor());
  }
  /** One compiled step, waiting for its loss on the host. */
  async compiledStep(): Promise<number> {
    return hostLoss(this.compiledStepTensor());
  }
  dispose(): void {
    this.compiled.dispose();
    for (const v of this.variables) v.dispose();
    this.x.dispose();
    this.y.dispose();
  }
}

async function hostLoss(loss: Tensor): Promise<number> {
  const out = (await loss.data())[0]!;
  loss.dispose();
  return out;
}

/** Plain-JS float64 forward pass: the mean cross-entropy of the spec's first step. */
function forwardOracle(s: CharRnnSpec): number {
  const at = (a: HostArray, i: number, j: number) => a.data[i * a.shape[1]! + j]!;
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  let total = 0;
  for (let b = 0; b < BATCH; b++) {
    let h = new Float64Array(UNITS);
    for (let t = 0; t < TIME; t++) {
      const id = s.x[b * TIME + t]!;
      const xp = new Float64Array(3 * UNITS);
      const rp = new Float64Array(3 * UNITS);
      for (let j = 0; j < 3 * UNITS; j++) {
        let a = at(s.bias, 0, j);
        for (let k = 0; k < EMBED; k++) a += at(s.embeddings, id, k) * at(s.kernel, k, j);
        xp[j] = a;
        let r = at(s.bias, 1, j);
        for (let k = 0; k < UNITS; k++) r += h[k]! * at(s.recurrentKernel, k, j);
        rp[j] = r;
      }
      const next = new Float64Array(UNITS);
      for (let j = 0; j < UNITS; j++) {
        const z = sig(xp[j]! + rp[j]!);
        const r = sig(xp[UNITS + j]! + rp[UNITS + j]!);
        const hh = Math.tanh(xp[2 * UNITS + j]! + r * rp[2 * UNITS + j]!);
        next[j] = z * h[j]! + (1 - z) * hh;
      }
      h = next;
      const logits = Array.from({ length: VOCAB }, (_, v) => {
        let a = s.denseBias.data[v]!;
        for (let k = 0; k < UNITS; k++) a += h[k]! * at(s.dense, k, v);
        return a;
      });
      const m = Math.max(...logits);
      const lse = m + Math.log(logits.reduce((acc, l) => acc + Math.exp(l - m), 0));
      total += lse - logits[s.y[b * TIME + t]!]!;
    }
  }
  return total / (BATCH * TIME);
}

/** The first two losses: the step in float64 on the reference backend, its first loss checked by the plain-JS forward. */
const expected = once(() => {
  const m = new CharRnnModel("reference", "float64");
  const losses = [0, 1].map(() => {
    const l = m.stepTensor();
    const v = l.dataSync()[0]!;
    l.dispose();
    return v;
  });
  m.dispose();
  const oracle = forwardOracle(spec());
  if (!(Math.abs(losses[0]! - oracle) <= 1e-9 * Math.max(1, oracle)))
    throw new Error(`char-RNN oracle: the float64 reference step's first loss ${losses[0]} differs from the plain-JS forward ${oracle}`);
  return Float32Array.from(losses);
});

/** Engines the step runs on: eager's own devices. */
const EAGER_ENGINES = ["eager-reference", "eager-cpu-1t", "eager-cpu-2t"];

/** The variants of the step timed side by side: as written, and the same step compiled. */
const VARIANTS: { id: string; step: (m: CharRnnModel) => Promise<number> }[] = [
  { id: "eager", step: (m) => m.eagerStep() },
  { id: "compiled", step: (m) => m.compiledStep() },
];

function charRnnCase(variant: (typeof VARIANTS)[number]): Case {
  return {
    workload: "charRnnStep",
    id: `char-rnn GRU step (${variant.id})`,
    metric: msPerStep,
    expected,
    tolerance: 1e-4,
    checkRuns: 2,
    weight: "heavy",
    onlyEngines: { names: EAGER_ENGINES, reason: "the char-RNN step runs on eager's engines only" },
    async prepare(engine: Engine) {
      const device = String(engine.info.device);
      const model = new CharRnnModel(device, "float32");
      return { run: () => variant.step(model), dispose: () => model.dispose() };
    },
  };
}

export const charRnnWorkload: Workload = {
  name: "charRnnStep",
  description: `char-RNN training step: Embedding(${VOCAB}, ${EMBED}) -> GRU(${UNITS}) -> Dense(${VOCAB}), batch ${BATCH} x ${TIME}, sparse softmax cross-entropy, SGD`,
  cases: () => VARIANTS.map(charRnnCase),
};
