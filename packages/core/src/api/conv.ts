/**
 * Public convolution and pooling ops (TF.js signatures), NHWC.
 */
/** Tensor methods contributed by this module. */
export const convMethods = {};
