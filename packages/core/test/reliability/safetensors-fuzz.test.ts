/**
 * The safetensors reader on hostile bytes (fuzzed with fast-check): mutated, truncated and
 * extended files, and made-up headers, give a CheckpointError or exactly the tensors the
 * bytes hold; a restore that fails changes nothing; every case runs in bounded time.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as tf from "@eager/core";
import { layers, train } from "@eager/core";

const model = new layers.Sequential([new layers.Dense({ units: 3 }), new layers.Dense({ units: 2 })]);
model.apply(tf.zeros([1, 4])).dispose();
const opt = new train.AdamOptimizer({ learningRate: 0.1 });
opt.minimize(() => tf.sum(model.apply(tf.ones([1, 4]))));
const ckpt = new train.Checkpoint({ model, optimizer: opt });
const good = await ckpt.toBytes();
const values = () => model.variables.map((v) => Array.from(v.dataSync()));

/** Every decoded tensor must be exactly the bytes its header entry points at. */
function expectFaithful(bytes: Uint8Array, decoded: ReturnType<typeof train.decodeSafetensors>): void {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  for (const [name, e] of decoded.tensors) {
    const [b, end] = header[name].data_offsets;
    expect(new Uint8Array(e.values.buffer, e.values.byteOffset, e.values.byteLength)).toEqual(bytes.subarray(8 + n + b, 8 + n + end));
    expect(e.shape).toEqual(header[name].shape);
  }
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.array(fc.nat(), { minLength: 1, maxLength: 1 }), xor: fc.constant(0) }),
  fc.record({ kind: fc.constant("append" as const), at: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 16 }), xor: fc.constant(0) }),
);
function mutate(bytes: Uint8Array, m: { kind: "flip" | "cut" | "append"; at: number[]; xor: number }): Uint8Array {
  if (m.kind === "cut") return bytes.slice(0, m.at[0]! % bytes.length);
  if (m.kind === "append") return new Uint8Array([...bytes, ...m.at]);
  const out = bytes.slice();
  // Half the flips land in the header, where they matter most.
  for (const a of m.at) out[a % 2 === 0 ? a % Math.min(out.length, 400) : a % out.length]! ^= m.xor;
  return out;
}

function header(h: unknown, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(h));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

describe("safetensors reader, fuzzed", () => {
  it("mutated files: a CheckpointError (nothing restored) or exactly what the bytes hold", () => {
    fc.assert(
      fc.property(mutation, (m) => {
        const bytes = mutate(good, m);
        const before = values();
        const iterations = opt.iterations;
        const t0 = performance.now();
        let decoded: ReturnType<typeof train.decodeSafetensors> | null = null;
        try {
          decoded = train.decodeSafetensors(bytes);
        } catch (e) {
          expect(e, String(e)).toBeInstanceOf(train.CheckpointError);
        }
        if (decoded) expectFaithful(bytes, decoded);
        try {
          ckpt.fromBytes(bytes);
        } catch (e) {
          expect(e, String(e)).toBeInstanceOf(tf.EagerError);
          expect(values()).toEqual(before);
          expect(opt.iterations).toBe(iterations);
        }
        expect(performance.now() - t0).toBeLessThan(500);
      }),
      { numRuns: 400 },
    );
    ckpt.fromBytes(good);
  });

  it("made-up headers: a CheckpointError or faithful tensors", () => {
    const dtype = fc.constantFrom("F32", "I32", "BOOL", "F64", "F16", "toString", "__proto__", "constructor", "", 3, null);
    const dim = fc.oneof(fc.nat({ max: 4 }), fc.constantFrom(-1, 1.5, 2 ** 31, 2 ** 53, "2", null));
    const entry = fc.record({ dtype, shape: fc.array(dim, { maxLength: 3 }), data_offsets: fc.array(fc.oneof(fc.nat({ max: 64 }), fc.constantFrom(-1, 2 ** 40, "0")), { maxLength: 3 }) });
    const name = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("__proto__", "constructor", "__metadata__", "toString"));
    fc.assert(
      fc.property(fc.dictionary(name, entry, { maxKeys: 4 }), fc.nat({ max: 64 }), (h, dataBytes) => {
        const bytes = header(h, dataBytes);
        const t0 = performance.now();
        try {
          expectFaithful(bytes, train.decodeSafetensors(bytes));
        } catch (e) {
          expect(e, String(e)).toBeInstanceOf(train.CheckpointError);
        }
        expect(performance.now() - t0).toBeLessThan(100);
      }),
      { numRuns: 1000 },
    );
  });

  it("huge declared sizes fail before allocating", () => {
    const t0 = performance.now();
    const lying = new Uint8Array(16);
    new DataView(lying.buffer).setBigUint64(0, 2n ** 62n, true);
    expect(() => train.decodeSafetensors(lying)).toThrow(/header length \d+ is larger than/);
    expect(() => train.decodeSafetensors(header({ w: { dtype: "F64", shape: [2 ** 26, 2 ** 26], data_offsets: [0, 8] } }, 8))).toThrow(train.CheckpointError);
    expect(performance.now() - t0).toBeLessThan(50);
  });
});
