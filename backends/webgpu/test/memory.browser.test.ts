/** The WebGPU memory tests (100 training steps leave live and pooled bytes flat) in headless Chromium. */
import "./memory.test.js";
