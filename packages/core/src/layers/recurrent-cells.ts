/**
 * Recurrent cells with Keras' weight layout and formulas: SimpleRNNCell, GRUCell, LSTMCell.
 * A cell maps [x_t, ...states] to [output, ...newStates]. Its work is split in two so a layer
 * can project every time step's input with one matmul: `project` (x W + input bias) and
 * `step` (the recurrent part). Gate order in the kernels is Keras': GRU z|r|h, LSTM i|f|c|o.
 */
import { add, mul, sub } from "../api/elementwise.js";
import { matmul } from "../api/linalg.js";
import { fill } from "../api/creation.js";
import { concat, reshape, slice, split } from "../api/movement.js";
import { isFloat } from "../dtype.js";
import { tidy } from "../engine/memory.js";
import { ShapeError, InvalidArgumentError } from "../errors.js";
import { shapeStr } from "../shape.js";
import type { Tensor, Variable } from "../tensor.js";
import { getActivation, type ActivationIdentifier } from "./activations.js";
import { checkPositiveInt } from "./dense.js";
import { getInitializer, type Initializer, type InitializerName } from "./initializers.js";
import { Layer, type ApplyOptions, type LayerOptions } from "./layer.js";

/** Options every cell accepts. */
export interface RNNCellOptions extends LayerOptions {
  /** Size of the output and of each state. */
  readonly units: number;
  /** Applied to the candidate state and the output (default "tanh"). */
  readonly activation?: ActivationIdentifier;
  /** Whether to add biases (default true). */
  readonly useBias?: boolean;
  /** Input kernel [inputDim, gates * units] (default glorotUniform). */
  readonly kernelInitializer?: Initializer | InitializerName;
  /** Recurrent kernel [units, gates * units] (default orthogonal). */
  readonly recurrentInitializer?: Initializer | InitializerName;
  /** Default zeros. */
  readonly biasInitializer?: Initializer | InitializerName;
}

/** Options of the gated cells. */
export interface GatedCellOptions extends RNNCellOptions {
  /** Applied to the gates (default "sigmoid", as in Keras). */
  readonly recurrentActivation?: ActivationIdentifier;
}

/** Options of GRUCell. */
export interface GRUCellOptions extends GatedCellOptions {
  /** Apply the reset gate after the recurrent matmul, with a separate recurrent bias (default true, as in Keras and cuDNN). */
  readonly resetAfter?: boolean;
}

/** Options of LSTMCell. */
export interface LSTMCellOptions extends GatedCellOptions {
  /** Initialize the forget gate's bias to ones (default true, as in Keras). */
  readonly unitForgetBias?: boolean;
}

/**
 * Base class of recurrent cells. `apply([x, ...states])` gives `[output, ...newStates]` for one
 * time step; x is [batch, inputDim], each state [batch, stateSize[i]].
 */
export abstract class RNNCell extends Layer<readonly Tensor[], Tensor[]> {
  readonly units: number;
  protected readonly act: ((x: Tensor) => Tensor) | null;
  readonly useBias: boolean;
  protected readonly kernelInit: Initializer | InitializerName;
  protected readonly recurrentInit: Initializer | InitializerName;
  protected readonly biasInit: Initializer | InitializerName;
  /** Input kernel [inputDim, gates * units]. */
  kernel: Variable | null = null;
  /** Recurrent kernel [units, gates * units]. */
  recurrentKernel: Variable | null = null;
  /** Bias (shape depends on the cell). */
  bias: Variable | null = null;

  constructor(o: RNNCellOptions, what: string) {
    if (o === null || typeof o !== "object") throw new InvalidArgumentError(`${what}: expected an options object with units, got ${String(o)}`);
    super(o);
    this.units = checkPositiveInt(o.units, `${what}: units`);
    this.act = getActivation(o.activation ?? "tanh", what);
    this.useBias = o.useBias ?? true;
    this.kernelInit = o.kernelInitializer ?? "glorotUniform";
    this.recurrentInit = o.recurrentInitializer ?? "orthogonal";
    this.biasInit = o.biasInitializer ?? "zeros";
  }

  /** The size of each state: [units] for SimpleRNN and GRU, [units, units] (h, c) for LSTM. */
  abstract get stateSize(): readonly number[];
  /** Create the weights for inputs of `inputDim` features. */
  protected abstract buildWeights(inputDim: number): void;
  /**
   * One step from the projected input (`project(x_t)`) and the states: [output, ...newStates].
   * `constants` are this cell's `sequenceConstants()`, computed once per sequence.
   */
  abstract step(projected: Tensor, states: readonly Tensor[], constants?: readonly Tensor[]): Tensor[];

  /** Tensors derived from the weights that every step reads (computed once per sequence; none by default). */
  sequenceConstants(): Tensor[] {
    return [];
  }

