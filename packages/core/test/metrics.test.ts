/** Metrics: Mean and Accuracy, the progress bar and the loss-curve SVG. */
import { describe, expect, it } from "vitest";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@eager/core";
import { metrics } from "@eager/core";

describe("Mean and Accuracy", () => {
  it("Mean averages every element passed to update", () => {
    const m = new metrics.Mean();
    expect(m.result()).toBeNaN();
    m.update(tf.tensor([1, 2]));
    m.update(6);
    expect(m.result()).toBe(3);
    m.reset();
    m.update([[4]]);
    expect(m.result()).toBe(4);
  });
  it("Accuracy takes class ids or one-hot labels", async () => {
    const acc = new metrics.Accuracy();
    const logits = tf.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]);
    acc.update(tf.tensor([1, 1, 1], [3], "int32"), logits);
    expect(acc.result()).toBeCloseTo(2 / 3, 12);
    acc.update(tf.tensor([[1, 0]]), tf.tensor([[5, 1]]));
    expect(acc.result()).toBe(0.75);
    expect(await acc.resultAsync()).toBe(0.75);
    expect(() => acc.update(tf.tensor([1, 1], [2], "int32"), logits)).toThrow(tf.ShapeError);
    acc.reset();
    expect(acc.result()).toBeNaN();
  });
  it("metric updates leave one tensor (the running total) alive", () => {
    const acc = new metrics.Accuracy();
    const y = tf.tensor([1], [1], "int32");
    const p = tf.tensor([[0, 1]]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) acc.update(y, p);
    expect(tf.memory().numTensors).toBe(before + 1);
    acc.reset();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("ProgressBar", () => {
  it("draws step, values and examples per second; on a terminal with \\r, else every tenth", () => {
    const tty: string[] = [];
    const bar = new metrics.ProgressBar({ total: 4, label: "epoch 1", width: 8, intervalMs: 0, stream: { write: (s) => tty.push(s), isTTY: true } });
    bar.update(2, { examples: 64, values: { loss: 0.5, accuracy: 0.25 } });
    expect(tty[0]).toMatch(/^\repoch 1 \[===>\.\.\.\.\] 2\/4 loss 0\.5000 accuracy 0\.2500 \d+ ex\/s [\d.]+s\x1b\[K$/);
    bar.finish();
    expect(tty[1]!.endsWith("\n")).toBe(true);
    const log: string[] = [];
    const plain = new metrics.ProgressBar({ total: 100, stream: { write: (s) => log.push(s) } });
    for (let i = 1; i <= 100; i++) plain.update(i, { examples: 1 });
    expect(log.length).toBe(10);
    expect(log.every((l) => !l.includes("\r") && l.endsWith("\n"))).toBe(true);
    expect(plain.examplesPerSecond).toBeGreaterThan(0);
  });
});

describe("LossCurve", () => {
  it("writes an SVG with one path per series and a legend", async () => {
    const c = new metrics.LossCurve({ title: "loss <test>" });
    for (let i = 0; i < 10; i++) c.add("train", i, 1 / (i + 1));
    c.add("test", 9, 0.2);
    c.add("test", 10, NaN);
    expect(c.points("test")).toEqual([[9, 0.2]]);
    const dir = await mkdtemp(join(tmpdir(), "eager-curve-"));
    const path = await c.save(join(dir, "loss.svg"));
    const svg = await readFile(path, "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("loss &lt;test&gt;");
    expect(svg.match(/<path /g)!.length).toBe(2);
    expect(svg).toContain(">train</text>");
    expect(svg).toContain(">test</text>");
    expect(svg.trim().endsWith("</svg>")).toBe(true);
  });
});
