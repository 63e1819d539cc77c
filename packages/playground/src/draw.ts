/**
 * The drawing pad: pointer strokes on a 280x280 canvas, and the drawing turned into an
 * MNIST-like input: the ink's bounding box scaled into 20x20, centred by its centre of mass
 * in 28x28, values in [0, 1].
 */

/** Makes `canvas` drawable; calls `onStroke` when a stroke ends. Returns a function that clears it. */
export function drawingPad(canvas: HTMLCanvasElement, onStroke: () => void): () => void {
  const ctx = canvas.getContext("2d")!;
  const clear = () => {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  };
  clear();
  let last: [number, number] | null = null;
  const at = (e: PointerEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
  };
  canvas.addEventListener("pointerdown", (e) => {
    canvas.setPointerCapture(e.pointerId);
    last = at(e);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!last) return;
    const p = at(e);
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 18;
    ctx.lineCap = "round";
    ctx.beginPath();
    ctx.moveTo(...last);
    ctx.lineTo(...p);
    ctx.stroke();
    last = p;
  });
  const end = () => {
    if (!last) return;
    last = null;
    onStroke();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  return clear;
}

/** The pad's drawing as 784 values in [0, 1] laid out as MNIST digits are; null when empty. */
export function toMnistPixels(canvas: HTMLCanvasElement): Float32Array | null {
  const { width: w, height: h } = canvas;
  const src = canvas.getContext("2d")!.getImageData(0, 0, w, h).data;
  let [x0, y0, x1, y1] = [w, h, -1, -1];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (src[4 * (y * w + x)]! > 32) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  if (x1 < 0) return null;
  const side = Math.max(x1 - x0, y1 - y0) + 1;
  const small = document.createElement("canvas");
  small.width = small.height = 28;
  const sctx = small.getContext("2d")!;
  sctx.fillStyle = "#000";
  sctx.fillRect(0, 0, 28, 28);
  sctx.imageSmoothingQuality = "high";
  // Scale the ink's box so its longer side is 20 pixels, keeping the aspect ratio.
  const bw = ((x1 - x0 + 1) / side) * 20;
  const bh = ((y1 - y0 + 1) / side) * 20;
  sctx.drawImage(canvas, x0, y0, x1 - x0 + 1, y1 - y0 + 1, (28 - bw) / 2, (28 - bh) / 2, bw, bh);
  const px = sctx.getImageData(0, 0, 28, 28).data;
  const out = new Float32Array(784);
  let [mx, my, m] = [0, 0, 0];
  for (let i = 0; i < 784; i++) {
    out[i] = px[4 * i]! / 255;
    mx += (i % 28) * out[i]!;
    my += Math.floor(i / 28) * out[i]!;
    m += out[i]!;
  }
  // Shift so the centre of mass sits at the image centre, as in MNIST.
  const dx = Math.round(13.5 - mx / m);
  const dy = Math.round(13.5 - my / m);
  const shifted = new Float32Array(784);
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      const sx = x - dx;
      const sy = y - dy;
      if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) shifted[y * 28 + x] = out[sy * 28 + sx]!;
    }
  return shifted;
}
