/** The protobuf writer behind the ONNX exporter: varints, negative int64, packed fields, floats, nesting. */
import { describe, expect, it } from "vitest";
import { ProtoWriter } from "../src/export/protobuf.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("ProtoWriter", () => {
  it("writes varints, including 64-bit negative values as ten bytes", () => {
    expect(hex(new ProtoWriter().int(1, 150).finish())).toBe("089601");
    expect(hex(new ProtoWriter().int(2, -1).finish())).toBe("10ffffffffffffffffff01");
    expect(hex(new ProtoWriter().int(1, 2n ** 40n).finish())).toBe("08808080808020");
  });
  it("writes strings, packed repeated int64, floats and nested messages", () => {
    expect(hex(new ProtoWriter().string(2, "testing").finish())).toBe("120774657374696e67");
    expect(hex(new ProtoWriter().packed(4, [3, 270, 86942]).finish())).toBe("2206038e029ea705");
    expect(hex(new ProtoWriter().float(2, 1).finish())).toBe("150000803f");
    expect(hex(new ProtoWriter().message(3, new ProtoWriter().int(1, 150)).finish())).toBe("1a03089601");
  });
});
