/** The WebGPU device-loss tests (clear errors, no hang, reset) in headless Chromium. */
import "./device-loss.test.js";
