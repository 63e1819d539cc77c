/**
 * The runtime import graph of packages/core/src, read statically with the TypeScript parser.
 * Type-only imports and exports (`import type`, or every specifier marked `type`) are left
 * out, since they vanish from the emitted JavaScript; dynamic `import()` is left out too.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/** Module path (relative to the source root, e.g. "engine/dispatch.ts") to the modules it loads. */
export type ImportGraph = Map<string, string[]>;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (p.endsWith(".ts") && !p.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

function isRuntimeImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return true; // import "./side-effect.js"
  if (clause.isTypeOnly) return false;
  if (clause.name) return true;
  const b = clause.namedBindings;
  if (!b) return false;
  if (ts.isNamespaceImport(b)) return true;
  return b.elements.length === 0 || b.elements.some((e) => !e.isTypeOnly);
}

function isRuntimeExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return false;
  const c = node.exportClause;
  if (!c || ts.isNamespaceExport(c)) return true;
  return c.elements.length === 0 || c.elements.some((e) => !e.isTypeOnly);
}

/** Build the graph of relative runtime imports under `root`. */
export function importGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of sourceFiles(root)) {
    const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, false);
    const deps: string[] = [];
    for (const st of src.statements) {
      let spec: ts.Expression | undefined;
      if (ts.isImportDeclaration(st) && isRuntimeImport(st)) spec = st.moduleSpecifier;
      else if (ts.isExportDeclaration(st) && st.moduleSpecifier && isRuntimeExport(st)) spec = st.moduleSpecifier;
      if (!spec || !ts.isStringLiteral(spec) || !spec.text.startsWith(".")) continue;
      deps.push(relative(root, resolve(dirname(file), spec.text.replace(/\.js$/, ".ts"))));
    }
    graph.set(relative(root, file), deps);
  }
  return graph;
}

/** Every cycle's modules, one strongly connected component (of more than one module, or a self-import) each. */
export function cycles(graph: ImportGraph): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

/** Every module `entry` loads, directly or not. */
export function reachable(graph: ImportGraph, entry: string): Set<string> {
  const seen = new Set<string>([entry]);
  const todo = [entry];
  while (todo.length) for (const d of graph.get(todo.pop()!) ?? []) if (!seen.has(d)) (seen.add(d), todo.push(d));
  return seen;
}

/**
 * Module-level `let` and `var` declarations under `root` (mutable state outside the engine
 * object), as "file: name".
 */
export function moduleLevelMutables(root: string): string[] {
  const out: string[] = [];
  for (const file of sourceFiles(root)) {
    const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, false);
    for (const st of src.statements) {
      if (!ts.isVariableStatement(st) || st.declarationList.flags & ts.NodeFlags.Const) continue;
      for (const d of st.declarationList.declarations) out.push(`${relative(root, file)}: ${d.name.getText(src)}`);
    }
  }
  return out;
}
