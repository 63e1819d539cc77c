/**
 * Building gpu.js kernel sources: every kernel is one function of its input textures and
 * numeric uniforms, run by one thread per output element over a flat index. Shapes enter as
 * uniforms, so one source (and one compiled kernel) serves a whole shape class: same family,
 * op, rank and broadcast pattern. All arithmetic is float; integer division uses the
 * (i + 0.5) / d trick so float rounding can never floor to the wrong integer.
 */
import { stridesOf } from "@eager/core/backend";
import type { GpuValue } from "./gpujs.js";

/** A kernel argument: a tensor value (null for an empty one) or a number uniform. */
export type KernelArg = GpuValue | null | number;

/** A number as a GLSL-safe float literal. */
export function lit(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`lit: ${n} has no float literal`);
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return n.toFixed(1);
  return n.toPrecision(9);
}

/**
 * Row-major strides (`strides`) and strides of a shape broadcast to an output shape (0 along
 * broadcast axes; `broadcastStridesTo`): core's helpers.
 */
export { stridesOf as strides, broadcastStrides as broadcastStridesTo } from "@eager/core/backend";

/** Accumulates a kernel's arguments and body; `source()` gives the text, `args` the values. */
export class KernelBuilder {
  private readonly names: string[] = [];
  readonly args: KernelArg[] = [];
  private readonly lines: string[] = [];
  private counter = 0;

  /** A tensor argument; returns its name. */
  tensor(value: KernelArg, name = `t${this.counter++}`): string {
    this.names.push(name);
    this.args.push(value);
    return name;
  }

  /** A number uniform; returns its name. */
  num(value: number, name = `u${this.counter++}`): string {
    this.names.push(name);
    this.args.push(value);
    return name;
  }

  /** Append body lines. */
  line(...code: string[]): this {
    this.lines.push(...code);
    return this;
  }

  /**
   * Declare coordinates `${p}0..` of flat index `flat` over `shape` (strides as uniforms) and
   * return their names. Axes of size 1 are 0 without any arithmetic.
   */
  unravel(flat: string, shape: readonly number[], p: string): string[] {
    const st = stridesOf(shape);
    const coords: string[] = [];
    let rem = flat;
    for (let d = 0; d < shape.length; d++) {
      const c = `${p}${d}`;
      if (shape[d] === 1) {
        this.line(`const ${c} = 0.0;`);
      } else if (d === shape.length - 1) {
        this.line(`const ${c} = ${rem};`);
      } else {
        const s = this.num(st[d]!);
        this.line(`const ${c} = Math.floor((${rem} + 0.5) / ${s});`);
        const next = `${p}r${d}`;
        this.line(`const ${next} = ${rem} - ${c} * ${s};`);
        rem = next;
      }
      coords.push(c);
    }
    return coords;
  }

  /** An offset expression `base + sum coords[d] * steps[d]`, steps as uniforms (zero steps dropped). */
  offset(coords: readonly string[], steps: readonly number[], base = 0): string {
    const terms: string[] = [];
    if (base !== 0) terms.push(this.num(base));
    coords.forEach((c, d) => {
      if (steps[d] !== 0) terms.push(`${c} * ${this.num(steps[d]!)}`);
    });
    return terms.length ? terms.join(" + ") : "0.0";
  }

  /** The kernel's source: `function(args) { const i = thread; body; return result; }`. */
  source(result: string): string {
    return `function(${this.names.join(", ")}) {\nconst i = this.thread.x + 0.0;\n${this.lines.join("\n")}\nreturn ${result};\n}`;
  }
}

/** Truncation toward zero, as int32 storage does (NaN and infinities become 0, as in an Int32Array). */
export function truncExpr(v: string): string {
  return `((${v} == ${v} && Math.abs(${v}) <= ${lit(3.4028234663852886e38)}) ? (${v} < 0.0 ? Math.ceil(${v}) : Math.floor(${v})) : 0.0)`;
}
