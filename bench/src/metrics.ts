/**
 * Units the results are quoted in, each a conversion from a median iteration time (ms).
 */
import type { Metric } from "./types.js";

/** GFLOP/s for an iteration that does `flops` floating-point operations. */
export const gflops = (flops: number): Metric => ({ unit: "GFLOP/s", higherIsBetter: true, fromMs: (ms) => flops / (ms * 1e6) });

/** Nanoseconds per element for an iteration over `elements` elements. */
export const nsPerElement = (elements: number): Metric => ({ unit: "ns/element", higherIsBetter: false, fromMs: (ms) => (ms * 1e6) / elements });

/** Microseconds per op for an iteration of `ops` ops. */
export const usPerOp = (ops: number): Metric => ({ unit: "us/op", higherIsBetter: false, fromMs: (ms) => (ms * 1e3) / ops });

/** Milliseconds per iteration. */
export const milliseconds: Metric = { unit: "ms", higherIsBetter: false, fromMs: (ms) => ms };

/** Milliseconds per training step. */
export const msPerStep: Metric = { unit: "ms/step", higherIsBetter: false, fromMs: (ms) => ms };
