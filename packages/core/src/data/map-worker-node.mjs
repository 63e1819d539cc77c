/**
 * Node entry of a `Dataset.map(fn, { parallel })` worker: piscina calls the default export
 * with one task ({ fn, element }) and sends back what it resolves to.
 */
import { runMapTask } from "./map-worker-core.mjs";

export default runMapTask;
