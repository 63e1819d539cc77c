/** The WebGPU training tests (steps equal to the reference's, gradients) in headless Chromium on navigator.gpu. */
import "./training.test.js";
