/**
 * MNIST augmentation for `--augment`: each image of a batch is shifted by up to 2 pixels and
 * rotated by up to 10 degrees (bilinear sampling, zeros outside). Plain JavaScript with no
 * imports, so the worker threads of `Dataset.map(..., { parallel })` load it as it is.
 */

/** Largest shift in pixels. */
export const MAX_SHIFT = 2;
/** Largest rotation in radians. */
export const MAX_ROTATION = (10 * Math.PI) / 180;

/** One 28x28 image moved by (dx, dy) and rotated by `angle` about its centre, into `out`. */
export function transformImage(src, out, dx, dy, angle) {
  const c = 13.5;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const at = (xx, yy) => (xx >= 0 && xx < 28 && yy >= 0 && yy < 28 ? src[yy * 28 + xx] : 0);
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      // Inverse map: where in the source this output pixel comes from.
      const ux = x - c - dx;
      const uy = y - c - dy;
      const sx = cos * ux + sin * uy + c;
      const sy = -sin * ux + cos * uy + c;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      out[y * 28 + x] = (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) + fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
    }
}

/** Augment a batch element [images [n, 784], labels [n]]: a random shift and rotation per image; labels pass through. */
export function augmentBatch([images, labels]) {
  const n = images.shape[0];
  const out = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) {
    const dx = Math.round((2 * Math.random() - 1) * MAX_SHIFT);
    const dy = Math.round((2 * Math.random() - 1) * MAX_SHIFT);
    const angle = (2 * Math.random() - 1) * MAX_ROTATION;
    transformImage(images.data.subarray(i * 784, (i + 1) * 784), out.subarray(i * 784, (i + 1) * 784), dx, dy, angle);
  }
  return [{ data: out, shape: images.shape, dtype: "float32" }, labels];
}
