/** The seed walkthrough: every printed value is asserted. */
import { expect, it } from "vitest";
import { walkthrough } from "../examples/walkthrough.js";

it("prints the seed's values", async () => {
  const lines = new Map<string, string>();
  await walkthrough((label, value) => lines.set(label, String(value)));
  expect(lines.get("matmul([[2]], [[2]])")).toBe("Tensor([[4]], shape=[1,1], dtype=float32)");
  expect(lines.get("collatz(12)")).toBe("12 -> 6 -> 3 -> 10 -> 5 -> 16 -> 8 -> 4 -> 2 -> 1");
  expect(lines.get("d/dx square at 3")).toBe("Tensor(6, shape=[], dtype=float32)");
  expect(lines.get("d2/dx2 square at 3")).toBe("Tensor(2, shape=[], dtype=float32)");
  expect(lines.get("d/dx abs at 2")).toBe("Tensor(1, shape=[], dtype=float32)");
  expect(lines.get("d/dx abs at -2")).toBe("Tensor(-1, shape=[], dtype=float32)");
  expect(lines.get("naive d/dx log1pexp at 0")).toBe("Tensor(0.5, shape=[], dtype=float32)");
  expect(lines.get("naive d/dx log1pexp at 100")).toBe("Tensor(NaN, shape=[], dtype=float32)");
  expect(lines.get("custom d/dx log1pexp at 0")).toBe("Tensor(0.5, shape=[], dtype=float32)");
  expect(lines.get("custom d/dx log1pexp at 100")).toBe("Tensor(1, shape=[], dtype=float32)");
});
