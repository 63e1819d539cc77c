/**
 * The README's Export section serving example, run as written: it loads an exported CNN with
 * onnxruntime-node, answers a POST, and its logits match eager within 1e-5 relative.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { CNN } from "../../packages/examples/src/mnist/models.js";
import { maxRelDiff } from "./runtimes.js";

const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");

describe("README Export serving example", () => {
  it("serves the exported CNN's logits", async () => {
    const code = /## Export[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toContain("onnxruntime-node");
    // inside the repository, so the example resolves onnxruntime-node as a user's project would
    const dir = fileURLToPath(new URL(`./.serve-${process.pid}/`, import.meta.url));
    mkdirSync(join(dir, "out"), { recursive: true });
    const net = new CNN({ seed: 5 });
    const x = tf.randomUniform([3, 784], 0, 1, "float32", 8);
    const want = net.apply(x);
    await tf.onnx.saveModel(net, join(dir, "out", "mnist-cnn.onnx"), { inputSignature: [{ shape: [null, 784] }] });
    writeFileSync(join(dir, "serve.mjs"), code!);
    const port = 20000 + (process.pid % 20000);
    const child = spawn(process.execPath, ["serve.mjs"], { cwd: dir, env: { ...process.env, PORT: String(port) }, stdio: "inherit" });
    try {
      let got: number[] | undefined;
      for (let i = 0; i < 100 && !got; i++) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: JSON.stringify(await x.array()) });
          got = (await res.json()) as number[];
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      expect(got).toHaveLength(30);
      expect(maxRelDiff(got!, want.dataSync() as Float32Array)).toBeLessThanOrEqual(1e-5);
    } finally {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
