/**
 * The playground page: lists devices (greyed out with the reason where unavailable), starts
 * and stops training in the worker, draws live charts and the placement report, predicts
 * the digit drawn on the pad, saves or loads the model, and trains and samples the char-RNN.
 * All computation is in the worker.
 */
import { proxy, wrap } from "comlink";
import type { PlacementReport } from "@eager/core";
import { LineChart } from "./chart.js";
import { drawingPad, toMnistPixels } from "./draw.js";
import type { CharProgress, DeviceStatus, ModelKind, Progress, TrainerApi } from "./protocol.js";
import { download, loadFromIndexedDb, saveToIndexedDb } from "./storage.js";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const num = (id: string) => Number($<HTMLInputElement>(id).value);
const setStatus = (text: string) => ($("status").textContent = text);

const trainer = wrap<TrainerApi>(new Worker(new URL("./trainer.worker.ts", import.meta.url), { type: "module", name: "eager-trainer" }));
const lossChart = new LineChart($("loss-chart"));
const accuracyChart = new LineChart($("accuracy-chart"), { yMin: 0, yMax: 1, points: { test: true } });
let hasModel = false;

$("isolation").textContent = crossOriginIsolated
  ? "This page is cross-origin isolated: SharedArrayBuffer and the multithreaded cpu backend are available."
  : "This page is not cross-origin isolated (no COOP/COEP headers): the cpu backend cannot share memory with its threads.";

function renderDevices(devices: DeviceStatus[]): void {
  const box = $("devices");
  box.innerHTML = "<legend>Device</legend>";
  const preferred = devices.find((d) => d.available && d.name === "cpu") ?? devices.find((d) => d.available);
  for (const d of devices) {
    const label = document.createElement("label");
    label.className = `device ${d.available ? "available" : "unavailable"}`;
    label.dataset["device"] = d.name;
    const input = document.createElement("input");
    Object.assign(input, { type: "radio", name: "device", value: d.name, disabled: !d.available, checked: d === preferred });
    const facts = Object.entries(d.info).filter(([k]) => ["threads", "simd", "adapter", "mode"].includes(k)).map(([k, v]) => `${k} ${v}`).join(", ");
    const note = document.createElement("span");
    note.className = "reason muted";
    note.textContent = d.available ? facts : `unavailable: ${d.reason}`;
    label.append(input, ` ${d.name}`, note);
    box.append(label);
  }
}

