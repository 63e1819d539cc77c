// Build step: copy the plain-JavaScript worker files of Dataset.map({ parallel }) next to the compiled data module in dist/.
import { copyFileSync, mkdirSync } from "node:fs";
const here = new URL("..", import.meta.url);
mkdirSync(new URL("dist/data/", here), { recursive: true });
for (const f of ["map-worker-core.mjs", "map-worker-node.mjs", "map-worker-browser.mjs"]) copyFileSync(new URL(`src/data/${f}`, here), new URL(`dist/data/${f}`, here));
