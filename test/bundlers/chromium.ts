/**
 * Opens a page in headless Chromium (/usr/bin/chromium or CHROMIUM_PATH, the flags the
 * browser test project uses: WebGPU and WebGL on SwiftShader) and waits for the app's result.
 */
import { chromium as pw, type Browser } from "playwright";
import { chromiumArgs, chromiumPath } from "../chromium-flags.js";

const executablePath = chromiumPath;
const args = chromiumArgs;

/** Launch the browser once for all pages. */
export function launchChromium(): Promise<Browser> {
  return pw.launch({ executablePath, args, headless: true });
}

/** Load `url`, wait for `window.__eagerResult`; returns it with the page's errors. */
export async function runPage(browser: Browser, url: string, timeoutMs = 60_000): Promise<{ result: unknown; pageErrors: string[] }> {
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") pageErrors.push(m.text());
  });
  try {
    await page.goto(url);
    await page.waitForFunction(() => (window as { __eagerResult?: unknown }).__eagerResult !== undefined, undefined, { timeout: timeoutMs });
    const result = await page.evaluate(() => (window as { __eagerResult?: unknown }).__eagerResult);
    return { result, pageErrors };
  } finally {
    await page.close();
  }
}
