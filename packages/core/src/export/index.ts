/**
 * Export: saved models (model.json + weights.safetensors, loadable without the source) and
 * ONNX. Both read one `Program`, traced from a function or a Network.
 */
export { saveModel, saveModelToBytes, loadModel, loadModelFromBytes, SavedModel, type ExportOptions, type SavedModelBytes } from "./saved-model.js";
export { SavedModelError, validateModelJSON, type ModelJSON } from "./saved-model-schema.js";
export { traceProgram, type Program, type ProgramValue, type ProgramInput, type ProgramVariable, type ProgramConstant, type ProgramNode, type InputSpec, type ExportTarget, type Dim } from "./program.js";
