/**
 * Tensor methods are typed and documented by their functions: what an editor shows on hover
 * over `x.add` (asked of the TypeScript language service) is `add`'s signature after the
 * tensor and `add`'s documentation.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const file = `${root}test/__hover__.ts`;
const text = `import { tensor } from "../src/index.js";\nconst x = tensor([1]);\nx.add(1);\nx.relu();\nx.sum();\nx.matmul(x);\n`;

const host: ts.LanguageServiceHost = {
  getScriptFileNames: () => [file],
  getScriptVersion: () => "1",
  getScriptSnapshot: (f) => (f === file ? ts.ScriptSnapshot.fromString(text) : existsSync(f) ? ts.ScriptSnapshot.fromString(readFileSync(f, "utf8")) : undefined),
  getCurrentDirectory: () => root,
  getCompilationSettings: () => ({ target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, types: [] }),
  getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
  fileExists: (f) => f === file || existsSync(f),
  readFile: (f) => (f === file ? text : readFileSync(f, "utf8")),
};
const service = ts.createLanguageService(host);

/** What an editor shows on hover over `x.<member>`. */
function hover(member: string): { signature: string; doc: string } {
  const info = service.getQuickInfoAtPosition(file, text.indexOf(`x.${member}(`) + 2);
  return { signature: ts.displayPartsToString(info?.displayParts), doc: ts.displayPartsToString(info?.documentation) };
}

describe("tensor method types and docs", () => {
  it("x.add shows add's parameters (named b) and its documentation", () => {
    const h = hover("add");
    expect(h.signature).toBe("(property) add: (b: TensorLike) => Tensor");
    expect(h.doc).toBe("a + b.");
  });
  it("unary, reduction and linalg methods carry their functions' docs", () => {
    expect(hover("relu").doc).toBe("max(x, 0).");
    expect(hover("sum").doc).toMatch(/^Sum over `axis`/);
    expect(hover("matmul").signature).toMatch(/^\(property\) matmul: \(b: TensorLike/);
    expect(hover("matmul").doc).not.toBe("");
  });
});
