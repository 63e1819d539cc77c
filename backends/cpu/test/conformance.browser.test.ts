/**
 * The conformance suite on the CPU backend in headless Chromium (cross-origin isolated, so
 * the pool runs on module Workers sharing the wasm memory): the "cpu" registration and a
 * 2-thread instance with tiny thresholds so that even small cases are split across threads.
 */
import { describe, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { conformanceSuite } from "@eager/conformance";
import { createCpuBackend } from "@eager/backend-cpu";
import "@eager/backend-cpu";

const split = createCpuBackend({ name: "cpu-split", threads: 2, thresholds: { elementwise: 64, matmul: 64 }, poisonAllocations: true });
registerBackend("cpu-split", () => split, { priority: -1 });
await tf.ready("cpu");
await tf.ready("cpu-split");
conformanceSuite({ device: "cpu", describe, it });
conformanceSuite({ device: "cpu-split", describe, it });
