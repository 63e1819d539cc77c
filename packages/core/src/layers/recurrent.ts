/**
 * Recurrent layers: RNN runs a cell over the time axis of [batch, time, features]; SimpleRNN,
 * GRU and LSTM are RNN with their cell, with Keras' options and weight names
 * ("gru/gru_cell/kernel"). The inputs of every step are projected by one matmul up front.
 */
import { fill } from "../api/creation.js";
import { stack, unstack } from "../api/movement.js";
import { isFloat } from "../dtype.js";
import { tidy } from "../engine/memory.js";
import { InvalidArgumentError, ShapeError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { Layer, type ApplyInput, type ApplyOptions, type LayerOptions } from "./layer.js";
import { GRUCell, LSTMCell, RNNCell, SimpleRNNCell, type GRUCellOptions, type LSTMCellOptions, type RNNCellOptions } from "./recurrent-cells.js";

/** Options of the recurrent layers (beside their cell's). */
export interface RNNLayerOptions extends LayerOptions {
  /** Return the output of every step [batch, time, units] instead of the last one [batch, units] (default false). */
  readonly returnSequences?: boolean;
  /** Return [output, ...finalStates] instead of the output alone (default false). */
  readonly returnState?: boolean;
  /** Run over the time steps last to first; with returnSequences the outputs stay in that (reversed) order, as in Keras (default false). */
  readonly goBackwards?: boolean;
}

/** The input of a recurrent layer: x [batch, time, features], or [x, ...initialStates]. */
export type RNNInput = Tensor | readonly Tensor[];

/**
 * Runs `cell` over axis 1 of x [batch, time, features]. `apply(x)` starts from zero states;
 * `apply([x, ...initialStates])` from the given ones. The output is a tensor, or
 * [output, ...finalStates] with returnState (type the layer `RNN<Tensor[]>` then).
 * @example new RNN(new GRUCell({ units: 8 }), { returnSequences: true }).apply(x).shape // [batch, time, 8]
 */
export class RNN<O extends Tensor | Tensor[] = Tensor> extends Layer<RNNInput, O> {
  readonly cell: RNNCell;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;

  constructor(cell: RNNCell, options: RNNLayerOptions = {}) {
    super(options);
    if (!(cell instanceof RNNCell)) throw new InvalidArgumentError(`${this.name}: expected a recurrent cell (SimpleRNNCell, GRUCell, LSTMCell), got ${String(cell)}`);
    this.cell = this.track(cell);
    this.returnSequences = options.returnSequences ?? false;
    this.returnState = options.returnState ?? false;
    this.goBackwards = options.goBackwards ?? false;
  }

  /** Units of the cell. */
  get units(): number {
    return this.cell.units;
  }

  override apply(input: ApplyInput<RNNInput>, options: ApplyOptions | boolean = {}): O {
    const x: unknown = Array.isArray(input) ? input[0] : input;
    if (this.dtype === undefined && x instanceof Tensor) this.dtype = isFloat(x.dtype) ? x.dtype : "float32";
    return super.apply(input, options);
  }

  protected override build(input: RNNInput): void {
    const x = this.split(input)[0];
    this.cell._buildFor(x.shape[2]!, this.cell.dtype ?? this.dtype ?? "float32");
  }

  private split(input: RNNInput): [Tensor, readonly Tensor[]] {
    const [x, ...states] = Array.isArray(input) ? (input as readonly Tensor[]) : [input as Tensor];
    if (!x || x.rank !== 3) throw new ShapeError(`${this.path}: input must be [batch, time, features], got ${x ? x.describe() : "nothing"}`);
    if (x.shape[1] === 0) throw new ShapeError(`${this.path}: input has no time steps (${x.describe()})`);
    return [x, states];
  }

  call(input: RNNInput): O {
    const [x, given] = this.split(input);
    const batch = x.shape[0]!;
    const cell = this.cell;
    if (given.length > 0) cell.checkStates(given, batch);
    return tidy(() => {
      let states: readonly Tensor[] = given.length > 0 ? given : cell.stateSize.map((s) => fill([batch, s], 0, cell.dtype));
      const steps = unstack(cell.project(x), 1);
      const constants = cell.sequenceConstants();
      if (this.goBackwards) steps.reverse();
      const outputs: Tensor[] = [];
      for (const p of steps) {
        const [out, ...next] = cell.step(p, states, constants);
        if (this.returnSequences) outputs.push(out!);
        else outputs[0] = out!;
        states = next;
      }
      const output = this.returnSequences ? stack(outputs, 1) : outputs[0]!;
      return (this.returnState ? [output, ...states] : output) as O;
    });
  }
}

/**
 * A fully connected recurrent layer: h_t = activation(x_t W + h_{t-1} U + b).
 * @example new SimpleRNN({ units: 16 }).apply(zeros([2, 5, 3])).shape // [2, 16]
 */
export class SimpleRNN<O extends Tensor | Tensor[] = Tensor> extends RNN<O> {
  constructor(options: RNNCellOptions & RNNLayerOptions) {
    super(new SimpleRNNCell(cellOptions(options)), options);
  }
}

/**
 * A gated recurrent unit layer (Keras' GRU, resetAfter true by default; see GRUCell).
 * @example new GRU({ units: 64, returnSequences: true }).apply(x) // [batch, time, 64]
 */
export class GRU<O extends Tensor | Tensor[] = Tensor> extends RNN<O> {
  constructor(options: GRUCellOptions & RNNLayerOptions) {
    super(new GRUCell(cellOptions(options)), options);
  }
}

/**
 * A long short-term memory layer (Keras' LSTM; states [h, c]; see LSTMCell).
 * @example const [y, h, c] = new LSTM<Tensor[]>({ units: 32, returnState: true }).apply(x)
 */
export class LSTM<O extends Tensor | Tensor[] = Tensor> extends RNN<O> {
  constructor(options: LSTMCellOptions & RNNLayerOptions) {
    super(new LSTMCell(cellOptions(options)), options);
  }
}

/** The cell's share of a layer's options (its name is the cell's default, dtype and trainable pass through). */
function cellOptions<T extends RNNCellOptions & RNNLayerOptions>(o: T): T {
  if (o === null || typeof o !== "object") throw new InvalidArgumentError(`recurrent layer: expected an options object with units, got ${String(o)}`);
  const { name: _name, returnSequences: _s, returnState: _r, goBackwards: _g, ...rest } = o;
  return rest as T;
}
