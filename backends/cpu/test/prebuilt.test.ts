/**
 * The prebuilt kernels: every variant the backend can pick at init (shared or unshared
 * memory, relaxed-SIMD FMA or plain SIMD) is byte for byte what wabt assembles from the
 * generators' text now, and compiles.
 */
import { describe, expect, it } from "vitest";
import wabtInit from "wabt";
import { assemble } from "../scripts/build-kernels.js";
import { kernelBytes } from "../src/wasm/module.js";

describe("prebuilt kernels", async () => {
  const wabt = await wabtInit();
  for (const shared of [true, false])
    for (const relaxed of [true, false])
      it(`${shared ? "shared" : "unshared"} memory, ${relaxed ? "relaxed SIMD" : "SIMD128"}: equal to the generators' assembled text`, () => {
        const got = kernelBytes(shared, relaxed);
        const want = assemble(wabt, shared, relaxed);
        expect(got.length).toBe(want.length);
        expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
        if (!relaxed) expect(WebAssembly.validate(got as Uint8Array<ArrayBuffer>)).toBe(true);
      });
});
