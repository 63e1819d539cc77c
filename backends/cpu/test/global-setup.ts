/**
 * Test set-up: regenerates the prebuilt kernels and the browser worker script from the
 * generators (src/generated/), so tests always run the kernels the sources describe.
 */
import { generate } from "../scripts/build-kernels.js";

/** Vitest global set-up hook. */
export default async function setup(): Promise<void> {
  const changed = await generate();
  if (changed.length) console.log(`[backend-cpu] regenerated ${changed.join(", ")}`);
}
