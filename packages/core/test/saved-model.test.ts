/** Saved models: round trip with a dynamic batch, validation errors, a fresh process, checkpoints both ways. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";

class Small extends tf.Network {
  d1 = this.trackLayer(new tf.layers.Dense({ units: 5, activation: "relu", kernelInitializer: tf.layers.initializers.glorotUniform({ seed: 3 }) }));
  d2 = this.trackLayer(new tf.layers.Dense({ units: 3, kernelInitializer: tf.layers.initializers.glorotUniform({ seed: 4 }) }));
  call(x: tf.Tensor): tf.Tensor {
    return tf.softmax(this.d2.apply(this.d1.apply(tf.reshape(x, [-1, 8]))));
  }
}
const input = (n: number) => tf.randomUniform([n, 2, 4], -1, 1, "float32", n);
const close = (a: tf.Tensor, b: tf.Tensor) => {
  const x = a.dataSync(), y = b.dataSync();
  expect(a.shape).toEqual(b.shape);
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(y[i]!)));
};
const sig = { inputSignature: [{ shape: [null, 2, 4] }] };

describe("saveModel / loadModel", () => {
  it("round-trips a network with a dynamic batch (1 and 7) and names the weights like a checkpoint", async () => {
    const net = new Small();
    const files = await tf.saveModelToBytes(net, sig);
    const model = tf.loadModelFromBytes(files);
    expect(model.inputSignature).toEqual([{ name: "input_0", shape: [null, 2, 4], dtype: "float32" }]);
    expect(model.outputs).toEqual([{ shape: [null, 3], dtype: "float32" }]);
    expect(model.namedVariables().map(([n]) => n)).toEqual(net.namedVariables().map(([n]) => n));
    for (const n of [1, 7]) close(model.predict(input(n)) as tf.Tensor, net.apply(input(n)));
    const json = JSON.parse(new TextDecoder().decode(files.modelJson));
    expect(json.nodes.find((n: { op: string }) => n.op === "reshape").attrs.shape).toEqual([{ $dim: [1, 0] }, 8]);
  });
  it("saves a plain function and finds its variables by name", async () => {
    const w = tf.variable(tf.tensor([[1, 2], [3, 4]]), { name: "w" });
    const model = tf.loadModelFromBytes(await tf.saveModelToBytes((x) => tf.matmul(x, w).add(1), { inputSignature: [{ shape: [null, 2] }] }));
    expect(model.namedVariables().map(([n]) => n)).toEqual(["w"]);
    expect(await (model.predict([[1, 1]]) as tf.Tensor).array()).toEqual([[5, 7]]);
  });
  it("refuses malformed files with errors that name the field", async () => {
    const files = await tf.saveModelToBytes(new Small(), sig);
    const json = JSON.parse(new TextDecoder().decode(files.modelJson));
    const bad = (edit: (j: any) => void) => {
      const j = structuredClone(json);
      edit(j);
      return () => tf.loadModelFromBytes({ modelJson: new TextEncoder().encode(JSON.stringify(j)), weights: files.weights });
    };
    expect(bad((j) => (j.version = 9))).toThrow(/version 9 is not supported/);
    expect(bad((j) => (j.nodes[0].op = "eval"))).toThrow(/nodes\[0\]\.op "eval" is not an op/);
    expect(bad((j) => (j.nodes[1].inputs = [9999]))).toThrow(/nodes\[1\]\.inputs\[0\] refers to value 9999/);
    expect(bad((j) => (j.nodes[0].attrs.shape = [-1, 9]))).toThrow(/nodes\[0\] \(reshape\) does not fit/);
    expect(bad((j) => (j.variables[0].shape = [9, 9]))).toThrow(/is float32\[8,5\] but model.json says float32\[9,9\]/);
    expect(bad((j) => (j.nodes[0].attrs.shape[0] = { $dim: ["x", 0] }))).toThrow(/nodes\[0\]\.attrs\.shape\[0\]\.\$dim must be \[mul, add\]/);
    expect(bad((j) => (j.inputs[0].shape = new Array(40).fill(1)))).toThrow(/more than the limit of 32/);
    expect(() => tf.loadModelFromBytes({ modelJson: new TextEncoder().encode("{"), weights: files.weights })).toThrow(/not valid JSON/);
  });
  it("loads from a folder in a fresh process that has none of the model's code", async () => {
    const dir = mkdtempSync(join(tmpdir(), "saved-"));
    const net = new Small();
    await tf.saveModel(net, join(dir, "m"), sig);
    const x = input(7);
    writeFileSync(join(dir, "x.json"), JSON.stringify(await x.array()));
    const script = `import * as tf from "@eager/core"; import { readFileSync } from "node:fs";
const m = await tf.loadModel(process.argv[2]); const x = tf.tensor(JSON.parse(readFileSync(process.argv[3], "utf8")));
process.stdout.write(JSON.stringify(Array.from(m.predict(x).dataSync())));`;
    const file = join(fileURLToPath(new URL(".", import.meta.url)), `.fresh-${process.pid}.mts`);
    writeFileSync(file, script);
    try {
      const out = execFileSync(process.execPath, ["--conditions=source", "--import", "tsx", file, join(dir, "m"), join(dir, "x.json")], { encoding: "utf8" });
      close(tf.tensor(JSON.parse(out), [7, 3]), net.apply(x));
    } finally {
      (await import("node:fs")).rmSync(file);
    }
  }, 60_000);
  it("loads from a URL with fetch, and names the URL that failed", async () => {
    const { createServer } = await import("node:http");
    const files = await tf.saveModelToBytes(new Small(), sig);
    const server = createServer((req, res) => {
      const body = req.url === "/m/model.json" ? files.modelJson : req.url === "/m/weights.safetensors" ? files.weights : null;
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { "content-length": String(body.length) }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as { port: number }).port;
      const model = await tf.loadModel(`http://127.0.0.1:${port}/m`);
      expect((model.predict(input(2)) as tf.Tensor).shape).toEqual([2, 3]);
      await expect(tf.loadModel(`http://127.0.0.1:${port}/missing`)).rejects.toThrow(/answered 404/);
    } finally {
      server.close();
    }
  });
  it("trains eagerly, exports, restores a checkpoint into the loaded model, keeps training, re-exports, and restores back", async () => {
    const net = new Small();
    const opt = new tf.train.GradientDescentOptimizer({ learningRate: 0.5 });
    const x = input(4), y = tf.tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]]);
    const step = () => opt.applyGradients(tf.implicitGradients(() => tf.losses.meanSquaredError({ labels: y, predictions: net.apply(x) }))());
    step();
    const saved = tf.loadModelFromBytes(await tf.saveModelToBytes(net, sig));
    step();
    expect(Math.abs((saved.predict(x) as tf.Tensor).sub(net.apply(x)).abs().max().item() as number)).toBeGreaterThan(1e-4);
    const ckpt = await new tf.train.Checkpoint({ model: net }).toBytes();
    saved.restoreCheckpoint(ckpt);
    close(saved.predict(x) as tf.Tensor, net.apply(x));
    // keep training both: the loaded model's weights are variables its predict differentiates through
    step();
    const opt2 = new tf.train.GradientDescentOptimizer({ learningRate: 0.5 });
    opt2.applyGradients(tf.implicitGradients(() => tf.losses.meanSquaredError({ labels: y, predictions: saved.predict(x) as tf.Tensor }))());
    close(saved.predict(x) as tf.Tensor, net.apply(x));
    const again = tf.loadModelFromBytes(await tf.saveModelToBytes(saved));
    close(again.predict(x) as tf.Tensor, net.apply(x));
    const fresh = new Small();
    fresh.apply(x);
    new tf.train.Checkpoint({ model: fresh }).fromBytes(await again.checkpointBytes());
    close(fresh.apply(x), net.apply(x));
  });
});
