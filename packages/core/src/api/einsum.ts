/**
 * einsum in explicit mode ("ij,jk->ik") for one or two operands, lowered to sum, transpose,
 * reshape and one batched matmul. Not supported (each a clear error): implicit mode (no "->"),
 * ellipsis ("..."), more than two operands, and an index repeated within one operand (diagonals).
 */
import { toTensor } from "../engine/dispatch.js";
import { tidy } from "../engine/memory.js";
import { InvalidArgumentError, ShapeError } from "../errors.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { matmul } from "./linalg.js";
import { reshape, transpose } from "./movement.js";
import { sum } from "./reduce.js";

function parse(equation: string, n: number): { inputs: string[]; output: string } {
  if (typeof equation !== "string") throw new InvalidArgumentError(`einsum: equation must be a string, got ${typeof equation}`);
  const eq = equation.replace(/\s+/g, "");
  if (eq.includes("...")) throw new InvalidArgumentError(`einsum: "${equation}": ellipsis is not supported`);
  const arrow = eq.split("->");
  if (arrow.length !== 2) throw new InvalidArgumentError(`einsum: "${equation}": only explicit mode ("ij,jk->ik") is supported`);
  const inputs = arrow[0]!.split(",");
  const output = arrow[1]!;
  if (inputs.length !== n) throw new InvalidArgumentError(`einsum: "${equation}" names ${inputs.length} operands but ${n} were given`);
  if (n < 1 || n > 2) throw new InvalidArgumentError(`einsum: one or two operands are supported, got ${n}`);
  for (const s of [...inputs, output]) {
    if (!/^[A-Za-z]*$/.test(s)) throw new InvalidArgumentError(`einsum: "${equation}": indices must be letters`);
    if (new Set(s).size !== s.length) throw new InvalidArgumentError(`einsum: "${equation}": index repeated within "${s}" (diagonals) is not supported`);
  }
  for (const c of output) if (!inputs.some((s) => s.includes(c))) throw new InvalidArgumentError(`einsum: "${equation}": output index "${c}" appears in no input`);
  return { inputs, output };
}

/** Sum away the indices of `s` not in `keep`; returns the tensor and its remaining indices. */
function sumAway(t: Tensor, s: string, keep: string): [Tensor, string] {
  const axes = [...s].flatMap((c, i) => (keep.includes(c) ? [] : [i]));
  return axes.length ? [sum(t, axes), [...s].filter((c) => keep.includes(c)).join("")] : [t, s];
}

function permuted(t: Tensor, from: string, to: string): Tensor {
  const perm = [...to].map((c) => from.indexOf(c));
  return perm.every((p, i) => p === i) ? t : transpose(t, perm);
}

/**
 * Einstein summation, as TF.js `tf.einsum(equation, ...tensors)` in explicit mode.
 * @example einsum("ij,jk->ik", a, b) // matmul(a, b)
 * @example einsum("bij,bjk->bik", a, b); einsum("ij->ji", a); einsum("i,i->", a, b)
 */
export function einsum(equation: string, ...tensors: TensorLike[]): Tensor {
  const { inputs, output } = parse(equation, tensors.length);
  return tidy(() => {
    const ts = tensors.map((x, i) => toTensor(x, `einsum (operand ${i})`));
    const dims = new Map<string, number>();
    ts.forEach((t, k) => {
      const s = inputs[k]!;
      if (t.rank !== s.length) throw new ShapeError(`einsum: operand ${k} ${t.describe()} has rank ${t.rank} but "${s}" names ${s.length} indices`);
      [...s].forEach((c, i) => {
        const d = t.shape[i]!;
        if (dims.has(c) && dims.get(c) !== d) throw new ShapeError(`einsum: index "${c}" is ${dims.get(c)} in one operand and ${d} in another`);
        dims.set(c, d);
      });
    });
    if (ts.length === 1) {
      const [t, s] = sumAway(ts[0]!, inputs[0]!, output);
      return permuted(t, s, output);
    }
    const [sa, sb] = inputs as [string, string];
    // Indices only in one operand and not in the output are summed there first.
    const [a, ia] = sumAway(ts[0]!, sa, sb + output);
    const [b, ib] = sumAway(ts[1]!, sb, sa + output);
    const batch = [...ia].filter((c) => ib.includes(c) && output.includes(c)).join("");
    const contract = [...ia].filter((c) => ib.includes(c) && !output.includes(c)).join("");
    const freeA = [...ia].filter((c) => !ib.includes(c)).join("");
    const freeB = [...ib].filter((c) => !ia.includes(c)).join("");
    const size = (s: string) => [...s].reduce((n, c) => n * dims.get(c)!, 1);
    const a3 = reshape(permuted(a, ia, batch + freeA + contract), [size(batch), size(freeA), size(contract)]);
    const b3 = reshape(permuted(b, ib, batch + contract + freeB), [size(batch), size(contract), size(freeB)]);
    const prod = matmul(a3, b3);
    const full = batch + freeA + freeB;
    const y = reshape(prod, [...full].map((c) => dims.get(c)!));
    return permuted(y, full, output);
  });
}
