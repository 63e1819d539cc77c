/**
 * The device runtime: one command encoder per batch of kernels, a parameter arena bound at
 * 256-byte offsets, a pipeline cache keyed by shape class, error scopes around every batch
 * and device-loss tracking. Kernels only encode; `submit` sends a batch; reads share one.
 * Invariant: after a failure every call throws the same clear error until `reset`.
 * While a profile runs, each op's work is submitted on its own (`opDone`), its passes timed
 * with timestamp queries where the device has them.
 */
import type * as W from "./gpu-types.js";
import { BufferPool } from "./pool.js";
import { PassTimer } from "./timestamps.js";

/** The device was lost or reported a validation or out-of-memory error. */
export class WebGpuDeviceError extends Error {
  override readonly name = "WebGpuDeviceError";
}

/** A tensor's buffer: the GPUBuffer (its bucket size) and the device generation it belongs to. */
export interface GpuBuffer {
  readonly buffer: W.Buffer;
  readonly generation: number;
}

/** When one op's work finished: host clock times, and GPU time where timestamps measured it. */
export interface OpDoneTimes {
  readonly submittedMs: number;
  readonly doneMs: number;
  readonly deviceMs?: number;
}

/** Counters for tests and reports. */
export interface RuntimeStats {
  submits: number;
  dispatches: number;
  pipelines: number;
}

const PARAM_BYTES = 256 * 1024;
const MAX_DISPATCHES_PER_BATCH = 1024;
const WORKGROUPS_PER_DIMENSION = 65535;

/** Workgroup counts for `groups` workgroups in one or two dimensions. */
export function grid(groups: number): [number, number, number] {
  if (groups <= WORKGROUPS_PER_DIMENSION) return [Math.max(1, groups), 1, 1];
  return [WORKGROUPS_PER_DIMENSION, Math.ceil(groups / WORKGROUPS_PER_DIMENSION), 1];
}

interface Deferred {
  promise: Promise<{ check: Promise<void> }>;
  resolve(v: { check: Promise<void> }): void;
}

function deferred(): Deferred {
  let resolve!: (v: { check: Promise<void> }) => void;
  const promise = new Promise<{ check: Promise<void> }>((r) => (resolve = r));
  return { promise, resolve };
}

/** Encodes kernels for one GPUDevice and submits them in batches. */
export class Runtime {
  readonly stats: RuntimeStats = { submits: 0, dispatches: 0, pipelines: 0 };
  readonly storage: BufferPool;
  private readonly staging: BufferPool;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly paramBuffer: GPUBuffer;
  private readonly params = new ArrayBuffer(PARAM_BYTES);
  private readonly paramWords = new Int32Array(this.params);
  private readonly align: number;
  private paramsUsed = 0;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private batchDispatches = 0;
  /** Buffers the unsubmitted batch reads or writes; host writes to them wait for a submit. */
  private readonly batchUses = new Set<GPUBuffer>();
  /** Buffers freed while the unsubmitted batch may use them; pooled again at submit. */
  private pendingFree: GPUBuffer[] = [];
  private pendingFreeBytes = 0;
  private scopesOpen = false;
  private lastCheck: Promise<void> = Promise.resolve();
  private nextSubmit: Deferred | null = null;
  private failure: WebGpuDeviceError | null = null;
  private disposed = false;
  private readonly lostSignal: Promise<never>;
  /** Open profiles; while any is, `opDone` submits op by op. */
  private profiles = 0;
  /** Timestamps for compute passes while profiling on a device with "timestamp-query"; null otherwise. */
  private passTimer: PassTimer | null = null;
  private passTimerCache: PassTimer | null = null;

