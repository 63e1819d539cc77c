/**
 * The conformance suite from `@eager/conformance` on the registered "cpu" backend: every op
 * of core's table, every shape class (the large class is above the threading thresholds)
 * and dtype, against the reference backend. Run again on a 2-thread instance with tiny
 * thresholds whose new buffers are NaN-filled, so an unwritten output element shows.
 */
import { describe, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { conformanceSuite } from "@eager/conformance";
import { createCpuBackend } from "@eager/backend-cpu";
import "@eager/backend-cpu";

const poisoned = createCpuBackend({ name: "cpu-poisoned", threads: 2, awaitWorkers: true, thresholds: { elementwise: 64, matmul: 64 }, poisonAllocations: true });
registerBackend("cpu-poisoned", () => poisoned, { priority: -1 });
await tf.ready("cpu");
await tf.ready("cpu-poisoned");
conformanceSuite({ device: "cpu", describe, it });
conformanceSuite({ device: "cpu-poisoned", describe, it });
