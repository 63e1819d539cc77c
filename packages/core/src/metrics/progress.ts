/**
 * A text progress bar for training loops: one line rewritten with "\r" on a terminal
 * (throttled), or a line every tenth of the way otherwise. Shows step, metrics and
 * examples per second. Writes to process.stderr when it exists; silent elsewhere.
 */
import { InvalidArgumentError } from "../errors.js";

/** Where the bar writes. */
export interface ProgressStream {
  write(s: string): unknown;
  readonly isTTY?: boolean;
}

/** Options of ProgressBar. */
export interface ProgressBarOptions {
  /** Steps in one pass (an epoch). */
  readonly total: number;
  /** Text before the bar, e.g. "epoch 1/3". */
  readonly label?: string;
  /** Bar width in characters (default 24). */
  readonly width?: number;
  /** Default process.stderr. */
  readonly stream?: ProgressStream | null;
  /** Smallest time between terminal redraws, ms (default 100). */
  readonly intervalMs?: number;
}

function defaultStream(): ProgressStream | null {
  const p = (globalThis as { process?: { stderr?: ProgressStream } }).process;
  return p?.stderr ?? null;
}

/**
 * @example
 * const bar = new ProgressBar({ total: steps, label: "epoch 1" });
 * bar.update(step + 1, { examples: 32, values: { loss: 0.31, accuracy: 0.91 } });
 * bar.finish();
 */
export class ProgressBar {
  readonly total: number;
  private readonly label: string;
  private readonly width: number;
  private readonly stream: ProgressStream | null;
  private readonly interval: number;
  private readonly start = performance.now();
  private lastDraw = -Infinity;
  private lastTenth = -1;
  private examples = 0;
  private current = 0;
  private values: Readonly<Record<string, number>> = {};

  constructor(options: ProgressBarOptions) {
    if (!Number.isInteger(options.total) || options.total < 0) throw new InvalidArgumentError(`ProgressBar: total must be an integer >= 0, got ${options.total}`);
    this.total = options.total;
    this.label = options.label ?? "";
    this.width = options.width ?? 24;
    this.stream = options.stream === undefined ? defaultStream() : options.stream;
    this.interval = options.intervalMs ?? 100;
  }

  /** Examples per second since the bar started. */
  get examplesPerSecond(): number {
    const s = (performance.now() - this.start) / 1000;
    return s > 0 ? this.examples / s : 0;
  }
  /** Seconds since the bar started. */
  get elapsedSeconds(): number {
    return (performance.now() - this.start) / 1000;
  }

  /** The line as it would be drawn now. */
  render(): string {
    const frac = this.total > 0 ? Math.min(1, this.current / this.total) : 1;
    const filled = Math.round(frac * this.width);
    const bar = "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? (frac < 1 ? ">" : "=") : "") + ".".repeat(this.width - filled);
    const vals = Object.entries(this.values).map(([k, v]) => `${k} ${Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(4)}`);
    const rate = `${Math.round(this.examplesPerSecond)} ex/s`;
    return [this.label, `[${bar}]`, `${this.current}/${this.total}`, ...vals, rate, `${this.elapsedSeconds.toFixed(1)}s`].filter(Boolean).join(" ");
  }

  /** Record progress: `step` steps done, `examples` more examples seen, latest metric values. */
  update(step: number, options: { examples?: number; values?: Readonly<Record<string, number>> } = {}): void {
    this.current = step;
    this.examples += options.examples ?? 0;
    if (options.values) this.values = { ...options.values };
    if (!this.stream) return;
    const now = performance.now();
    if (this.stream.isTTY) {
      if (now - this.lastDraw < this.interval && step < this.total) return;
      this.lastDraw = now;
      this.stream.write(`\r${this.render()}\x1b[K`);
    } else {
      const tenth = this.total > 0 ? Math.floor((10 * step) / this.total) : 10;
      if (tenth > this.lastTenth && tenth < 10) {
        this.lastTenth = tenth;
        this.stream.write(`${this.render()}\n`);
      }
    }
  }

  /** Draw the final line and end it with a newline. */
  finish(values?: Readonly<Record<string, number>>): void {
    if (values) this.values = { ...values };
    if (this.stream) this.stream.write(`${this.stream.isTTY ? "\r" : ""}${this.render()}${this.stream.isTTY ? "\x1b[K" : ""}\n`);
  }
}
