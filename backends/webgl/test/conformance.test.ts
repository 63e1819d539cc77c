/**
 * The conformance suite in Node, where gpu.js has no WebGL context and runs its kernels in its
 * WebAssembly fallback: the same generated kernels, every op, against the reference.
 */
import { describe, it } from "vitest";
import { conformanceSuite } from "@eager/conformance";
import "@eager/backend-webgl";

conformanceSuite({ device: "webgl", describe, it });