  constructor(
    readonly device: W.Device,
    readonly generation: number,
    maxPooledBytes: number,
  ) {
    this.align = device.limits.minStorageBufferOffsetAlignment;
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    this.storage = new BufferPool((size) => this.createBuffer(size, usage), maxPooledBytes);
    this.staging = new BufferPool((size) => this.createBuffer(size, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST), maxPooledBytes / 4);
    this.paramBuffer = device.createBuffer({ size: PARAM_BYTES, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    this.lostSignal = device.lost.then((info) => {
      if (!this.disposed) this.fail(`the WebGPU device was lost (${info.reason || "unknown"}): ${info.message || "no message"}`);
      throw this.failure ?? new WebGpuDeviceError("the WebGPU device was disposed");
    });
    this.lostSignal.catch(() => undefined);
    device.onuncapturederror = (e: GPUUncapturedErrorEvent) => this.fail(`WebGPU error: ${e.error.message}`);
  }

  /** Record the first failure; every later call throws it. */
  fail(message: string): void {
    this.failure ??= new WebGpuDeviceError(message);
  }

  /** Throw the recorded failure, if any. */
  check(): void {
    if (this.disposed && !this.failure) throw new WebGpuDeviceError("webgpu: the backend was disposed; register it again or call reset()");
    if (this.failure) throw new WebGpuDeviceError(`webgpu: ${this.failure.message}. The backend must be reinitialized (backend.reset(), or register it again and await ready())`);
  }

  /** The failure seen so far, or null. */
  get error(): WebGpuDeviceError | null {
    return this.failure;
  }

  private createBuffer(size: number, usage: number): GPUBuffer {
    this.openScopes();
    return this.device.createBuffer({ size, usage });
  }

  private openScopes(): void {
    if (this.scopesOpen) return;
    this.device.pushErrorScope("out-of-memory");
    this.device.pushErrorScope("validation");
    this.scopesOpen = true;
  }

  private closeScopes(): void {
    if (!this.scopesOpen) return;
    this.scopesOpen = false;
    const validation = this.device.popErrorScope();
    const memory = this.device.popErrorScope();
    this.lastCheck = Promise.all([validation, memory]).then(
      ([v, m]) => {
        if (m) this.fail(`WebGPU out-of-memory error: ${m.message}`);
        if (v) this.fail(`WebGPU validation error: ${v.message}`);
      },
      (e: unknown) => this.fail(`WebGPU error scope failed: ${(e as Error)?.message ?? String(e)}`),
    );
  }

  /** A cached compute pipeline for `key`, built from `source()` the first time. */
  pipeline(key: string, source: () => string): W.ComputePipeline {
    let p = this.pipelines.get(key);
    if (p) return p;
    this.openScopes();
    const code = source();
    const module = this.device.createShaderModule({ code, label: key });
    module.getCompilationInfo?.().then((info) => {
      const errors = info.messages.filter((m) => m.type === "error");
      if (errors.length) this.fail(`WGSL for kernel "${key}" does not compile: ${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join("; ")}`);
    }, () => undefined);
    p = this.device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main" }, label: key });
    this.pipelines.set(key, p);
    this.stats.pipelines++;
    return p;
  }

  private ensureEncoder(): GPUCommandEncoder {
    this.openScopes();
    this.encoder ??= this.device.createCommandEncoder();
    return this.encoder;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  /**
   * Encode one dispatch: binding 0 is `params` (int32 words; floats as their bits), then
   * `buffers` in order (outputs first, as the shader declares them).
   */
  dispatch(key: string, source: () => string, buffers: readonly GpuBuffer[], params: ArrayLike<number>, workgroups: readonly [number, number, number]): void {
    this.check();
    for (const b of buffers) this.own(b);
    const pipeline = this.pipeline(key, source);
    const words = Math.max(1, params.length);
    const slot = Math.ceil((words * 4) / this.align) * this.align;
    if (this.paramsUsed + slot > PARAM_BYTES || this.batchDispatches >= MAX_DISPATCHES_PER_BATCH) this.submit();
    const offset = this.paramsUsed;
    for (let i = 0; i < params.length; i++) this.paramWords[offset / 4 + i] = params[i]!;
    this.paramsUsed += slot;
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.paramBuffer, offset, size: words * 4 } }];
    buffers.forEach((b, i) => {
      entries.push({ binding: i + 1, resource: { buffer: b.buffer } });
      this.batchUses.add(b.buffer);
    });
    const encoder = this.ensureEncoder();
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    this.pass ??= encoder.beginComputePass(this.passTimer?.nextPass());
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(workgroups[0], workgroups[1], workgroups[2]);
    this.batchDispatches++;
    this.stats.dispatches++;
  }

  /** Encode a buffer-to-buffer copy of `bytes` (a multiple of 4). */
  copy(src: GpuBuffer, dst: GpuBuffer, bytes: number): void {
    this.check();
    this.own(src);
    this.own(dst);
    if (bytes === 0) return;
    const encoder = this.ensureEncoder();
    this.endPass();
    encoder.copyBufferToBuffer(src.buffer, 0, dst.buffer, 0, bytes);
    this.batchUses.add(src.buffer);
    this.batchUses.add(dst.buffer);
    this.passTimer?.markUntimed();
  }

  /** Return a tensor's buffer to the pool (after the unsubmitted batch, if it uses it). */
  release(buffer: W.Buffer): void {
    if (!this.batchUses.has(buffer)) return this.storage.release(buffer);
    this.pendingFree.push(buffer);
    this.pendingFreeBytes += buffer.size;
  }

