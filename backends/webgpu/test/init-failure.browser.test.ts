/** WebGPU with a failing requestDevice, in headless Chromium (where the GPU process can refuse a device). */
import "./init-failure.test.js";
