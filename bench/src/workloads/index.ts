/**
 * Every workload, in the order they run and are reported.
 */
import type { Workload } from "../types.js";
import { convWorkload } from "./conv.js";
import { dispatchWorkload } from "./dispatch.js";
import { elementwiseWorkloads } from "./elementwise.js";
import { matmulWorkload } from "./matmul.js";
import { mlpWorkload } from "./mlp.js";
import { charRnnWorkload } from "./charrnn.js";

export const workloads: Workload[] = [matmulWorkload, ...elementwiseWorkloads, convWorkload, dispatchWorkload, mlpWorkload, charRnnWorkload];