function renderPlacement(r: PlacementReport): void {
  const lines: string[] = [];
  for (const [device, ops] of Object.entries(r.ops)) {
    const total = Object.values(ops).reduce((a, b) => a + b, 0);
    const top = Object.entries(ops).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([op, n]) => `${op} ${n}`).join(", ");
    lines.push(`${device}: ${total} ops (${top}${Object.keys(ops).length > 12 ? ", ..." : ""})`);
    const info = r.devices[device]?.info;
    if (info) lines.push(`  ${Object.entries(info).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  }
  lines.push(`fallbacks: ${r.fallbacks.length ? r.fallbacks.map((f) => `${f.op} ${f.from}->${f.to} x${f.count} (${f.reason})`).join("; ") : "none"}`);
  lines.push(`bytes moved between devices: ${r.bytesMoved}`);
  $("placement-report").textContent = lines.join("\n");
}

async function train(): Promise<void> {
  const device = document.querySelector<HTMLInputElement>('input[name="device"]:checked')?.value;
  if (!device) {
    setStatus("no device available");
    return;
  }
  lossChart.clear();
  accuracyChart.clear();
  $("test-accuracy").textContent = "";
  $("test-accuracy").removeAttribute("data-value");
  $<HTMLButtonElement>("train").disabled = true;
  $<HTMLButtonElement>("stop").disabled = false;
  document.body.dataset["training"] = "true";
  setStatus(`loading MNIST and training on ${device}...`);
  try {
    const onProgress = (p: Progress) => {
      if (p.testAccuracy !== undefined) {
        accuracyChart.add("test", p.step, p.testAccuracy);
        $("test-accuracy").textContent = `test accuracy after epoch ${p.epoch + 1}: ${(100 * p.testAccuracy).toFixed(2)}%`;
        return;
      }
      lossChart.add("loss", p.step, p.loss);
      accuracyChart.add("train", p.step, p.accuracy);
      setStatus(`epoch ${p.epoch + 1}, step ${p.step}/${p.steps}, ${Math.round(p.examplesPerSecond)} examples/s on ${device}`);
    };
    const s = await trainer.train(
      { device, model: $<HTMLSelectElement>("model").value as ModelKind, epochs: num("epochs"), batchSize: num("batch"), learningRate: num("lr"), trainCount: num("train-count"), testCount: num("test-count") },
      proxy(onProgress),
    );
    hasModel = true;
    $("test-accuracy").dataset["value"] = String(s.testAccuracy);
    setStatus(`${s.stopped ? "stopped" : "done"}: ${s.steps} steps in ${s.seconds.toFixed(1)} s on ${s.device}`);
    renderPlacement(s.placement);
  } catch (e) {
    setStatus(`training failed: ${(e as Error).message}`);
  } finally {
    $<HTMLButtonElement>("train").disabled = false;
    $<HTMLButtonElement>("stop").disabled = true;
    document.body.dataset["training"] = "false";
  }
}

async function predict(pad: HTMLCanvasElement): Promise<void> {
  const pixels = toMnistPixels(pad);
  if (!pixels) return;
  if (!hasModel) {
    $("prediction").textContent = "train or load a model first";
    return;
  }
  const probs = await trainer.predict(pixels);
  const best = probs.indexOf(Math.max(...probs));
  $("prediction").textContent = `it looks like a ${best} (${(100 * probs[best]!).toFixed(1)}%)`;
  $("prediction").dataset["digit"] = String(best);
  $("probabilities").innerHTML = probs.map((p, d) => `<div class="bar"><span>${d}</span><span style="width:${Math.round(200 * p)}px"></span></div>`).join("");
}

async function store(action: () => Promise<string>): Promise<void> {
  try {
    $("store-status").textContent = await action();
  } catch (e) {
    $("store-status").textContent = (e as Error).message;
  }
}

$("train").addEventListener("click", () => void train());
$("stop").addEventListener("click", () => void trainer.stop());
const pad = $<HTMLCanvasElement>("pad");
const clearPad = drawingPad(pad, () => void predict(pad));
$("clear").addEventListener("click", () => {
  clearPad();
  $("prediction").textContent = "draw a digit";
  $("prediction").removeAttribute("data-digit");
  $("probabilities").innerHTML = "";
});
$("save-idb").addEventListener("click", () =>
  store(async () => {
    const { bytes, model } = await trainer.save();
    await saveToIndexedDb(bytes, model);
    return `saved the ${model} (${bytes.length} bytes) in this browser`;
  }),
);
$("load-idb").addEventListener("click", () =>
  store(async () => {
    const rec = await loadFromIndexedDb();
    if (!rec) return "nothing saved in this browser yet";
    const kind = await trainer.load(rec.bytes);
    hasModel = true;
    return `loaded the ${kind} saved ${rec.savedAt}`;
  }),
);
$("download").addEventListener("click", () =>
  store(async () => {
    const { bytes, model } = await trainer.save();
    download(bytes, `eager-mnist-${model}.safetensors`);
    return `downloaded eager-mnist-${model}.safetensors`;
  }),
);
$<HTMLInputElement>("upload").addEventListener("change", (e) =>
  store(async () => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return "";
    const kind = await trainer.load(new Uint8Array(await file.arrayBuffer()));
    hasModel = true;
    return `loaded the ${kind} from ${file.name}`;
  }),
);

const charLossChart = new LineChart($("char-loss-chart"));

async function trainCharRnn(): Promise<void> {
  const device = document.querySelector<HTMLInputElement>('input[name="device"]:checked')?.value;
  if (!device) {
    $("char-status").textContent = "no device available";
    return;
  }
  charLossChart.clear();
  for (const id of ["char-train", "char-sample", "train"]) $<HTMLButtonElement>(id).disabled = true;
  $<HTMLButtonElement>("stop").disabled = false;
  $("char-status").removeAttribute("data-first-loss");
  $("char-status").removeAttribute("data-last-loss");
  $("char-status").textContent = `training on ${device}...`;
  try {
    const onProgress = (p: CharProgress) => {
      charLossChart.add("loss", p.step, p.loss);
      $("char-status").textContent = `step ${p.step}/${p.steps}, loss ${p.loss.toFixed(3)} on ${device}`;
    };
    const s = await trainer.trainCharRnn({ device, steps: num("char-steps"), batchSize: num("char-batch"), seqLength: num("char-seq"), learningRate: num("char-lr") }, proxy(onProgress));
    Object.assign($("char-status").dataset, { firstLoss: String(s.firstLoss), lastLoss: String(s.lastLoss) });
    $("char-status").textContent = `done: ${s.steps} steps in ${s.seconds.toFixed(1)} s on ${s.device}; loss ${s.firstLoss.toFixed(3)} at step 1, ${s.lastLoss.toFixed(3)} at the last (uniform guess over ${s.vocabSize} characters: ${Math.log(s.vocabSize).toFixed(3)})`;
    $<HTMLButtonElement>("char-sample").disabled = false;
    await sampleCharRnn();
  } catch (e) {
    $("char-status").textContent = `training failed: ${(e as Error).message}`;
  } finally {
    $<HTMLButtonElement>("char-train").disabled = false;
    $<HTMLButtonElement>("train").disabled = false;
    $<HTMLButtonElement>("stop").disabled = true;
  }
}

async function sampleCharRnn(): Promise<void> {
  const prime = $<HTMLInputElement>("char-prime").value || " ";
  const length = num("char-length");
  const temperature = num("char-temperature");
  const out = $("char-text");
  out.removeAttribute("data-length");
  try {
    const text = await trainer.sampleCharRnn({ prime, length, temperature });
    out.textContent = prime + text;
    out.dataset["length"] = String(text.length);
    out.dataset["temperature"] = String(temperature);
  } catch (e) {
    out.textContent = `sampling failed: ${(e as Error).message}`;
  }
}

$("char-train").addEventListener("click", () => void trainCharRnn());
$("char-sample").addEventListener("click", () => void sampleCharRnn());

trainer.devices().then(
  (devices) => {
    renderDevices(devices);
    document.body.dataset["ready"] = "true";
  },
  (e: unknown) => setStatus(`the worker failed to start: ${(e as Error).message}`),
);
