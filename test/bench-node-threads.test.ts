/**
 * The Node stand-ins the benchmark gives the peers' worker pools (bench/src/engines/node-threads.ts):
 * a Blob made from strings becomes a loadable file, and the Web Worker polyfill runs a script
 * that uses `self.onmessage` and `postMessage`, delivering messages sent before it loaded.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { installBlobFiles, installWorkerGlobal } from "../bench/src/engines/node-threads.js";

describe("bench's Node worker stand-ins", () => {
  it("turns a Blob of script text into a file path that holds the (transformed) text", () => {
    installBlobFiles((t) => (t.startsWith("// mark") ? `${t}\n// seen` : t));
    const url = URL.createObjectURL(new Blob(["// mark\nconst x = 1;"], { type: "text/javascript" }));
    expect(url.startsWith("blob:")).toBe(false);
    expect(readFileSync(url, "utf8")).toBe("// mark\nconst x = 1;\n// seen");
    expect(URL.createObjectURL(new Blob([new Uint8Array([1, 2])])).startsWith("blob:")).toBe(true);
  });

  it("runs a Web Worker script from a Blob URL, with messages sent before it loaded", async () => {
    installWorkerGlobal();
    const source = `self.onmessage = (e) => postMessage({ doubled: e.data * 2, hasSelf: typeof self === "object" });`;
    const W = (globalThis as unknown as { Worker: new (url: string, o?: object) => { onmessage: ((e: { data: unknown }) => void) | null; postMessage(d: unknown): void; terminate(): void } }).Worker;
    const worker = new W(URL.createObjectURL(new Blob([source])), { type: "module" });
    const replies: unknown[] = [];
    const done = new Promise<void>((resolve) => {
      worker.onmessage = (e) => {
        replies.push(e.data);
        if (replies.length === 3) resolve();
      };
    });
    for (const v of [1, 2, 3]) worker.postMessage(v);
    await done;
    worker.terminate();
    expect(replies).toEqual([1, 2, 3].map((v) => ({ doubled: 2 * v, hasSelf: true })));
  });
});
