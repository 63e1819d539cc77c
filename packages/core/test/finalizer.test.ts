/** The GC safety net: tensors nobody disposed are freed once they are garbage-collected. */
import { expect, it } from "vitest";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as tf from "@eager/core";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

it("frees the storage of collected, undisposed tensors", async () => {
  const before = tf.memory();
  (() => {
    for (let i = 0; i < 2000; i++) tf.add(tf.scalar(i), 1);
  })();
  expect(tf.memory().numTensors - before.numTensors).toBe(4000);
  for (let i = 0; i < 20 && tf.memory().numTensors > before.numTensors; i++) {
    await new Promise((r) => setTimeout(r, 10));
    gc();
  }
  expect(tf.memory().numTensors).toBe(before.numTensors);
  expect(tf.memory().numBytes).toBe(before.numBytes);
});

it("does not free tensors that are still referenced", async () => {
  const kept = tf.add(tf.scalar(1), 1);
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 10));
    gc();
  }
  expect(kept.item()).toBe(2);
  kept.dispose();
});
