/**
 * The debugging tools on one device, shared by the Node and browser tests: parity of the MNIST
 * seed model's loss and gradients with the reference (and a planted wrong kernel named), a
 * planted NaN attributed to its op and line, a profile whose trace covers every op (each op's
 * time from the device's own source), and a planted leak found at its creation site.
 */
import { expect, it } from "vitest";
import * as tf from "@eager/core";
import { createReferenceBackend, engine, listBackends, registerBackend, type KernelTensor } from "@eager/core/backend";
import { MNISTModel } from "../packages/examples/src/mnist/models.js";

/** Register "planted-wrong": the reference backend whose tanh adds 1 to every output. */
export function registerWrongBackend(): void {
  if (listBackends().includes("planted-wrong")) return;
  registerBackend(
    "planted-wrong",
    () => {
      const b = createReferenceBackend("planted-wrong");
      const tanh = b.kernels.tanh as unknown as (i: readonly KernelTensor[], o: readonly KernelTensor[], a: unknown) => void;
      const wrong = (i: readonly KernelTensor[], o: readonly KernelTensor[], a: unknown) => {
        tanh(i, o, a);
        const out = o[0]!.data as Float32Array;
        for (let k = 0; k < out.length; k++) out[k]! += 1;
      };
      return { ...b, kernels: { ...b.kernels, tanh: wrong } };
    },
    { priority: -5, defaultDevice: false },
  );
}

/** A seeded batch of MNIST-shaped inputs and one-hot labels. */
export function batch(n: number): { x: tf.Tensor; y: tf.Tensor } {
  const x = new Float32Array(n * 784);
  let s = 7;
  for (let i = 0; i < x.length; i++) x[i] = ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const y = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) y[i * 10 + (i % 10)] = 1;
  return { x: tf.tensor(x, [n, 784]), y: tf.tensor(y, [n, 10]) };
}

/** Where a marker comment sits in this file (Node only), to check reported lines. */
type LineOf = ((marker: string) => number) | null;

const file = "debug-tools-suite.ts";

function expectSite(site: string, lineOf: LineOf, marker: string): void {
  expect(site).toContain(file);
  if (lineOf) expect(site).toContain(`${file}:${lineOf(marker)}:`);
}

