/**
 * TF.js's lowercase layer factories (`layers.dense({ units, inputShape, activation })`,
 * `sequential({ layers })`): thin aliases that construct this package's layer classes with
 * the same option names. Every layer accepts TF.js's `inputShape`.
 */
import type { ActivationIdentifier } from "./activations.js";
import { Activation } from "./activations.js";
import { Conv2D, type Conv2DOptions } from "./conv.js";
import { Dropout, Flatten, type DropoutOptions } from "./core-layers.js";
import { Dense, type DenseOptions } from "./dense.js";
import { Embedding, type EmbeddingOptions } from "./embedding.js";
import type { Layer, LayerOptions } from "./layer.js";
import { BatchNormalization, LayerNormalization, type BatchNormalizationOptions, type LayerNormalizationOptions } from "./normalization.js";
import { AvgPool2D, MaxPool2D, type Pool2DOptions } from "./pooling.js";
import { Sequential } from "./sequential.js";

/** Alias of TF.js `tf.sequential({ layers, name })`: a `Sequential` model. @example sequential({ layers: [layers.dense({ units: 1, inputShape: [1] })] }) */
export function sequential(config: { readonly layers?: readonly Layer[]; readonly name?: string } = {}): Sequential {
  return new Sequential(config.layers ?? [], config.name === undefined ? {} : { name: config.name });
}
/** Alias of TF.js `tf.layers.dense(args)`: a `Dense` layer. */
export function dense(args: DenseOptions): Dense {
  return new Dense(args);
}
/** Alias of TF.js `tf.layers.conv2d(args)`: a `Conv2D` layer (NHWC). */
export function conv2d(args: Conv2DOptions): Conv2D {
  return new Conv2D(args);
}
/** Alias of TF.js `tf.layers.maxPooling2d(args)`: a `MaxPool2D` layer. */
export function maxPooling2d(args: Pool2DOptions = {}): MaxPool2D {
  return new MaxPool2D(args);
}
/** Alias of TF.js `tf.layers.averagePooling2d(args)`: an `AvgPool2D` layer. */
export function averagePooling2d(args: Pool2DOptions = {}): AvgPool2D {
  return new AvgPool2D(args);
}
/** Alias of TF.js `tf.layers.flatten(args)`: a `Flatten` layer. */
export function flatten(args: LayerOptions = {}): Flatten {
  return new Flatten(args);
}
/** Alias of TF.js `tf.layers.dropout({ rate })`: a `Dropout` layer. */
export function dropout(args: DropoutOptions): Dropout {
  return new Dropout(args);
}
/** Alias of TF.js `tf.layers.activation({ activation })`: an `Activation` layer. */
export function activation(args: { readonly activation: ActivationIdentifier } & LayerOptions): Activation {
  return new Activation(args);
}
/** Alias of TF.js `tf.layers.batchNormalization(args)`. */
export function batchNormalization(args: BatchNormalizationOptions = {}): BatchNormalization {
  return new BatchNormalization(args);
}
/** Alias of TF.js `tf.layers.layerNormalization(args)`. */
export function layerNormalization(args: LayerNormalizationOptions = {}): LayerNormalization {
  return new LayerNormalization(args);
}
/** Alias of TF.js `tf.layers.embedding({ inputDim, outputDim })`. */
export function embedding(args: EmbeddingOptions): Embedding {
  return new Embedding(args);
}
