/**
 * onnx.checker.check_model(full_check=True) from Debian's python3-onnx (opset 17 / IR 8) on every
 * exported model. Skipped, with the reason, where no python3 imports onnx; CI installs it.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as tf from "@eager/core";
import { familyCases } from "./op-families.js";
import { modelCases } from "./model-cases.js";

/** The first Python that imports onnx (a version manager's python3 may shadow Debian's). */
const python = ["python3", "/usr/bin/python3"].find((p) => spawnSync(p, ["-c", "import onnx"]).status === 0);
const reason = python ? "" : "python3-onnx is not installed (apt-get install -y python3-onnx)";
const CHECK = "import sys, onnx\nfor p in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(p), full_check=True)\n    print('ok', p)";

describe.skipIf(reason !== "")(`onnx.checker on every exported model${reason ? ` (skipped: ${reason})` : ""}`, () => {
  it("accepts the op-family models and the example models with full_check", async () => {
    const dir = mkdtempSync(join(tmpdir(), "onnx-check-"));
    const paths: string[] = [];
    for (const c of [...familyCases, ...modelCases]) {
      const p = join(dir, `${c.name}.onnx`);
      writeFileSync(p, await tf.onnx.exportModel(c.target ?? c.fn, { inputSignature: c.signature }));
      paths.push(p);
    }
    const out = execFileSync(python!, ["-c", CHECK, ...paths], { encoding: "utf8" });
    expect(out.trim().split("\n")).toHaveLength(paths.length);
  }, 120_000);
});
