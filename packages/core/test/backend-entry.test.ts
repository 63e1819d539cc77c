/**
 * The plugin entry in a fresh Node process: it registers the reference backend and runs ops
 * on its own (which modules it loads is checked statically in import-cycles.test.ts).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const entry = fileURLToPath(new URL("../src/backend.ts", import.meta.url));
const script = `
const b = await import(${JSON.stringify(entry)});
const [y] = b.runOp("add", [1, 2], {});
console.log(JSON.stringify({ methods: typeof y.add, names: b.listBackends(), value: Array.from(y.dataSync()) }));
`;

describe("@eager/core/backend in a fresh process", () => {
  it("runs ops on the reference backend without the public API's index", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
    const { methods, names, value } = JSON.parse(out.trim().split("\n").pop()!) as { methods: string; names: string[]; value: number[] };
    expect(value).toEqual([3]);
    expect(names).toEqual(["reference"]);
    // Tensor methods are installed by @eager/core's index, which the plugin entry does not load.
    expect(methods).toBe("undefined");
  });
});
