// Build step: copy the plain-JavaScript worker files next to the compiled pool in dist/.
import { copyFileSync, mkdirSync } from "node:fs";
const here = new URL("..", import.meta.url);
mkdirSync(new URL("dist/pool/", here), { recursive: true });
for (const f of ["protocol.mjs", "protocol.d.mts", "worker-loop.mjs", "worker-node.mjs"]) copyFileSync(new URL(`src/pool/${f}`, here), new URL(`dist/pool/${f}`, here));
