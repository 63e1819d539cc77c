/**
 * The `layers` namespace: layer classes, Network, Sequential and the initializers.
 * @example import { layers } from "@eager/core"; new layers.Dense({ units: 10 })
 */
export { Layer, toSnakeCase, type LayerOptions, type ApplyOptions, type ApplyInput } from "./layer.js";
export { Network } from "./network.js";
export { Sequential } from "./sequential.js";
export { Dense, type DenseOptions } from "./dense.js";
export { Conv2D, DepthwiseConv2D, type Conv2DOptions, type DepthwiseConv2DOptions, type Size2D } from "./conv.js";
export { MaxPool2D, AvgPool2D, GlobalAveragePooling2D, type Pool2DOptions } from "./pooling.js";
export { Flatten, Dropout, type DropoutOptions } from "./core-layers.js";
export { BatchNormalization, LayerNormalization, type BatchNormalizationOptions, type LayerNormalizationOptions } from "./normalization.js";
export { Embedding, type EmbeddingOptions } from "./embedding.js";
export { Activation, ReLU, LeakyReLU, Softmax, getActivation, type ActivationIdentifier } from "./activations.js";
export * as initializers from "./initializers.js";
export type { Initializer, InitializerName } from "./initializers.js";
export { sequential, dense, conv2d, maxPooling2d, averagePooling2d, flatten, dropout, activation, batchNormalization, layerNormalization, embedding } from "./factories.js";
export type { CompileArgs, FitArgs, History, Callbacks, Logs, LossOrMetricFn, LossName, MetricName, OptimizerName } from "./model-training.js";
export { RNN, SimpleRNN, GRU, LSTM, type RNNLayerOptions, type RNNInput } from "./recurrent.js";
export { RNNCell, SimpleRNNCell, GRUCell, LSTMCell, type RNNCellOptions, type GatedCellOptions, type GRUCellOptions, type LSTMCellOptions } from "./recurrent-cells.js";
