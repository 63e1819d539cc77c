/**
 * The `onnx` namespace: `exportModel` (bytes), `saveModel` (a .onnx file) and `coverage`
 * (which ops map directly, through their decomposition, or not at all).
 */
export { exportModel, saveModel, onnxCoverage as coverage, OnnxExportError, type OnnxExportOptions } from "./onnx-export.js";
