/**
 * GPU timestamp queries for profiles: each compute pass of a profiled op writes a begin and an
 * end timestamp; at each submit the queries used are resolved into a mappable buffer, and an
 * op's GPU time is the sum of its passes' (end - begin), in nanoseconds as WebGPU defines them.
 * Used only while a profile runs, and only on a device created with "timestamp-query".
 */
import type * as W from "./gpu-types.js";

/** Passes timed per submission; an op with more is timed to completion instead. */
export const MAX_TIMED_PASSES = 64;

/**
 * Milliseconds in `pairs` begin/end timestamp pairs (nanoseconds, as `resolveQuerySet` writes
 * them: begin at 2k, end at 2k+1). A pair whose end is not after its begin counts 0 (WebGPU
 * allows a clock reset between them, and quantized clocks read equal for short passes).
 * @example passTimeMs(new BigUint64Array([1_000n, 2_501_000n]), 1) // 2.5
 */
export function passTimeMs(ticks: BigUint64Array, pairs: number): number {
  let ns = 0n;
  for (let k = 0; k < pairs; k++) {
    const begin = ticks[2 * k]!;
    const end = ticks[2 * k + 1]!;
    if (end > begin) ns += end - begin;
  }
  return Number(ns) / 1e6;
}

/** One submission's resolved queries, copied to `buffer`, waiting to be mapped after the submit. */
interface Resolved {
  readonly buffer: W.Buffer;
  readonly pairs: number;
}

/**
 * Timestamps for the compute passes of one op at a time. The runtime asks `nextPass()` for each
 * pass's descriptor, calls `resolve(encoder)` before finishing a batch and `submitted()` after
 * submitting it; `take()` then gives the GPU time of everything since the last `take()`, or
 * null when part of it ran outside timed passes (buffer copies, or more passes than queries).
 */
export class PassTimer {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuffer: W.Buffer;
  /** Mappable buffers free for reuse. */
  private readonly free: W.Buffer[] = [];
  /** Passes begun in the batch being encoded. */
  private passes = 0;
  private toMap: Resolved[] = [];
  private batches: Promise<number | null>[] = [];
  private untimed = false;

  constructor(private readonly device: W.Device) {
    this.querySet = device.createQuerySet({ type: "timestamp", count: 2 * MAX_TIMED_PASSES });
    this.resolveBuffer = device.createBuffer({ size: 16 * MAX_TIMED_PASSES, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  }

  /** The descriptor for the next compute pass of the batch (no timestamps once the queries run out). */
  nextPass(): GPUComputePassDescriptor | undefined {
    if (this.passes >= MAX_TIMED_PASSES) {
      this.untimed = true;
      return undefined;
    }
    const k = this.passes++;
    return { timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 2 * k, endOfPassWriteIndex: 2 * k + 1 } };
  }

  /** Work outside any compute pass (a buffer copy) belongs to the current op: its time is not in the timestamps. */
  markUntimed(): void {
    this.untimed = true;
  }

  /** Before the batch's encoder finishes: resolve its queries and copy them where they can be mapped. */
  resolve(encoder: GPUCommandEncoder): void {
    if (this.passes === 0) return;
    const buffer = this.free.pop() ?? this.device.createBuffer({ size: 16 * MAX_TIMED_PASSES, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.resolveQuerySet(this.querySet, 0, 2 * this.passes, this.resolveBuffer, 0);
    encoder.copyBufferToBuffer(this.resolveBuffer, 0, buffer, 0, 16 * this.passes);
    this.toMap.push({ buffer, pairs: this.passes });
    this.passes = 0;
  }

  /** After the batch was submitted: read its timestamps when the device has written them. */
  submitted(): void {
    for (const { buffer, pairs } of this.toMap)
      this.batches.push(
        buffer.mapAsync(GPUMapMode.READ, 0, 16 * pairs).then(
          () => {
            const ticks = new BigUint64Array(buffer.getMappedRange(0, 16 * pairs).slice(0));
            buffer.unmap();
            this.free.push(buffer);
            return passTimeMs(ticks, pairs);
          },
          () => null,
        ),
      );
    this.toMap = [];
  }

  /** GPU milliseconds of the batches submitted since the last call, or null where some work was not timed. */
  async take(): Promise<number | null> {
    const batches = this.batches;
    const untimed = this.untimed;
    this.batches = [];
    this.untimed = false;
    const times = await Promise.all(batches);
    if (untimed || times.some((t) => t === null)) return null;
    return times.reduce<number>((s, t) => s + t!, 0);
  }

  /** Release the query set and buffers. */
  destroy(): void {
    this.querySet.destroy();
    this.resolveBuffer.destroy();
    for (const b of this.free) b.destroy();
    this.free.length = 0;
  }
}
