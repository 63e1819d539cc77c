/**
 * Embedding: integer ids [...] -> vectors [..., outputDim], a lookup in a trainable table
 * [inputDim, outputDim]. The gradient reaches only the rows that were looked up.
 */
import { gather } from "../api/index-ops.js";
import { cast } from "../api/elementwise.js";
import { DTypeError } from "../errors.js";
import type { Tensor, Variable } from "../tensor.js";
import { checkPositiveInt } from "./dense.js";
import type { Initializer, InitializerName } from "./initializers.js";
import { randomUniformInit } from "./initializers.js";
import { Layer, type LayerOptions } from "./layer.js";

/** Options of Embedding. */
export interface EmbeddingOptions extends LayerOptions {
  /** Number of ids (the vocabulary size). */
  readonly inputDim: number;
  /** Size of each vector. */
  readonly outputDim: number;
  /** Default uniform in [-0.05, 0.05). */
  readonly embeddingsInitializer?: Initializer | InitializerName;
}

/**
 * A table of vectors looked up by id.
 * @example new Embedding({ inputDim: 1000, outputDim: 16 }).apply(tensor([[1, 2]], [1, 2], "int32")).shape // [1, 2, 16]
 */
export class Embedding extends Layer {
  readonly inputDim: number;
  readonly outputDim: number;
  private readonly init: Initializer | InitializerName;
  embeddings: Variable | null = null;
  constructor(options: EmbeddingOptions) {
    super({ ...options, dtype: options.dtype ?? "float32" });
    this.inputDim = checkPositiveInt(options.inputDim, "Embedding: inputDim");
    this.outputDim = checkPositiveInt(options.outputDim, "Embedding: outputDim");
    this.init = options.embeddingsInitializer ?? randomUniformInit();
  }
  protected override build(): void {
    this.embeddings = this.addWeight("embeddings", [this.inputDim, this.outputDim], this.init);
  }
  call(ids: Tensor): Tensor {
    if (ids.dtype === "bool") throw new DTypeError(`${this.path}: ids must be int32 (or integral floats), got ${ids.describe()}`);
    if (ids.dtype === "int32") return gather(this.embeddings!, ids, 0);
    const i = cast(ids, "int32");
    const y = gather(this.embeddings!, i, 0);
    i.dispose();
    return y;
  }
}
