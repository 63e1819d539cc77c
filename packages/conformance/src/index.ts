/**
 * `@eager/conformance`: the suite every backend runs against the reference backend, plus the
 * pieces it is built from (case planning, seeded values, tolerant comparison) for other
 * generated tests. Runner-agnostic and free of Node-only imports, so it also runs in browsers.
 */
export { conformanceSuite, planOp, allowedDTypes, unsupportedReason, oracleAttrs, declaresOp, type ConformanceOptions, type TestApi, type TestFn, type TestContext, type KnownFailure, type CaseRun } from "./suite.js";
export {
  caseTemplates,
  expandDTypes,
  inferOutputs,
  promotedDTypes,
  caseLabel,
  tableOps,
  DEFAULT_LARGE_SIZE,
  type CaseTemplate,
  type PlannedCase,
  type PlanOptions,
  type Layout,
  type ShapeClass,
} from "./cases.js";
export { compareValues, DEFAULT_TOLERANCES, type Tolerance } from "./compare.js";
export { seededRandom, hashString, inputValues, inputDomain, uniformValues, type Random } from "./values.js";
export { epilogueCases, epilogueExpr, runEpilogueCase, type EpilogueCase, type EpilogueOperand, type EpilogueResult, type EpilogueStep } from "./epilogue.js";
export { compiledMlpSteps, compiledStepMismatch, type CompiledStepRun } from "./compiled-step.js";
