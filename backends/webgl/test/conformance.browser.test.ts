/**
 * The conformance suite in headless Chromium, where gpu.js runs real WebGL2 (ANGLE over
 * SwiftShader): every op of the table against the float64 reference. Ops whose GLSL math is
 * less accurate than the default float32 tolerance run under the looser tolerance that
 * WEBGL_TOLERANCES states, with its reason; every other op meets the default.
 */
import { describe, expect, it } from "vitest";
import { getBackend, opNames } from "@eager/core/backend";
import { conformanceSuite } from "@eager/conformance";
import { WEBGL_TOLERANCES } from "@eager/backend-webgl";

describe("webgl in Chromium", () => {
  it("runs on WebGL2, and says so", () => {
    const info = getBackend("webgl").capabilities.info!;
    expect(info["mode"]).toBe("webgl2");
    expect(info["webgl"]).toBe(true);
    expect(getBackend("webgl").capabilities.kind).toBe("gpu");
  });
});

const loose = Object.keys(WEBGL_TOLERANCES);
conformanceSuite({ device: "webgl", describe, it, ops: opNames.filter((op) => !loose.includes(op)) });
for (const [op, t] of Object.entries(WEBGL_TOLERANCES)) {
  describe(`${op} (float32 atol ${t.atol}, rtol ${t.rtol}: ${t.reason})`, () => {
    conformanceSuite({ device: "webgl", describe, it, ops: [op], tolerances: { float32: { atol: t.atol, rtol: t.rtol } } });
  });
}
