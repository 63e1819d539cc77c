/** Seed checks on the registered "cpu" backend: a matmul and a gradient, read back synchronously. */
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import "@eager/backend-cpu";

describe("cpu backend seed", () => {
  it("is the default device after ready()", async () => {
    await tf.ready("cpu");
    expect(tf.getDefaultDevice()).toBe("cpu");
  });
  it("matmul([[2]], [[2]]) is [[4]]", async () => {
    await tf.ready("cpu");
    const m = tf.withDevice("cpu", () => tf.matmul([[2]], [[2]]));
    expect(m.device).toBe("cpu");
    expect(Array.from(m.dataSync())).toEqual([4]);
    expect(m.shape).toEqual([1, 1]);
    m.dispose();
  });
  it("differentiates on cpu: d(x^2)/dx at 3 is 6", async () => {
    await tf.ready("cpu");
    const g = tf.withDevice("cpu", () => tf.gradientsFunction((x) => tf.square(x))(3)[0]!);
    expect(g.device).toBe("cpu");
    expect(g.item()).toBe(6);
  });
});
