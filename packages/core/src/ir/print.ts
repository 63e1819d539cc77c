/**
 * A readable listing of an expression for debugging: one line per shared or non-leaf node in
 * dependency order (`%3:float32 = mul %1 %2`), leaves inline (`x0:float32`, `@alpha`, `1.5`).
 * Expressions are immutable, so each root's listing is made once (backends key kernel caches by it).
 */
import { topoOrder, useCounts, type Expr } from "./expr.js";

const printed = new WeakMap<Expr, string>();

/** Print `root` as numbered SSA lines. */
export function printExpr(root: Expr): string {
  let text = printed.get(root);
  if (text === undefined) printed.set(root, (text = listing(root)));
  return text;
}

function listing(root: Expr): string {
  const order = topoOrder([root]);
  const uses = useCounts(order);
  const names = new Map<Expr, string>();
  const lines: string[] = [];
  for (const e of order) {
    if (e.op === "input") names.set(e, `x${e.index}:${e.dtype}`);
    else if (e.op === "attr") names.set(e, `@${e.name}`);
    else if (e.op === "const") names.set(e, `${e.value}:${e.dtype}`);
    else {
      const rhs = `${e.op}${e.op === "cast" || e.op === "bitcast" ? `<${e.dtype}>` : ""} ${e.args.map((a) => names.get(a)).join(" ")}`;
      if ((uses.get(e) ?? 0) > 1 || e === root) {
        const name = `%${lines.length}`;
        lines.push(`${name}:${e.dtype} = ${rhs}`);
        names.set(e, name);
      } else names.set(e, `(${rhs})`);
    }
  }
  if (lines.length === 0) lines.push(names.get(root)!);
  return lines.join("\n");
}
