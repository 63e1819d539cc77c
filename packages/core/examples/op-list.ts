/**
 * The README's op list, rendered from the op table: every primitive by family, optional ops
 * (those with a decomposition) in italics, ops without a gradient marked. `pnpm ops` writes
 * it between the README's markers; a test fails when the README's copy is stale.
 */
import { opNames, opTable, optionalOps, requiredOps } from "@eager/core/backend";

/** The marker lines the list sits between in README.md. */
export const OPS_BEGIN = "<!-- ops:begin (generated from the op table by `pnpm ops`; do not edit by hand) -->";
export const OPS_END = "<!-- ops:end -->";

/** The op list as Markdown (without the markers). */
export function renderOpList(): string {
  const byFamily = new Map<string, string[]>();
  for (const name of opNames) {
    const def = opTable[name];
    const label = (def.decompose ? `*${name}*` : name) + (def.vjp === "none" ? "°" : "");
    byFamily.set(def.family, [...(byFamily.get(def.family) ?? []), label]);
  }
  return [
    `${opNames.length} primitive ops in one table: ${requiredOps.length} required (every backend has a kernel for each) and ` +
      `${optionalOps.length} optional (in italics: each carries a decomposition into other ops, which runs on the device ` +
      `when its backend has no kernel for it). ° marks ops without a gradient.`,
    ...[...byFamily].map(([family, names]) => `- ${family}: ${names.join(", ")}`),
  ].join("\n");
}

/** `readme` with the text between the markers replaced by the current list. */
export function withOpList(readme: string): string {
  const begin = readme.indexOf(OPS_BEGIN);
  const end = readme.indexOf(OPS_END);
  if (begin < 0 || end < begin) throw new Error(`README.md has no op list markers (${OPS_BEGIN} ... ${OPS_END})`);
  return `${readme.slice(0, begin + OPS_BEGIN.length)}\n${renderOpList()}\n${readme.slice(end)}`;
}
