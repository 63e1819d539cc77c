/**
 * Composite neural-network functions built from primitives: softmax, logSoftmax,
 * logSumExp, moments. A backend may register a fused kernel for one, checked against these.
 */
/** Tensor methods contributed by this module. */
export const nnMethods = {};
