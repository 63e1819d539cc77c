/**
 * Run a program on real tensors through the ordinary dispatcher (so on any registered device):
 * the dynamic size N is read from the inputs, `$dim` attrs are resolved, and each op's own
 * shape rule re-infers every shape. Intermediate tensors are freed; inputs are never consumed.
 */
import { tensorFromHost, runOp } from "../engine/dispatch.js";
import { InvalidArgumentError, ShapeError } from "../errors.js";
import { shapeStr } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { resolveAttrs, type Program } from "./program.js";

/** The dynamic size N the inputs agree on (undefined when the signature has no null dim). */
export function dynamicSize(program: Program, inputs: readonly Tensor[], what: string): number | undefined {
  if (inputs.length !== program.inputs.length) throw new InvalidArgumentError(`${what}: expected ${program.inputs.length} inputs, got ${inputs.length}`);
  let n: number | undefined;
  program.inputs.forEach((spec, i) => {
    const t = inputs[i]!;
    const bad = () => new ShapeError(`${what}: input "${spec.name}" must be ${spec.dtype}${shapeStr(spec.shape.map((d) => d ?? -1)).replace(/-1/g, "N")}, got ${t.describe()}`);
    if (t.dtype !== spec.dtype || t.shape.length !== spec.shape.length) throw bad();
    spec.shape.forEach((d, j) => {
      const got = t.shape[j]!;
      if (d === null) {
        if (n !== undefined && n !== got) throw new ShapeError(`${what}: every dynamic dimension takes the same size N; input "${spec.name}" has ${got} where another has ${n}`);
        n = got;
      } else if (d !== got) throw bad();
    });
  });
  return n;
}

/** Run `program` with `variables` (by name) on `inputs`; returns its outputs in order. */
export function runProgram(program: Program, variables: ReadonlyMap<string, Tensor>, inputs: readonly Tensor[], what = "predict"): Tensor[] {
  const n = dynamicSize(program, inputs, what) ?? 0;
  const env = new Map<number, Tensor>();
  const owned: Tensor[] = [];
  program.inputs.forEach((spec, i) => env.set(spec.id, inputs[i]!));
  for (const v of program.variables) {
    const t = variables.get(v.name);
    if (!t) throw new InvalidArgumentError(`${what}: variable "${v.name}" has no value`);
    env.set(v.id, t);
  }
  for (const c of program.constants) {
    const t = tensorFromHost(c.values, c.shape, c.dtype);
    env.set(c.id, t);
    owned.push(t);
  }
  for (const node of program.nodes) {
    const outs = runOp(node.op, node.inputs.map((id) => env.get(id)!), resolveAttrs(node.attrs, n) as never);
    node.outputs.forEach((o, i) => {
      env.set(o.id, outs[i]!);
      owned.push(outs[i]!);
    });
  }
  const results = program.outputs.map((o) => env.get(o.id)!);
  for (const t of owned) if (!results.includes(t)) t.dispose();
  return results;
}
