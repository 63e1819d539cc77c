/**
 * Peer: jax-js on its "wasm" device, used eagerly (no jit), with its ownership rules
 * (every call consumes its arguments, so the adapter passes `.ref`). In Node it runs
 * single-threaded: its worker pool needs a global Web Worker, which Node 20 lacks. It is
 * lazy: elementwise chains fuse when read. conv runs in its native NCHW/OIHW layout.
 */
import { init, defaultDevice, lax, nn, numpy as np, valueAndGrad, tree } from "@jax-js/jax";
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
  constructor(private readonly spec: MlpSpec) {
    this.params = { w1: fromHost(spec.w1), b1: fromHost(spec.b1), w2: fromHost(spec.w2), b2: fromHost(spec.b2) };
    this.x = fromHost(spec.x);
    this.labels = fromHost(spec.labels);
  }
  async step(): Promise<number> {
    const batch = this.spec.x.shape[0]!;
    const lossFn = (p: Params, x: Arr, labels: Arr): Arr => {
      const h = nn.relu(np.add(np.matmul(x, p.w1), p.b1));
      const z = np.add(np.matmul(h, p.w2), p.b2);
      return np.sum(np.multiply(labels, nn.logSoftmax(z, -1))).mul(-1 / batch);
    };
    const [loss, grads] = valueAndGrad(lossFn)(tree.map((a: Arr) => a.ref, this.params), this.x.ref, this.labels.ref);
    const lr = this.spec.learningRate;
    // SGD: p -= lr * g
    this.params = tree.map((p: Arr, g: Arr) => p.sub(g.mul(lr)), this.params, grads as Params) as Params;
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

function jaxEngine(): Engine<Arr> {
  return {
    name: "jax-js-wasm",
    peer: true,
    waits: "await array.ref.data()",
    info: { device: "wasm", threads: 1, threadsNote: "no global Worker in Node, so no worker pool", jit: false },
    fromHost,
    read: async (t) => (await t.ref.data()) as Float32Array,
    dispose: (t) => t.dispose(),
    matmul: (a, b) => np.matmul(a.ref, b.ref),
    mulAdd: (a, b, c) => np.add(np.multiply(a.ref, b.ref), c.ref),
    exp: (a) => np.exp(a.ref),
    tanh: (a) => np.tanh(a.ref),
    sum: (a) => np.sum(a.ref),
    add: (a, b) => np.add(a.ref, b.ref),
    conv2d: {
      inputs: (x, f) => [fromHost(permute(x, [0, 3, 1, 2])), fromHost(permute(f, [3, 2, 0, 1]))],
      run: (x, f) => lax.conv(x.ref, f.ref, [1, 1], "SAME"),
      toNhwc: (r, outShape) => {
        const [n, h, w, c] = outShape as [number, number, number, number];
        return permute({ data: r, shape: [n, c, h, w] }, [0, 2, 3, 1]).data;
      },
    },
    mlp: (spec: MlpSpec) => new JaxMlp(spec),
    activate: async () => {
      defaultDevice("wasm");
    },
    close: async () => undefined,
  };
}

/** The jax-js engine, or why it did not start. */
export async function jaxEngines(): Promise<{ engines: Engine[]; unavailable: EngineUnavailable[] }> {
  try {
    const devices = await init("wasm");
    if (!devices.includes("wasm")) return { engines: [], unavailable: [{ name: "jax-js-wasm", reason: `jax-js init gave ${devices.join(", ")}` }] };
    defaultDevice("wasm");
    return { engines: [jaxEngine()], unavailable: [] };
  } catch (e) {
    return { engines: [], unavailable: [{ name: "jax-js-wasm", reason: (e as Error).message.split("\n")[0]! }] };
  }
}
