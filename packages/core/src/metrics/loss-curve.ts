/**
 * LossCurve: collects (step, value) points for named series (training loss, test accuracy,
 * ...) and renders them as a self-contained SVG line chart that any browser opens.
 */
import { platform } from "#platform";
import { InvalidArgumentError } from "../errors.js";

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * @example
 * const curve = new LossCurve({ title: "MNIST MLP" });
 * curve.add("train loss", step, loss);
 * await curve.save("out/loss.svg");
 */
export class LossCurve {
  private readonly series = new Map<string, [number, number][]>();
  constructor(private readonly options: { title?: string; xLabel?: string; yLabel?: string; width?: number; height?: number } = {}) {}

  /** Add a point to series `name`. Non-finite values are skipped. */
  add(name: string, x: number, y: number): void {
    if (typeof name !== "string" || !Number.isFinite(x)) throw new InvalidArgumentError(`LossCurve.add: expects a series name and a finite x, got ${String(name)}, ${x}`);
    if (!Number.isFinite(y)) return;
    let s = this.series.get(name);
    if (!s) this.series.set(name, (s = []));
    s.push([x, y]);
  }

  /** The points of a series. */
  points(name: string): readonly [number, number][] {
    return this.series.get(name) ?? [];
  }

  /** The chart as an SVG document. */
  toSVG(): string {
    const W = this.options.width ?? 720;
    const H = this.options.height ?? 420;
    const m = { l: 64, r: 160, t: 40, b: 48 };
    const all = [...this.series.values()].flat();
    const xs = all.map((p) => p[0]);
    const ys = all.map((p) => p[1]);
    const [x0, x1] = all.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
    let [y0, y1] = all.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
    if (y0 === y1) [y0, y1] = [y0 - 0.5, y1 + 0.5];
    const sx = (x: number) => m.l + ((x - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
    const sy = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
    const parts: string[] = [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
      `<rect width="${W}" height="${H}" fill="white"/>`,
      `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(this.options.title ?? "Training")}</text>`,
    ];
    for (const t of niceTicks(y0, y1)) {
      parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#e5e5e5"/>`);
      parts.push(`<text x="${m.l - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${t}</text>`);
    }
    for (const t of niceTicks(x0, x1)) parts.push(`<text x="${sx(t).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle">${t}</text>`);
    parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#333"/>`);
    parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 10}" text-anchor="middle">${esc(this.options.xLabel ?? "step")}</text>`);
    parts.push(`<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(this.options.yLabel ?? "value")}</text>`);
    [...this.series].forEach(([name, pts], i) => {
      const c = COLORS[i % COLORS.length];
      const d = pts.map(([x, y], j) => `${j ? "L" : "M"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join("");
      parts.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="1.5"/>`);
      if (pts.length === 1) parts.push(`<circle cx="${sx(pts[0]![0]).toFixed(1)}" cy="${sy(pts[0]![1]).toFixed(1)}" r="3" fill="${c}"/>`);
      parts.push(`<line x1="${W - m.r + 12}" x2="${W - m.r + 32}" y1="${m.t + 10 + i * 18}" y2="${m.t + 10 + i * 18}" stroke="${c}" stroke-width="2"/>`);
      parts.push(`<text x="${W - m.r + 38}" y="${m.t + 14 + i * 18}">${esc(name)}</text>`);
    });
    parts.push("</svg>");
    return parts.join("\n") + "\n";
  }

  /** Write the SVG to `path` (Node; elsewhere throws UnsupportedPlatformError: use `toSVG()`). */
  async save(path: string): Promise<string> {
    await platform.writeFile(path, this.toSVG(), false);
    return path;
  }
}
