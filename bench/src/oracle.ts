/**
 * Plain-JavaScript oracles, in float64, for the workloads' expected results: matmul,
 * NHWC conv2d with "same" padding, and one MLP training step (forward, backward, SGD).
 * Written for clarity, not speed; each runs once per case.
 */
import type { HostArray, MlpSpec } from "./types.js";

/** [m,k] x [k,n] -> [m,n]. */
export function matmulOracle(a: HostArray, b: HostArray): Float32Array {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const av = a.data[i * k + p]!;
      const row = p * n;
      const o = i * n;
      for (let j = 0; j < n; j++) out[o + j]! += av * b.data[row + j]!;
    }
  return Float32Array.from(out);
}

/** x [n,h,w,c] (*) f [kh,kw,c,o], stride 1, "same" padding -> [n,h,w,o]. */
export function conv2dOracle(x: HostArray, f: HostArray): Float32Array {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [kh, kw, , o] = f.shape as [number, number, number, number];
  const top = Math.floor((kh - 1) / 2);
  const left = Math.floor((kw - 1) / 2);
  const out = new Float32Array(n * h * w * o);
  const acc = new Float64Array(o);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++) {
        acc.fill(0);
        for (let dy = 0; dy < kh; dy++) {
          const iy = y + dy - top;
          if (iy < 0 || iy >= h) continue;
          for (let dx = 0; dx < kw; dx++) {
            const ix = xx + dx - left;
            if (ix < 0 || ix >= w) continue;
            const xBase = ((b * h + iy) * w + ix) * c;
            const fBase = (dy * kw + dx) * c * o;
            for (let ci = 0; ci < c; ci++) {
              const xv = x.data[xBase + ci]!;
              const fRow = fBase + ci * o;
              for (let oc = 0; oc < o; oc++) acc[oc]! += xv * f.data[fRow + oc]!;
            }
          }
        }
        out.set(acc, ((b * h + y) * w + xx) * o);
      }
  return out;
}

interface Params {
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: Float64Array;
}

/** Mean softmax cross-entropy of relu(x w1 + b1) w2 + b2, and the gradients. */
function lossAndGrads(p: Params, s: MlpSpec): { loss: number; g: Params } {
  const batch = s.x.shape[0]!;
  const [inp, hid] = s.w1.shape as [number, number];
  const out = s.w2.shape[1]!;
  const h = new Float64Array(batch * hid);
  const g: Params = { w1: new Float64Array(p.w1.length), b1: new Float64Array(hid), w2: new Float64Array(p.w2.length), b2: new Float64Array(out) };
  let loss = 0;
  const z = new Float64Array(out);
  const dh = new Float64Array(hid);
  for (let r = 0; r < batch; r++) {
    for (let j = 0; j < hid; j++) {
      let v = p.b1[j]!;
      for (let i = 0; i < inp; i++) v += s.x.data[r * inp + i]! * p.w1[i * hid + j]!;
      h[r * hid + j] = Math.max(0, v);
    }
    let max = -Infinity;
    for (let k = 0; k < out; k++) {
      let v = p.b2[k]!;
      for (let j = 0; j < hid; j++) v += h[r * hid + j]! * p.w2[j * out + k]!;
      z[k] = v;
      max = Math.max(max, v);
    }
    let se = 0;
    for (let k = 0; k < out; k++) se += Math.exp(z[k]! - max);
    const lse = max + Math.log(se);
    dh.fill(0);
    for (let k = 0; k < out; k++) {
      const y = s.labels.data[r * out + k]!;
      loss -= y * (z[k]! - lse);
      // d(loss)/dz = (softmax(z) - y) / batch
      const dz = (Math.exp(z[k]! - lse) - y) / batch;
      g.b2[k]! += dz;
      for (let j = 0; j < hid; j++) {
        g.w2[j * out + k]! += h[r * hid + j]! * dz;
        dh[j]! += p.w2[j * out + k]! * dz;
      }
    }
    for (let j = 0; j < hid; j++) {
      if (h[r * hid + j]! <= 0) continue;
      g.b1[j]! += dh[j]!;
      for (let i = 0; i < inp; i++) g.w1[i * hid + j]! += s.x.data[r * inp + i]! * dh[j]!;
    }
  }
  return { loss: loss / batch, g };
}

/** The losses of two consecutive SGD steps from the spec's weights: [before, after one step]. */
export function mlpOracle(s: MlpSpec): [number, number] {
  const p: Params = { w1: Float64Array.from(s.w1.data), b1: Float64Array.from(s.b1.data), w2: Float64Array.from(s.w2.data), b2: Float64Array.from(s.b2.data) };
  const first = lossAndGrads(p, s);
  for (const k of ["w1", "b1", "w2", "b2"] as const) for (let i = 0; i < p[k].length; i++) p[k][i]! -= s.learningRate * first.g[k][i]!;
  return [first.loss, lossAndGrads(p, s).loss];
}
