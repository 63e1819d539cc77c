/**
 * Debugging tools: cross-device parity, numerics checking, the profiler and the leak finder.
 * They watch ops through one engine hook that is null (and free) while all of them are off.
 */
export { checkParity, type ParityOptions, type ParityReport, type DeviceParity, type Divergence } from "./parity.js";
export { enableCheckNumerics, disableCheckNumerics, isCheckNumericsEnabled, withCheckNumerics, flushNumericsChecks } from "./numerics.js";
export { profile, time, type Profile, type ProfiledOp, type ProfileSummary, type TimeSource, type TimingInfo } from "./profile.js";
export { memory, enableLeakTracking, disableLeakTracking, checkLeaks, type LiveTensor, type VerboseMemoryInfo, type LeakGroup, type LeakReport } from "./leaks.js";
