/**
 * How the tests start headless Chromium: Debian's binary (or CHROMIUM_PATH) on a closed network,
 * with WebGPU and WebGL on SwiftShader. One list for the vitest browser project and every test
 * that launches Chromium through Playwright itself.
 */
export const chromiumPath = process.env["CHROMIUM_PATH"] || "/usr/bin/chromium";

export const chromiumArgs = [
  "--no-sandbox",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--enable-unsafe-webgpu",
  "--enable-unsafe-swiftshader",
];
