/**
 * A profiling workload shared by the Node and browser tests: a heavy matmul among small adds,
 * and the checks that a device's profile attributes most of the time to it, with every op's
 * time source in the records, the table and the trace.
 */
import { expect } from "vitest";
import * as tf from "@eager/core";

/** Five small adds, an n x n matmul, five small adds and a sum: the profile of that chain on `device` (profiled once before, to compile). */
export async function heavyChain(device: string, n: number) {
  const [small, a] = tf.withDevice(device, () => [tf.fill([64], 1), tf.randomUniform([n, n], 0, 1, "float32", 3)]);
  const run = () => tf.withDevice(device, () => tf.tidy(() => {
    let s = small!;
    for (let i = 0; i < 5; i++) s = tf.add(s, 1);
    const m = tf.matmul(a!, a!);
    for (let i = 0; i < 5; i++) s = tf.add(s, 1);
    return [tf.sum(m), s];
  }));
  // A first profiled run compiles the kernels and sets up what timing needs.
  for (const t of (await tf.profile(run)).result) await t.data().then(() => t.dispose());
  const p = await tf.profile(run);
  const [total, s] = p.result;
  expect(Array.from(await s!.data())).toEqual(new Array(64).fill(11));
  expect((await total!.data())[0]).toBeGreaterThan(0);
  for (const t of [small!, a!, total!, s!]) t.dispose();
  return p;
}

/** The chain's ops all ran on `device` with times from `source`; the matmul took most of the time; table and trace agree. */
export function expectMatmulDominates(p: Awaited<ReturnType<typeof heavyChain>>, source: string, device: string, path: string): void {
  expect(p.ops.map((o) => o.op)).toEqual([...new Array(5).fill("add"), "matmul", ...new Array(5).fill("add"), "sum"]);
  for (const o of p.ops) expect([o.op, o.device, o.timeSource]).toEqual([o.op, device, source]);
  const total = p.ops.reduce((s, o) => s + o.wallMs, 0);
  const matmul = p.byOp["matmul"]!.totalMs;
  // SwiftShader runs on CPU threads that other processes share, so a small op can be delayed by
  // milliseconds now and then: the matmul must still take most of the time.
  expect(matmul / total, p.table()).toBeGreaterThan(0.6);
  // On the device, ops run one after another: each starts no earlier than the one before ended.
  for (let i = 1; i < p.ops.length; i++) expect(p.ops[i]!.startMs).toBeGreaterThanOrEqual(p.ops[i - 1]!.startMs + p.ops[i - 1]!.wallMs - 1e-6);
  const rows = p.table().split("\n");
  expect(rows[0]).toMatch(/^op\s+device\s+kernel\s+time\s+calls/);
  expect(rows[2]).toMatch(new RegExp(`^matmul\\s+${device}\\s+${path}\\s+${source}\\s+1\\s`));
  expect(p.table()).toMatch(new RegExp(`ops on ${device} ran one at a time`));
  const trace = JSON.parse(p.toChromeTrace()) as { traceEvents: { ph: string; name: string; dur: number; args: { index: number; timeSource: string } }[] };
  const spans = trace.traceEvents.filter((e) => e.ph === "X");
  expect(spans.map((e) => [e.args.index, e.name, e.args.timeSource])).toEqual(p.ops.map((o) => [o.index, o.op, source]));
  expect(spans.find((e) => e.name === "matmul")!.dur).toBe(Math.max(1, Math.round(matmul * 1000)));
}

