/**
 * A size-bucketed pool of GPUBuffers. Sizes round up to one of four steps per power of two,
 * so a freed buffer serves any later request of the same bucket. Pooled bytes are counted
 * apart from live ones; past `maxPooledBytes` freed buffers are destroyed instead.
 */
import type * as W from "./gpu-types.js";

/** Round `bytes` up to its bucket: 16 bytes at least, then four steps per power of two. */
export function bucketBytes(bytes: number): number {
  const b = Math.max(16, Math.ceil(bytes / 4) * 4);
  if (b <= 256) return Math.ceil(b / 16) * 16;
  const p = 2 ** Math.floor(Math.log2(b - 1));
  const step = p / 4;
  return Math.ceil(b / step) * step;
}

/** Buffers of one usage, kept by bucket size for reuse. */
export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private pooled = 0;

  constructor(
    private readonly create: (bytes: number) => W.Buffer,
    private readonly maxPooledBytes: number,
  ) {}

  /** A buffer of at least `bytes` (its `size` is the bucket). */
  acquire(bytes: number): W.Buffer {
    const size = bucketBytes(bytes);
    const list = this.free.get(size);
    const hit = list?.pop();
    if (hit) {
      this.pooled -= size;
      return hit;
    }
    return this.create(size);
  }

  /** Return a buffer for reuse (or destroy it when the pool is full). */
  release(buffer: W.Buffer): void {
    const size = buffer.size;
    if (this.pooled + size > this.maxPooledBytes) {
      buffer.destroy();
      return;
    }
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(buffer);
    this.pooled += size;
  }

  /** Bytes held for reuse. */
  pooledBytes(): number {
    return this.pooled;
  }

  /** Destroy every pooled buffer. */
  clear(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.pooled = 0;
  }
}
