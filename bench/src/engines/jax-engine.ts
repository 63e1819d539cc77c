/**
 * Peer: jax-js on one of its devices ("wasm" or "webgpu"), at its best: ops and the MLP's
 * training step compiled with `jit`, with its ownership rules (every call consumes its
 * arguments, so the adapter passes `.ref`). Its wasm device runs a worker pool where a Web
 * `Worker` global exists (browsers; Node with src/engines/node-threads.ts). conv runs in its
 * native NCHW/OIHW layout. Runs in Node and in the browser (no Node imports here).
 */
import { defaultDevice, jit, lax, nn, numpy as np, valueAndGrad, tree } from "@jax-js/jax";
import type { Engine, EngineUnavailable, HostArray, MlpSpec, MlpTrainer } from "../types.js";

type Arr = np.Array;

const fromHost = (a: HostArray): Arr => np.array(a.data, { shape: [...a.shape] });

/** [n,h,w,c] -> [n,c,h,w] for x, [kh,kw,i,o] -> [o,i,kh,kw] for the filter, on the host. */
function permute(a: HostArray, perm: readonly number[]): HostArray {
  const shape = perm.map((p) => a.shape[p]!);
  const inStrides = a.shape.map((_, i) => a.shape.slice(i + 1).reduce((x, y) => x * y, 1));
  const out = new Float32Array(a.data.length);
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += idx[d]! * inStrides[perm[d]!]!;
    out[o] = a.data[src]!;
    for (let d = shape.length - 1; d >= 0 && ++idx[d]! === shape[d]; d--) idx[d] = 0;
  }
  return { data: out, shape };
}

type Params = { w1: Arr; b1: Arr; w2: Arr; b2: Arr };

class JaxMlp implements MlpTrainer {
  private params: Params;
  private readonly x: Arr;
  private readonly labels: Arr;
  private readonly step_: (p: Params, x: Arr, labels: Arr) => [Arr, Params];
  constructor(spec: MlpSpec) {
    this.params = { w1: fromHost(spec.w1), b1: fromHost(spec.b1), w2: fromHost(spec.w2), b2: fromHost(spec.b2) };
    this.x = fromHost(spec.x);
    this.labels = fromHost(spec.labels);
    const batch = spec.x.shape[0]!;
    const lr = spec.learningRate;
    const lossFn = (p: Params, x: Arr, labels: Arr): Arr => {
      const h = nn.relu(np.add(np.matmul(x, p.w1), p.b1));
      const z = np.add(np.matmul(h, p.w2), p.b2);
      return np.sum(np.multiply(labels, nn.logSoftmax(z, -1))).mul(-1 / batch);
    };
    // One compiled step: loss, gradients and the SGD update p -= lr * g.
    this.step_ = jit((p: Params, x: Arr, labels: Arr) => {
      const [loss, grads] = valueAndGrad(lossFn)(tree.map((a: Arr) => a.ref, p), x, labels);
      return [loss, tree.map((a: Arr, g: Arr) => a.sub(g.mul(lr)), p, grads as Params)] as [Arr, Params];
    }) as unknown as (p: Params, x: Arr, labels: Arr) => [Arr, Params];
  }
  async step(): Promise<number> {
    const [loss, params] = this.step_(this.params, this.x.ref, this.labels.ref);
    this.params = params;
    return (await loss.data())[0]!;
  }
  peakBytesLastStep(): null {
    return null;
  }
  dispose(): void {
    tree.map((a: Arr) => a.dispose(), this.params);
    this.x.dispose();
    this.labels.dispose();
  }
}

type Fn = (...a: Arr[]) => Arr;

/** A jax-js engine on `device` with every op compiled by jit; `info` says threads and where it runs. */
export function jaxEngine(name: string, device: "wasm" | "webgpu", info: Record<string, string | number | boolean>): Engine<Arr> {
  const compiled = (f: Fn): Fn => jit(f) as unknown as Fn;
  const matmul = compiled((a, b) => np.matmul(a, b));
  const mulAdd = compiled((a, b, c) => np.add(np.multiply(a, b), c));
  const exp = compiled((a) => np.exp(a));
  const tanh = compiled((a) => np.tanh(a));
  const sum = compiled((a) => np.sum(a));
  const add = compiled((a, b) => np.add(a, b));
  const conv = compiled((x, f) => lax.conv(x, f, [1, 1], "SAME"));
  return {
    name,
    peer: true,
    waits: "await array.ref.data()",
    info: { device, jit: true, ...info },
    fromHost,
    read: async (t) => (await t.ref.data()) as Float32Array,
    dispose: (t) => t.dispose(),
    matmul: (a, b) => matmul(a.ref, b.ref),
    mulAdd: (a, b, c) => mulAdd(a.ref, b.ref, c.ref),
    exp: (a) => exp(a.ref),
    tanh: (a) => tanh(a.ref),
    sum: (a) => sum(a.ref),
    add: (a, b) => add(a.ref, b.ref),
    conv2d: {
      inputs: (x, f) => [fromHost(permute(x, [0, 3, 1, 2])), fromHost(permute(f, [3, 2, 0, 1]))],
      run: (x, f) => conv(x.ref, f.ref),
      toNhwc: (r, outShape) => {
        const [n, h, w, c] = outShape as [number, number, number, number];
        return permute({ data: r, shape: [n, c, h, w] }, [0, 2, 3, 1]).data;
      },
    },
    mlp: (spec: MlpSpec) => new JaxMlp(spec),
    activate: async () => {
      defaultDevice(device);
    },
    close: async () => undefined,
  };
}
