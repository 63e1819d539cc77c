/**
 * Convolution and pooling in NHWC: conv2d, depthwiseConv2d, conv2dTranspose, maxPool,
 * avgPool, with strides and "same"/"valid" padding.
 */
export const convOps = {};
