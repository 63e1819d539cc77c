/**
 * What the page and the training worker say to each other (through comlink): device
 * availability, training options, progress updates and the summary of a run (MNIST and the
 * char-RNN).
 */
import type { PlacementReport } from "@eager/core";

/** A registered device as the worker found it: usable, or greyed out with the reason. */
export interface DeviceStatus {
  readonly name: string;
  readonly available: boolean;
  /** Why the device cannot be used here (absent when available). */
  readonly reason?: string;
  /** The backend's capabilities.info (threads, adapter, WebGL mode, ...). */
  readonly info: Readonly<Record<string, string | number | boolean>>;
}

/** The models the page offers (from packages/examples). */
export type ModelKind = "mlp" | "cnn";

/** Options of one training run. */
export interface TrainOptions {
  readonly device: string;
  readonly model: ModelKind;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Training examples used (the first N of the 60,000). */
  readonly trainCount: number;
  /** Test examples evaluated after each epoch (the first N of the 10,000). */
  readonly testCount: number;
}

/** One point of the live charts. */
export interface Progress {
  readonly epoch: number;
  readonly step: number;
  readonly steps: number;
  /** Mean training loss over the steps since the last update. */
  readonly loss: number;
  /** Training accuracy of the latest batch. */
  readonly accuracy: number;
  readonly examplesPerSecond: number;
  /** Set once per epoch, after evaluating the test examples. */
  readonly testAccuracy?: number;
  readonly testLoss?: number;
}

/** How a run ended. */
export interface TrainSummary {
  readonly device: string;
  readonly model: ModelKind;
  readonly epochs: number;
  readonly steps: number;
  readonly seconds: number;
  readonly testAccuracy: number;
  readonly stopped: boolean;
  readonly placement: PlacementReport;
}

/** The worker's API (see trainer.worker.ts). */
export interface TrainerApi {
  devices(): Promise<DeviceStatus[]>;
  loadData(trainCount: number, testCount: number): Promise<{ train: number; test: number; seconds: number }>;
  train(options: TrainOptions, onProgress: (p: Progress) => void): Promise<TrainSummary>;
  stop(): void;
  predict(pixels: Float32Array): Promise<number[]>;
  save(): Promise<{ bytes: Uint8Array; model: ModelKind }>;
  load(bytes: Uint8Array): Promise<ModelKind>;
  placement(): PlacementReport;
  trainCharRnn(options: CharTrainOptions, onProgress: (p: CharProgress) => void): Promise<CharTrainSummary>;
  sampleCharRnn(options: CharSampleOptions): Promise<string>;
}

/** Options of one char-RNN training run (the examples' Embedding -> GRU -> Dense on its text). */
export interface CharTrainOptions {
  readonly device: string;
  readonly steps: number;
  readonly batchSize: number;
  readonly seqLength: number;
  readonly learningRate: number;
}

/** One point of the char-RNN's live loss chart: the loss of one step (nats per character). */
export interface CharProgress {
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
}

/** How a char-RNN run ended. */
export interface CharTrainSummary {
  readonly device: string;
  readonly steps: number;
  readonly seconds: number;
  readonly firstLoss: number;
  readonly lastLoss: number;
  readonly vocabSize: number;
  /** Characters of the training text. */
  readonly characters: number;
}

/** What to sample from the trained char-RNN. */
export interface CharSampleOptions {
  readonly prime: string;
  readonly length: number;
  readonly temperature: number;
  readonly seed?: number;
}
