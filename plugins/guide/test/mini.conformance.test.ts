/**
 * The conformance suite on the guide's example backend: what it declares (add, mul, relu) is
 * checked against the reference, relu's kernel also against relu's decomposition.
 */
import { describe, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { conformanceSuite } from "@eager/conformance";
import { createMiniBackend } from "../src/example.js";

registerBackend("mini", createMiniBackend, { kind: "cpu", priority: -1 });
await tf.ready("mini");
conformanceSuite({ device: "mini", describe, it });