/** The tests for `device` (`path`: the kernel path its profile must report for matmul). */
export function debugToolsSuite(device: string, path: RegExp, lineOf: LineOf): void {
  it(`checkParity: the MNIST seed model's loss and gradients on ${device} agree with the reference; a planted wrong kernel is named`, async () => {
    registerWrongBackend();
    const model = new MNISTModel();
    const { x, y } = batch(8);
    const lossAndGrads = (a: tf.Tensor, b: tf.Tensor) =>
      tf.implicitValueAndGradients(() => tf.mean(tf.nn.softmaxCrossEntropyWithLogits({ labels: b, logits: model.apply(a) as tf.Tensor })))();
    const r = await tf.checkParity(lossAndGrads, [x, y], { devices: [device], print: false });
    expect(r.ops).toBeGreaterThan(10);
    expect(r.devices[0]!.divergence, String(r)).toBeNull();
    expect(r.ok).toBe(true);
    const withTanh = (a: tf.Tensor) => tf.sum(tf.tanh(model.apply(a) as tf.Tensor)); // PARITY-TANH
    const w = await tf.checkParity(withTanh, [x], { devices: [device, "planted-wrong"], print: false });
    expect(w.devices[0]!.divergence, String(w)).toBeNull();
    const v = w.devices[1]!.divergence!;
    expect(v.op).toBe("tanh");
    expect(v.inputs).toEqual([{ shape: [8, 10], dtype: "float32" }]);
    expect(v.maxAbsError).toBeCloseTo(1, 4);
    expect(v.inputError).toBe(0);
    expectSite(v.callSite, lineOf, "PARITY-TANH");
    expect(String(w)).toMatch(/planted-wrong: first divergence at op #\d+ tanh/);
    model.dispose();
    x.dispose();
    y.dispose();
  });

  it(`numerics: a planted NaN on ${device} is attributed to its op and line`, async () => {
    const x = tf.withDevice(device, () => tf.tensor([0, 2, 1, 4]));
    const syncRead = engine.backends.get(tf.resolveDevice(device))!.instance!.capabilities.syncRead;
    let err: unknown = null;
    try {
      await tf.withCheckNumerics(async () => {
        const y = tf.withDevice(device, () => tf.log(tf.sub(x, 1))); // PLANTED-NAN
        await y.data();
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(tf.NumericsError);
    const msg = (err as Error).message;
    // log(-1) is NaN and log(0) is -Infinity; GLSL leaves log(-1) undefined, so WebGL may give only the infinity.
    const exact = `produced 1 NaN and 1 infinite values in output 0 \\(float32\\[4\\], first at flat index 0\\)`;
    const glsl = `produced 1 infinite value in output 0 \\(float32\\[4\\], first at flat index 2\\)`;
    expect(msg).toMatch(new RegExp(`^log on "${tf.resolveDevice(device)}" (${exact}|${glsl}) from finite inputs \\(float32\\[4\\]\\)`));
    expectSite(msg, lineOf, "PLANTED-NAN");
    expect(msg.includes("reported at this read")).toBe(!syncRead);
    x.dispose();
  });

  it(`profile on ${device}: every op recorded with its kernel path; the trace parses and covers every op`, async () => {
    const model = new MNISTModel();
    const { x, y } = batch(4); // on the default device: ops on another device move it there
    y.dispose();
    tf.withDevice(device, () => tf.tidy(() => { model.apply(x); })); // build the weights
    const p = await tf.profile(() => tf.withDevice(device, () => tf.tidy(() => tf.sum(tf.relu(model.apply(x) as tf.Tensor)))));
    const user = p.ops.filter((o) => o.depth === 0);
    expect(user.map((o) => o.op)).toContain("matmul");
    expect(user.map((o) => o.op)).toContain("relu");
    for (const o of user) expect(o.device).toBe(tf.resolveDevice(device));
    expect(user.find((o) => o.op === "matmul")!.path).toMatch(path);
    // Where each op's time comes from: GPU timestamps where WebGPU has them (an op that also copies
    // buffers is timed to completion), completion on asynchronous devices, else the host clock.
    const caps = engine.backends.get(tf.resolveDevice(device))!.instance!.capabilities;
    const source = caps.info?.["timestampQueries"] === true ? "gpu-timestamp" : !caps.syncRead || caps.info?.["webgl"] === true ? "completion" : "host";
    expect(user.find((o) => o.op === "matmul")!.timeSource).toBe(source);
    for (const o of user) expect([o.op, o.timeSource]).toEqual([o.op, source === "gpu-timestamp" ? expect.stringMatching(/^(gpu-timestamp|completion)$/) : source]);
    expect(p.table().split("\n")[2]).toContain(source);
    const trace = JSON.parse(p.toChromeTrace()) as { traceEvents: { name: string; ph: string; args: { index: number } }[] };
    const spans = trace.traceEvents.filter((e) => e.ph === "X");
    expect(spans.map((e) => e.args.index)).toEqual(p.ops.map((o) => o.index));
    expect(spans.map((e) => e.name)).toEqual(p.ops.map((o) => o.op));
    expect(p.table().split("\n")[2]).toBeTruthy();
    expect(p.byDevice[tf.resolveDevice(device)]!.count).toBe(user.length);
    (p.result as tf.Tensor).dispose();
    model.dispose();
    x.dispose();
  });

  it(`checkLeaks on ${device}: a planted leak is found with its creation site`, () => {
    const x = tf.withDevice(device, () => tf.tensor([1, 2, 3, 4]));
    const held: tf.Tensor[] = [];
    const r = tf.checkLeaks(() =>
      tf.withDevice(device, () => {
        tf.tidy(() => { tf.exp(x); });
        held.push(tf.mul(x, 2)); // PLANTED-LEAK
      }),
    );
    expect(r.leaked).toBe(1);
    expect(r.groups[0]!.op).toBe("mul");
    expect(r.groups[0]!.tensors[0]!.device).toBe(tf.resolveDevice(device));
    expect(r.groups[0]!.bytes).toBe(16);
    expectSite(r.groups[0]!.site, lineOf, "PLANTED-LEAK");
    held[0]!.dispose();
    x.dispose();
  });
}
