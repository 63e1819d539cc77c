/**
 * A small line chart on a canvas: named series of (x, y) points, axes scaled to the data,
 * redrawn on each add. Enough for live loss and accuracy curves; no library.
 */

const COLORS = ["#3c6fd8", "#d8553c", "#2e9e5b", "#8a4fd8"];

/** A live line chart. @example const c = new LineChart(canvas); c.add("loss", 1, 2.3); */
export class LineChart {
  private readonly series = new Map<string, { x: number; y: number }[]>();
  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly o: { yMin?: number; yMax?: number; points?: Record<string, boolean> } = {},
  ) {
    this.draw();
  }

  /** Adds a point to a series (created on first use) and redraws. */
  add(name: string, x: number, y: number): void {
    if (!Number.isFinite(y)) return;
    if (!this.series.has(name)) this.series.set(name, []);
    this.series.get(name)!.push({ x, y });
    this.draw();
  }

  /** Removes every series. */
  clear(): void {
    this.series.clear();
    this.draw();
  }

  private draw(): void {
    const ctx = this.canvas.getContext("2d")!;
    const { width: w, height: h } = this.canvas;
    const pad = { l: 44, r: 10, t: 10, b: 24 };
    ctx.clearRect(0, 0, w, h);
    const all = [...this.series.values()].flat();
    const xMax = Math.max(1, ...all.map((p) => p.x));
    const yMin = this.o.yMin ?? Math.min(0, ...all.map((p) => p.y));
    const yMax = this.o.yMax ?? Math.max(1e-6, ...all.map((p) => p.y));
    const X = (x: number) => pad.l + (x / xMax) * (w - pad.l - pad.r);
    const Y = (y: number) => h - pad.b - ((y - yMin) / (yMax - yMin || 1)) * (h - pad.t - pad.b);
    ctx.strokeStyle = "#c9d0db";
    ctx.fillStyle = "#6b7485";
    ctx.font = "11px system-ui";
    for (let i = 0; i <= 4; i++) {
      const v = yMin + ((yMax - yMin) * i) / 4;
      ctx.beginPath();
      ctx.moveTo(pad.l, Y(v));
      ctx.lineTo(w - pad.r, Y(v));
      ctx.stroke();
      ctx.fillText(v.toFixed(2), 4, Y(v) + 4);
    }
    ctx.fillText(`step ${xMax}`, w - pad.r - 60, h - 6);
    let k = 0;
    for (const [name, pts] of this.series) {
      const color = COLORS[k % COLORS.length]!;
      ctx.strokeStyle = ctx.fillStyle = color;
      ctx.lineWidth = 2;
      if (this.o.points?.[name]) for (const p of pts) ctx.fillRect(X(p.x) - 3, Y(p.y) - 3, 6, 6);
      else {
        ctx.beginPath();
        pts.forEach((p, i) => (i ? ctx.lineTo(X(p.x), Y(p.y)) : ctx.moveTo(X(p.x), Y(p.y))));
        ctx.stroke();
      }
      ctx.fillText(name, pad.l + 8, pad.t + 12 + 14 * k);
      ctx.lineWidth = 1;
      k++;
    }
  }
}
