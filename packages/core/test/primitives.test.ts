/**
 * The primitives object: one function per op of the table (inputs first, attrs last), bound to
 * dispatch; and every primitive the op records' gradient rules and decompositions call exists.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { opNames, primitives } from "@eager/core/backend";

const opsDir = fileURLToPath(new URL("../src/ops", import.meta.url));

describe("primitives", () => {
  it("has a function for every op of the table", () => {
    for (const name of opNames) expect(typeof (primitives as unknown as Record<string, unknown>)[name], name).toBe("function");
  });

  it("takes inputs first and the attrs object last", async () => {
    const x = tf.tensor([[1, 2], [3, 4]]);
    expect(await primitives.add(x, 1).array()).toEqual([[2, 3], [4, 5]]);
    expect(await primitives.sum(x, { axes: [0], keepDims: false }).array()).toEqual([4, 6]);
    expect(await primitives.transpose(x, { perm: [1, 0] }).array()).toEqual([[1, 3], [2, 4]]);
    expect(await primitives.concat(x, x, { axis: 0 }).array()).toEqual([[1, 2], [3, 4], [1, 2], [3, 4]]);
    const [values, indices] = primitives.run("topk", [x], { k: 1, sorted: true });
    expect(await values!.array()).toEqual([[2], [4]]);
    expect(await indices!.array()).toEqual([[1], [1]]);
  });

  it("names only ops of the table in ops/ (gradient rules and decompositions)", () => {
    const used = new Set<string>();
    for (const f of readdirSync(opsDir).filter((n) => n.endsWith(".ts"))) {
      for (const m of readFileSync(`${opsDir}/${f}`, "utf8").matchAll(/\bP\.(\w+)\(/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(20);
    const known = new Set<string>([...opNames, "run", "withoutRecording"]);
    expect([...used].filter((n) => !known.has(n))).toEqual([]);
  });
});
