/**
 * Our engine: @eager/core on one named device ("reference", or a cpu backend instance).
 * Inputs are created inside withDevice(device), so they are placed there and every op on
 * them runs there (the placement rule), with no scope per op; iterations wait with
 * `await t.data()`. Composite ops missing from core are never faked.
 */
import * as core from "@eager/core";
import type { Tensor } from "@eager/core";
import type { Conv2dAdapter, Engine, HostArray, MlpSpec, MlpTrainer } from "../types.js";

type MaybeFn = ((...args: never[]) => unknown) | undefined;
const optional = (name: string): MaybeFn => (core as unknown as Record<string, MaybeFn>)[name];

/** Mean softmax cross-entropy: core's logSumExp when it exists, else log(sum(exp z)) from primitives. */
function softmaxCrossEntropy(z: Tensor, labels: Tensor, batch: number): Tensor {
  const lse = optional("logSumExp") as ((x: Tensor, axis: number) => Tensor) | undefined;
  const l = lse ? lse(z, 1) : core.log(core.sum(core.exp(z), 1));
  return core.div(core.sum(core.sub(l, core.sum(core.mul(labels, z), 1))), batch);
}

/** How the MLP's loss is computed on this build of core (printed with the results). */
export function eagerLossPath(): string {
  return optional("logSumExp") ? "logSumExp" : "log(sum(exp(z))) (core has no logSumExp yet)";
}

function conv2dAdapter(device: string): Conv2dAdapter<Tensor> | null {
  const conv = optional("conv2d") as ((x: Tensor, f: Tensor, strides: number, pad: "same") => Tensor) | undefined;
  if (!conv) return null;
  return {
    inputs: (x, f) => core.withDevice(device, () => [core.tensor(x.data, x.shape), core.tensor(f.data, f.shape)] as [Tensor, Tensor]),
    run: (x, f) => core.withDevice(device, () => conv(x, f, 1, "same")),
    toNhwc: (r) => r,
  };
}

class EagerMlp implements MlpTrainer {
  private readonly vars: core.Variable[];
  private readonly x: Tensor;
  private readonly labels: Tensor;
  private peak = 0;
  constructor(
    private readonly device: string,
    private readonly spec: MlpSpec,
  ) {
    const t = (a: HostArray) => core.tensor(a.data, a.shape);
    [this.vars, this.x, this.labels] = core.withDevice(device, () => {
      const vars = [spec.w1, spec.b1, spec.w2, spec.b2].map((a, i) => {
        const init = t(a);
        const v = core.variable(init, { name: `mlp${i}` });
        init.dispose();
        return v;
      });
      return [vars, t(spec.x), t(spec.labels)] as const;
    });
  }
  private sample(): void {
    this.peak = Math.max(this.peak, core.memory().devices[this.device]?.numBytes ?? 0);
  }
  async step(): Promise<number> {
    this.peak = 0;
    const [w1, b1, w2, b2] = this.vars as [core.Variable, core.Variable, core.Variable, core.Variable];
    const batch = this.spec.x.shape[0]!;
    const lr = this.spec.learningRate;
    const loss = core.withDevice(this.device, () => {
      const [value, pairs] = core.implicitValueAndGradients(() => {
        const h = core.relu(core.add(core.matmul(this.x, w1), b1));
        const z = core.add(core.matmul(h, w2), b2);
        const l = softmaxCrossEntropy(z, this.labels, batch);
        this.sample();
        return l;
      })();
      this.sample();
      // SGD: v -= lr * g
      for (const [g, v] of pairs) {
        const update = core.mul(g, lr);
        v.assignSub(update);
        update.dispose();
        g.dispose();
      }
      return value;
    });
    const out = (await loss.data())[0]!;
    loss.dispose();
    return out;
  }
  peakBytesLastStep(): number {
    return this.peak;
  }
  dispose(): void {
    for (const v of this.vars) v.dispose();
    this.x.dispose();
    this.labels.dispose();
  }
}

/** An Engine over @eager/core's device `device`, shown as `name`. */
export function createEagerEngine(name: string, device: string, info: Record<string, string | number | boolean> = {}): Engine<Tensor> {
  const on = <R>(fn: () => R): R => core.withDevice(device, fn);
  const conv2d = conv2dAdapter(device);
  return {
    name,
    peer: false,
    waits: "await tensor.data() (a copy to a host typed array)",
    info: { device, mlpLoss: eagerLossPath(), ...info },
    fromHost: (a) => on(() => core.tensor(a.data, a.shape)),
    read: async (t) => (await t.data()) as Float32Array,
    dispose: (t) => t.dispose(),
    matmul: (a, b) => core.matmul(a, b),
    mulAdd: (a, b, c) => {
      const p = core.mul(a, b);
      const out = core.add(p, c);
      p.dispose();
      return out;
    },
    exp: (a) => core.exp(a),
    tanh: (a) => core.tanh(a),
    sum: (a) => core.sum(a),
    add: (a, b) => core.add(a, b),
    conv2d,
    conv2dMissing: conv2d ? undefined : "@eager/core has no conv2d yet",
    mlp: (spec) => new EagerMlp(device, spec),
    activate: async () => core.ready(device),
    close: async () => undefined,
  };
}

