/**
 * The `data` namespace: Dataset input pipelines.
 * @example for await (const [x, y] of data.Dataset.fromTensorSlices([xs, ys]).batch(32)) { ... }
 */
export { Dataset } from "./dataset.js";
export type { Structure } from "./structure.js";
export { DatasetMapError, type ModuleFunction, type ParallelMapOptions } from "./parallel.js";
export { openMapPools } from "./map-pool.js";
export type { HostTensor, HostOf } from "./host.js";
