/**
 * The conformance suite on the reference backend inside headless Chromium: every op of the
 * table against the float64 oracle, in the browser's JavaScript engine.
 */
import { describe, it } from "vitest";
import { conformanceSuite, type KnownFailure } from "@eager/conformance";

/** Cases the reference backend gets wrong in the browser today, each with the bug. */
const referenceKnownFailures: KnownFailure[] = [];

conformanceSuite({ device: "reference", describe, it, dtypes: ["float32", "int32", "bool"], knownFailures: referenceKnownFailures });
