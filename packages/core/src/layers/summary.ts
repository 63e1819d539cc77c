/**
 * `model.summary()`: a table of the model's direct sub-layers with their type, latest output
 * shape (batch axis shown as null) and parameter count, then total, trainable and
 * non-trainable parameter counts, in Keras's layout.
 */
import type { Layer } from "./layer.js";

function shapeText(shape: readonly number[] | undefined): string {
  return shape ? `[null,${shape.slice(1).join(",")}]`.replace(",]", "]") : "?";
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i]!) : c)).join("");
}

/** The summary lines of `model`. */
export function summaryLines(model: Layer<any, any>, lineLength = 65): string[] {
  const widths = [Math.round(lineLength * 0.45), Math.round(lineLength * 0.33), lineLength];
  const lines = [`Model: "${model.name}"`, "_".repeat(lineLength), row(["Layer (type)", "Output shape", "Param #"], widths), "=".repeat(lineLength)];
  const layers = model.layers.length ? model.layers : [model];
  layers.forEach((l, i) => {
    lines.push(row([`${l.name} (${l.constructor.name})`, shapeText(l.outputShape), String(l.countParams())], widths));
    if (i < layers.length - 1) lines.push("_".repeat(lineLength));
  });
  const total = model.countParams();
  const trainable = model.trainableVariables.reduce((n, v) => n + v.size, 0);
  lines.push("=".repeat(lineLength), `Total params: ${total}`, `Trainable params: ${trainable}`, `Non-trainable params: ${total - trainable}`, "_".repeat(lineLength));
  if (!model.built) lines.push("(not built yet: call the model once, or give its first layer an inputShape, to see shapes and counts)");
  return lines;
}
