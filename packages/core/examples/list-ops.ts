/**
 * Prints the op table (every primitive by family, required or optional, with or without a
 * gradient) and writes the same list into the repository README between its markers.
 * Run: `pnpm ops`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as tf from "@eager/core";
import { renderOpList, withOpList } from "./op-list.js";

const readmePath = fileURLToPath(new URL("../../../README.md", import.meta.url));
console.log(renderOpList());
const functions = Object.entries(tf).filter(([k, v]) => typeof v === "function" && /^[a-z]/.test(k)).map(([k]) => k);
console.log(`${functions.length} public functions (ops, composites, creation, gradients, utilities).`);
const before = readFileSync(readmePath, "utf8");
const after = withOpList(before);
if (after !== before) {
  writeFileSync(readmePath, after);
  console.log("README.md: op list updated.");
} else console.log("README.md: op list is current.");
