/**
 * The conformance suite on the typed-array backend, for the ops it declares (`typedArrayOps`):
 * every case and dtype against the reference backend.
 */
import { describe, it } from "vitest";
import * as tf from "@eager/core";
import { registerBackend } from "@eager/core/backend";
import { conformanceSuite } from "@eager/conformance";
import { createTypedArrayBackend, typedArrayOps } from "@eager/plugin-typed-array";

registerBackend("typed-array", () => createTypedArrayBackend(), { priority: -1, kind: "cpu" });
await tf.ready("typed-array");
conformanceSuite({ device: "typed-array", describe, it });
