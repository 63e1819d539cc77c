/**
 * Browser entry of a `Dataset.map(fn, { parallel })` worker (a module Web Worker): exposes
 * `run(task)` through comlink; the page side wraps it and calls it once per element.
 */
import { expose } from "comlink";
import { runMapTask } from "./map-worker-core.mjs";

expose({ run: runMapTask });
