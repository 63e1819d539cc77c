/**
 * Registers the reference backend ("reference", priority 0) once, whichever entry point
 * (`@eager/core` or `@eager/core/backend`) loads first.
 */
import { createReferenceBackend } from "../backends/reference.js";
import { registerBackend } from "./registry.js";

registerBackend("reference", () => createReferenceBackend(), { priority: 0 });
