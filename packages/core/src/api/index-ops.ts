/**
 * Public index ops (TF.js signatures): gather, gatherND, scatterND, oneHot.
 */
/** Tensor methods contributed by this module. */
export const indexMethods = {};
