/**
 * The conformance suite from `@eager/conformance` on the registered "cpu" backend: every op
 * of core's table, every shape class (the large class is above the threading thresholds)
 * and dtype, against the reference backend.
 */
import { describe, it } from "vitest";
import * as tf from "@eager/core";
import { conformanceSuite } from "@eager/conformance";
import "@eager/backend-cpu";

await tf.ready("cpu");
conformanceSuite({ device: "cpu", describe, it });