  /** Write host bytes to a buffer, after any encoded work that may still read its old contents. */
  write(dst: GpuBuffer, data: ArrayBufferView): void {
    this.check();
    this.own(dst);
    if (this.batchUses.has(dst.buffer)) this.submit();
    this.device.queue.writeBuffer(dst.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  }

  private own(b: GpuBuffer): void {
    if (b.generation !== this.generation)
      throw new WebGpuDeviceError("webgpu: this tensor's buffer belongs to a device that was reset or lost; recreate the tensor");
  }

  /** Submit the current batch now (no-op when nothing is encoded). */
  submit(): void {
    const waiting = this.nextSubmit;
    this.nextSubmit = null;
    if (this.encoder) {
      this.endPass();
      if (this.paramsUsed > 0) this.device.queue.writeBuffer(this.paramBuffer, 0, this.params, 0, this.paramsUsed);
      this.passTimer?.resolve(this.encoder);
      this.device.queue.submit([this.encoder.finish()]);
      this.passTimer?.submitted();
      this.encoder = null;
      this.paramsUsed = 0;
      this.batchDispatches = 0;
      this.stats.submits++;
    }
    this.batchUses.clear();
    for (const b of this.pendingFree) this.storage.release(b);
    this.pendingFree = [];
    this.pendingFreeBytes = 0;
    this.closeScopes();
    waiting?.resolve({ check: this.lastCheck });
  }

  /** Submit at the end of the current task, so work queued in the same tick shares a submission. */
  submitSoon(): Promise<{ check: Promise<void> }> {
    if (!this.nextSubmit) {
      this.nextSubmit = deferred();
      queueMicrotask(() => this.submit());
    }
    return this.nextSubmit.promise;
  }

  /** True when work is encoded but not submitted. */
  get pending(): boolean {
    return this.encoder !== null;
  }

  /** Copy `bytes` of `src` back to the host, after every kernel encoded before this call. */
  async read(src: GpuBuffer, bytes: number): Promise<ArrayBuffer> {
    this.check();
    this.own(src);
    const staging = this.staging.acquire(bytes);
    const encoder = this.ensureEncoder();
    this.endPass();
    encoder.copyBufferToBuffer(src.buffer, 0, staging, 0, bytes);
    this.batchUses.add(src.buffer);
    const { check } = await this.submitSoon();
    try {
      await Promise.race([staging.mapAsync(GPUMapMode.READ, 0, bytes), this.lostSignal]);
    } catch (e) {
      this.check();
      this.fail(`WebGPU read failed: ${(e as Error)?.message ?? String(e)}`);
      this.check();
    }
    await check;
    try {
      this.check();
      return staging.getMappedRange(0, bytes).slice(0);
    } finally {
      staging.unmap();
      this.staging.release(staging);
    }
  }

  /** Wait until every submitted batch has run (or the device is lost). */
  async idle(): Promise<void> {
    this.submit();
    await Promise.race([this.device.queue.onSubmittedWorkDone(), this.lostSignal]);
    await this.lastCheck;
    this.check();
  }

  /** Whether compute passes are timed with timestamp queries while profiling. */
  get timestamps(): boolean {
    return this.device.features.has("timestamp-query");
  }

  /** Start submitting op by op for a profile (the work queued so far goes now). */
  startProfiling(): void {
    this.submit();
    if (this.profiles++ === 0 && this.timestamps) this.passTimer = this.passTimerCache ??= new PassTimer(this.device);
  }

  /** End one profile; batching resumes when none is open. */
  stopProfiling(): void {
    if (this.profiles === 0) return;
    this.submit();
    if (--this.profiles === 0) this.passTimer = null;
  }

  /**
   * Submit the work encoded since the last call (one op's, while profiling) and resolve when the
   * device has finished it, with its GPU time where its passes were timed.
   */
  async opDone(): Promise<OpDoneTimes> {
    this.check();
    this.submit();
    const submittedMs = performance.now();
    const gpu = this.passTimer?.take() ?? null;
    await Promise.race([this.device.queue.onSubmittedWorkDone(), this.lostSignal]);
    const doneMs = performance.now();
    const deviceMs = gpu === null ? null : await gpu;
    this.check();
    return deviceMs === null ? { submittedMs, doneMs } : { submittedMs, doneMs, deviceMs };
  }

  /** Bytes pooled for reuse (storage and staging). */
  pooledBytes(): number {
    return this.storage.pooledBytes() + this.pendingFreeBytes + this.staging.pooledBytes();
  }

  /** Release pools and the device. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    try {
      this.pass?.end();
    } catch {
      // the pass may already be invalid after a device loss
    }
    this.pass = null;
    this.encoder = null;
    this.pendingFree = [];
    this.pendingFreeBytes = 0;
    this.batchUses.clear();
    this.storage.clear();
    this.staging.clear();
    this.pipelines.clear();
    this.passTimer = null;
    this.passTimerCache?.destroy();
    this.device.destroy();
  }
}