  /** @internal Build for inputs of `inputDim` features, once (the recurrent layers call this). */
  _buildFor(inputDim: number, dtype: Tensor["dtype"]): void {
    if (this.built) return;
    this.dtype ??= isFloat(dtype) ? dtype : "float32";
    this.buildWeights(inputDim);
    this.built = true;
  }

  protected override build(input: readonly Tensor[]): void {
    const x = input[0]!;
    if (x.rank !== 2) throw new ShapeError(`${this.path}: a cell's input x must be [batch, features], got ${x.describe()}`);
    this.buildWeights(x.shape[1]!);
  }

  override apply(input: readonly Tensor[], options: ApplyOptions | boolean = {}): Tensor[] {
    if (!Array.isArray(input)) throw new InvalidArgumentError(`${this.name}: a cell takes [x, ...states], got ${typeof input}`);
    if (this.dtype === undefined && input[0]) this.dtype = isFloat(input[0].dtype) ? input[0].dtype : "float32";
    return super.apply(input, options);
  }

  /** x [..., inputDim] -> x W + input bias [..., gates * units], for any number of leading axes. */
  project(x: Tensor): Tensor {
    const k = this.kernel!;
    const inDim = k.shape[0]!;
    if (x.rank < 1 || x.shape[x.rank - 1] !== inDim) throw new ShapeError(`${this.path}: input's last axis must be ${inDim} (kernel ${shapeStr(k.shape)}), got ${x.describe()}`);
    return tidy(() => {
      const flat = x.rank === 2 ? x : reshape(x, [-1, inDim]);
      let y = matmul(flat, k);
      const b = this.inputBias();
      if (b) y = add(y, b);
      return x.rank === 2 ? y : reshape(y, [...x.shape.slice(0, -1), k.shape[1]!]);
    });
  }

  /** The bias added to the input projection (null without bias). */
  protected inputBias(): Tensor | null {
    return this.bias;
  }

  call(input: readonly Tensor[]): Tensor[] {
    const [x, ...states] = input;
    if (!x || x.rank !== 2) throw new ShapeError(`${this.path}: a cell's input x must be [batch, features], got ${x ? x.describe() : "nothing"}`);
    this.checkStates(states, x.shape[0]!);
    return tidy(() => this.step(this.project(x), states, this.sequenceConstants()));
  }

  /** Throw unless `states` are one [batch, size] tensor per entry of stateSize. */
  checkStates(states: readonly Tensor[], batch: number): void {
    const want = this.stateSize;
    if (states.length !== want.length)
      throw new InvalidArgumentError(`${this.path}: expected ${want.length} state tensor(s) ${want.map((s) => `[${batch}, ${s}]`).join(", ")}, got ${states.length}`);
    states.forEach((s, i) => {
      if (s.rank !== 2 || s.shape[0] !== batch || s.shape[1] !== want[i])
        throw new ShapeError(`${this.path}: state ${i} must be [${batch}, ${want[i]}], got ${s.describe()}`);
    });
  }

  protected addKernels(inputDim: number, gates: number): void {
    this.kernel = this.addWeight("kernel", [inputDim, gates * this.units], this.kernelInit);
    this.recurrentKernel = this.addWeight("recurrent_kernel", [this.units, gates * this.units], this.recurrentInit);
  }
}

/** act(y), or y when the activation is linear. */
function apply(f: ((x: Tensor) => Tensor) | null, y: Tensor): Tensor {
  return f ? f(y) : y;
}

/**
 * The Elman cell: h' = activation(x W + h U + b). Weights: kernel [in, units],
 * recurrent_kernel [units, units], bias [units].
 * @example new SimpleRNNCell({ units: 4 }).apply([x, h])  // [h', h']
 */
export class SimpleRNNCell extends RNNCell {
  constructor(options: RNNCellOptions) {
    super(options, "SimpleRNNCell");
  }
  get stateSize(): readonly number[] {
    return [this.units];
  }
  protected buildWeights(inputDim: number): void {
    this.addKernels(inputDim, 1);
    if (this.useBias) this.bias = this.addWeight("bias", [this.units], this.biasInit);
  }
  step(p: Tensor, [h]: readonly Tensor[]): Tensor[] {
    return tidy(() => {
      const y = apply(this.act, add(p, matmul(h!, this.recurrentKernel!)));
      return [y, y];
    });
  }
}

/**
 * The gated recurrent unit, as Keras computes it (gate order z | r | h):
 *   z = σ(x Wz + h Uz + bz), r = σ(x Wr + h Ur + br)
 *   resetAfter:  ĥ = tanh(x Wh + bh + r * (h Uh + b'h)); bias [2, 3 units] (input row, recurrent row)
 *   otherwise:   ĥ = tanh(x Wh + bh + (r * h) Uh);       bias [3 units]
 *   h' = z * h + (1 - z) * ĥ
 * @example new GRUCell({ units: 8 }).apply([x, h])  // [h', h']
 */
