/**
 * The module Web Worker entry: exposes the host to the page that started this worker.
 */
import { expose } from "comlink";
import { createHost } from "./host.js";

expose(createHost());
