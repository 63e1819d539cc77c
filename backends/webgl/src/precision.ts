/**
 * Where GLSL's float32 math is less accurate than the conformance suite's default float32
 * tolerance (atol 1e-5, rtol 1e-5): the ops, the tolerance they meet and why. The browser
 * conformance test and the README read this list; every other op meets the default.
 */

/** A looser float32 tolerance for one op, with the reason. */
export interface OpTolerance {
  readonly atol: number;
  readonly rtol: number;
  readonly reason: string;
}

const TRIG = "GLSL sin/cos are approximations; ANGLE on SwiftShader is off by up to about 3e-5 for |x| <= 2";

/** Ops that need a looser float32 tolerance on WebGL, by op name. */
export const WEBGL_TOLERANCES: Readonly<Record<string, OpTolerance>> = {
  sin: { atol: 1e-4, rtol: 1e-4, reason: TRIG },
  cos: { atol: 1e-4, rtol: 1e-4, reason: TRIG },
  tan: { atol: 1e-4, rtol: 1e-4, reason: `${TRIG}; tan is their quotient` },
  acos: { atol: 1e-4, rtol: 1e-4, reason: "GLSL acos is an approximation; SwiftShader's is off by up to about 7e-5 near 0" },
};
