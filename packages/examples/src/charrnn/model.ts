/**
 * The character-level language model: Embedding -> GRU -> Dense over a vocabulary of
 * characters. `forward` runs a batch of id sequences from a given (or zero) GRU state and
 * returns the logits of the next character at every position, and the final state.
 */
import { layers, Network, type Tensor } from "@eager/core";

/** Sizes of the model. */
export interface CharRNNOptions {
  readonly vocabSize: number;
  readonly embeddingDim?: number;
  readonly units?: number;
  readonly seed?: number;
}

/** Embedding(vocab, embeddingDim) -> GRU(units, sequences and state) -> Dense(vocab). */
export class CharRNN extends Network {
  readonly embedding: layers.Embedding;
  readonly gru: layers.GRU<Tensor[]>;
  readonly out: layers.Dense;
  readonly units: number;
  constructor(o: CharRNNOptions) {
    super({ name: "char_rnn" });
    const seed = o.seed ?? 1;
    this.units = o.units ?? 64;
    this.embedding = this.trackLayer(new layers.Embedding({ inputDim: o.vocabSize, outputDim: o.embeddingDim ?? 16, embeddingsInitializer: layers.initializers.randomUniformInit({ seed }) }));
    this.gru = this.trackLayer(
      new layers.GRU<Tensor[]>({
        units: this.units, returnSequences: true, returnState: true,
        kernelInitializer: layers.initializers.glorotUniform({ seed: seed + 1 }), recurrentInitializer: layers.initializers.orthogonal({ seed: seed + 2 }),
      }),
    );
    this.out = this.trackLayer(new layers.Dense({ units: o.vocabSize, kernelInitializer: layers.initializers.glorotUniform({ seed: seed + 3 }) }));
  }
  /** ids [batch, time] int32 -> { logits [batch, time, vocab], state [batch, units] }. */
  forward(ids: Tensor, state?: Tensor): { logits: Tensor; state: Tensor } {
    const e = this.embedding.apply(ids);
    const [seq, h] = this.gru.apply(state ? [e, state] : e);
    return { logits: this.out.apply(seq!), state: h! };
  }
  call(ids: Tensor): Tensor {
    return this.forward(ids).logits;
  }
}
