/**
 * A TF.js training script (linear regression with variables and tf.train.sgd, an MLP with
 * tf.sequential and tf.layers, model.fit, tf.train.adam, t.print(), tf.dispose) type-checks
 * and runs with only its import line changed.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = `${root}test/fixtures/tfjs-port/`;
// TF.js itself is installed for the benchmarks; the same script runs there as the reference.
const tfjsDir = `${root}bench/`;
const hasTfjs = existsSync(`${tfjsDir}node_modules/@tensorflow/tfjs/package.json`);

it("type-checks strictly", () => {
  let output = "";
  try {
    execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-p", `${dir}tsconfig.json`], { encoding: "utf8" });
  } catch (e) {
    output = String((e as { stdout?: string }).stdout ?? e);
  }
  expect(output).toBe("");
}, 120_000);

it("trains: the line is found, the MLP's loss falls, nothing but weights and slots is left", () => {
  const stdout = execFileSync(process.execPath, ["--conditions=source", "--import", "tsx", `${dir}train.ts`], { encoding: "utf8", cwd: dir });
  const lines = stdout.trim().split("\n");
  expect(lines[0]).toMatch(/^Variable "Variable_\d+": Tensor\([\d.]+, shape=\[\], dtype=float32\)$/);
  expect(stdout).toContain('Model: "sequential"');
  expect(stdout).toMatch(/Total params: 49/);
  const r = JSON.parse(lines[lines.length - 1]!);
  expect(r.a).toBeCloseTo(2, 3);
  expect(r.b).toBeCloseTo(-1, 3);
  expect(r.cost).toBeLessThan(1e-6);
  expect(r.epochs).toBe(150);
  expect(r.lastLoss).toBeLessThan(r.firstLoss / 100);
  expect(r.evaluatedLoss).toBeLessThan(0.05);
  expect(r.prediction).toBeGreaterThan(14); // 2 * 10 - 1 = 19; a ReLU MLP extrapolates roughly
  // 4 weights + 8 Adam slots + the predict input + the two scalars passed to tf.variable (TF.js leaks those too).
  expect(r.numTensors).toBeLessThanOrEqual(16);
}, 120_000);

(hasTfjs ? it : it.skip)(`the same script, importing @tensorflow/tfjs, gives the same line and a similar fit${hasTfjs ? "" : " (skipped: @tensorflow/tfjs is not installed under bench/)"}`, () => {
  const source = readFileSync(`${dir}train.ts`, "utf8");
  const ported = source.replace('import * as tf from "@eager/core";', 'import * as tf from "@tensorflow/tfjs";');
  expect(ported).not.toBe(source);
  const file = `${tfjsDir}.tfjs-port-reference.ts`;
  writeFileSync(file, ported);
  let stdout: string;
  try {
    stdout = execFileSync(process.execPath, ["--import", "tsx", file], { encoding: "utf8", cwd: tfjsDir });
  } finally {
    rmSync(file, { force: true });
  }
  const lines = stdout.trim().split("\n");
  const r = JSON.parse(lines[lines.length - 1]!);
  expect(r.a).toBeCloseTo(2, 3);
  expect(r.b).toBeCloseTo(-1, 3);
  expect(r.epochs).toBe(150);
  expect(r.lastLoss).toBeLessThan(r.firstLoss / 100);
}, 120_000);