export class GRUCell extends RNNCell {
  readonly resetAfter: boolean;
  private readonly recAct: ((x: Tensor) => Tensor) | null;
  constructor(options: GRUCellOptions) {
    super(options, "GRUCell");
    this.resetAfter = options.resetAfter ?? true;
    this.recAct = getActivation(options.recurrentActivation ?? "sigmoid", "GRUCell");
  }
  get stateSize(): readonly number[] {
    return [this.units];
  }
  protected buildWeights(inputDim: number): void {
    this.addKernels(inputDim, 3);
    if (this.useBias) this.bias = this.addWeight("bias", this.resetAfter ? [2, 3 * this.units] : [3 * this.units], this.biasInit);
  }
  protected override inputBias(): Tensor | null {
    if (!this.bias || !this.resetAfter) return this.bias;
    return reshape(slice(this.bias, [0, 0], [1, -1]), [3 * this.units]);
  }
  /** resetAfter: [recurrent bias [3u]] (when there is a bias); otherwise [U's z|r columns, U's h columns]. */
  override sequenceConstants(): Tensor[] {
    const u = this.units;
    const U = this.recurrentKernel!;
    if (this.resetAfter) return this.bias ? [reshape(slice(this.bias, [1, 0], [1, -1]), [3 * u])] : [];
    return [slice(U, [0, 0], [u, 2 * u]), slice(U, [0, 2 * u], [u, u])];
  }
  step(p: Tensor, [h]: readonly Tensor[], constants: readonly Tensor[] = this.sequenceConstants()): Tensor[] {
    return tidy(() => {
      const U = this.recurrentKernel!;
      const [xz, xr, xh] = split(p, 3, -1) as [Tensor, Tensor, Tensor];
      let z: Tensor, r: Tensor, hh: Tensor;
      if (this.resetAfter) {
        let inner = matmul(h!, U);
        if (constants[0]) inner = add(inner, constants[0]);
        const [rz, rr, rh] = split(inner, 3, -1) as [Tensor, Tensor, Tensor];
        z = apply(this.recAct, add(xz, rz));
        r = apply(this.recAct, add(xr, rr));
        hh = apply(this.act, add(xh, mul(r, rh)));
      } else {
        const [uzr, uh] = constants as [Tensor, Tensor];
        const [rz, rr] = split(matmul(h!, uzr), 2, -1) as [Tensor, Tensor];
        z = apply(this.recAct, add(xz, rz));
        r = apply(this.recAct, add(xr, rr));
        hh = apply(this.act, add(xh, matmul(mul(r, h!), uh)));
      }
      // h' = z * h + (1 - z) * ĥ = ĥ + z * (h - ĥ)
      const next = add(hh, mul(z, sub(h!, hh)));
      return [next, next];
    });
  }
}

/**
 * The long short-term memory cell, as Keras computes it (gate order i | f | c | o):
 *   [i, f, g, o] = x W + h U + b;  c' = σ(f) * c + σ(i) * tanh(g);  h' = σ(o) * tanh(c')
 * States [h, c]. Weights: kernel [in, 4 units], recurrent_kernel [units, 4 units], bias [4 units].
 * @example new LSTMCell({ units: 8 }).apply([x, h, c])  // [h', h', c']
 */
export class LSTMCell extends RNNCell {
  private readonly recAct: ((x: Tensor) => Tensor) | null;
  readonly unitForgetBias: boolean;
  constructor(options: LSTMCellOptions) {
    super(options, "LSTMCell");
    this.recAct = getActivation(options.recurrentActivation ?? "sigmoid", "LSTMCell");
    this.unitForgetBias = options.unitForgetBias ?? true;
  }
  get stateSize(): readonly number[] {
    return [this.units, this.units];
  }
  protected buildWeights(inputDim: number): void {
    this.addKernels(inputDim, 4);
    if (!this.useBias) return;
    const u = this.units;
    const base = getInitializer(this.biasInit, `${this.path}/bias`);
    // Keras: concat(init([u]), ones([u]), init([2u])), the forget gate's bias starting at one.
    const init: Initializer = this.unitForgetBias ? (_shape, dtype) => tidy(() => concat([base([u], dtype), fill([u], 1, dtype), base([2 * u], dtype)], 0)) : base;
    this.bias = this.addWeight("bias", [4 * u], init);
  }
  step(p: Tensor, [h, c]: readonly Tensor[]): Tensor[] {
    return tidy(() => {
      const [zi, zf, zg, zo] = split(add(p, matmul(h!, this.recurrentKernel!)), 4, -1) as [Tensor, Tensor, Tensor, Tensor];
      const i = apply(this.recAct, zi);
      const f = apply(this.recAct, zf);
      const o = apply(this.recAct, zo);
      const c2 = add(mul(f, c!), mul(i, apply(this.act, zg)));
      const h2 = mul(o, apply(this.act, c2));
      return [h2, h2, c2];
    });
  }
}
