/**
 * The `data` namespace: Dataset input pipelines.
 * @example for await (const [x, y] of data.Dataset.fromTensorSlices([xs, ys]).batch(32)) { ... }
 */
export { Dataset } from "./dataset.js";
export type { Structure } from "./structure.js";
