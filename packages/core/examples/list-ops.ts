/**
 * Prints the op table: every primitive op with its family and whether it has a gradient,
 * then the public functions built on them. Run: `pnpm ops`.
 */
import * as tf from "@eager/core";
import { opTable } from "@eager/core/backend";

const byFamily = new Map<string, string[]>();
for (const name of tf.opNames) {
  const def = opTable[name];
  const list = byFamily.get(def.family) ?? [];
  list.push(def.vjp === "none" ? `${name} (no gradient)` : name);
  byFamily.set(def.family, list);
}
console.log(`${tf.opNames.length} primitive ops:`);
for (const [family, names] of byFamily) console.log(`  ${family}: ${names.join(", ")}`);
const functions = Object.entries(tf).filter(([k, v]) => typeof v === "function" && /^[a-z]/.test(k)).map(([k]) => k);
console.log(`${functions.length} public functions (ops, composites, creation, gradients, utilities).`);
