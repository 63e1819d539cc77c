/**
 * The scalar expression IR, public to backends and plugins through `@eager/core/backend` as
 * `ir`: node types, the typed builder, the JavaScript lowering, float32 expansions of the
 * transcendental operations, and a printer. Lowerings for devices live in their backends.
 */
export * from "./builder.js";
export { IR_BINARY, IR_LEAVES, IR_OTHER, IR_UNARY, COMPARISONS, FLOAT_ONLY, IrTypeError, attrNames, inputCount, isFloatDType, node, rewrite, topoOrder, useCounts } from "./expr.js";
export type { Expr, IrBinaryOp, IrDType, IrOp, IrUnaryOp } from "./expr.js";
export { compileJs, jsLiteral, jsSource, type JsOptions, type ScalarFn } from "./js.js";
export { EXPANDABLE, expandFloat32 } from "./expand.js";
export { instantiate, referenceKernel, scalarFunction, type ElementwiseExpr, type IrAttrs } from "./instantiate.js";
export { printExpr } from "./print.js";
