/**
 * The thread pool: persistent workers that share the kernels' memory and wait on a control
 * block (Atomics.wait/notify, no message per task). `run` splits a task into chunks that the
 * caller and the workers claim; it returns when every chunk is done, or throws
 * `WorkerCrashError` when a worker dies or a chunk throws. A dead worker is replaced.
 */
import { EagerError } from "@eager/core/backend";
import * as P from "./protocol.mjs";
import type { WorkerHandle, WorkerInit, WorkerTransport } from "./transport.js";

/** A worker died (or a kernel chunk threw) while running an op's chunks. */
export class WorkerCrashError extends EagerError {}

/** Options for the pool. */
export interface PoolOptions {
  /** Workers besides the calling thread. */
  readonly workers: number;
  readonly transport: WorkerTransport;
  /** A chunk running longer than this with no progress is treated as a dead worker (ms). */
  readonly stallTimeoutMs: number;
}

type Fn = (...args: number[]) => unknown;

/** Runs chunked wasm calls on the calling thread plus `workers` workers. */
export class ThreadPool {
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;
  private readonly msg: Uint8Array;
  private readonly handles: (WorkerHandle | null)[];
  private gen = 0;
  private disposed = false;
  private canBlock = true;
  /** Workers started so far (replacements included). */
  spawned = 0;
  /** Workers replaced after they died. */
  replaced = 0;
  /** Settles when the first start of every worker has (see `launch`). */
  started: Promise<void> = Promise.resolve();
  /** Chunks run so far by the calling thread, and by all threads (how the work was shared). */
  readonly chunkCounts = { caller: 0, total: 0 };

  private constructor(
    private readonly init: Omit<WorkerInit, "slot">,
    private readonly fns: readonly Fn[],
    private readonly opts: PoolOptions,
  ) {
    const buf = init.memory.buffer;
    this.ctl = new Int32Array(buf, init.control, P.CONTROL_BYTES >> 2);
    this.args = new Float64Array(buf, init.control + P.ARGS_BYTE, P.MAX_ARGS);
    this.msg = new Uint8Array(buf, init.control + P.MSG_BYTE, P.MSG_BYTES);
    this.handles = new Array(opts.workers).fill(null);
  }

  /**
   * Start the workers without waiting for them: the pool runs tasks at once, on the caller
   * and whichever workers are ready (a worker joins the next task after it starts).
   * `started` resolves when every worker has instantiated the kernels, or rejects with the
   * first that failed to.
   */
  static launch(init: Omit<WorkerInit, "slot">, fns: readonly Fn[], opts: PoolOptions): ThreadPool {
    if (opts.workers > P.MAX_WORKERS) throw new RangeError(`cpu backend: at most ${P.MAX_WORKERS} workers`);
    const pool = new ThreadPool(init, fns, opts);
    pool.started = Promise.all(pool.handles.map((_, i) => pool.spawn(i))).then(() => undefined);
    return pool;
  }

  /** Start the workers and wait until each has instantiated the kernels. */
  static async start(init: Omit<WorkerInit, "slot">, fns: readonly Fn[], opts: PoolOptions): Promise<ThreadPool> {
    const pool = ThreadPool.launch(init, fns, opts);
    await pool.started;
    return pool;
  }

  /** Threads that run chunks: the workers plus the caller. */
  get threads(): number {
    return this.opts.workers + 1;
  }

  /** Workers currently alive and ready. */
  liveWorkers(): number {
    let n = 0;
    for (let i = 0; i < this.opts.workers; i++) if (this.ctl[this.slot(i) + P.READY] === 1 && this.ctl[this.slot(i) + P.DEAD] === 0) n++;
    return n;
  }

  private slot(i: number): number {
    return P.SLOTS + i * P.SLOT_WORDS;
  }

  private spawn(i: number): Promise<void> {
    const s = this.slot(i);
    Atomics.store(this.ctl, s + P.BUSY, 0);
    Atomics.store(this.ctl, s + P.DEAD, 0);
    Atomics.store(this.ctl, s + P.READY, 0);
    this.spawned++;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      this.opts.transport
        .spawn(
          { ...this.init, slot: i },
          {
            ready: () => {
              ready = true;
              resolve();
            },
            error: () => undefined,
            exit: () => {
              Atomics.store(this.ctl, s + P.DEAD, 1);
              this.handles[i] = null;
              if (!ready) reject(new WorkerCrashError(`cpu backend: worker ${i} exited before it was ready`));
              else if (!this.disposed) {
                this.replaced++;
                void this.spawn(i).catch(() => undefined);
              }
            },
          },
        )
        .then((h) => {
          if (this.disposed) void h.terminate();
          else this.handles[i] = h;
        }, reject);
    });
  }

  /**
   * Call `fns[fn](...args, chunk)` for chunk = 0 .. chunks-1, spread over the threads.
   * Returns after all chunks are done. Chunks must write disjoint memory.
   */
  run(fn: number, args: readonly number[], chunks: number, callerFn?: Fn): void {
    if (chunks <= 0) return;
    const f = callerFn ?? this.fns[fn]!;
    if (chunks === 1 || this.opts.workers === 0 || this.disposed) {
      for (let c = 0; c < chunks; c++) f(...args, c);
      return;
    }
    if (chunks > P.MAX_CHUNKS) throw new RangeError(`cpu backend: ${chunks} chunks exceed ${P.MAX_CHUNKS}`);
    if (args.length > P.MAX_ARGS) throw new RangeError(`cpu backend: ${args.length} kernel arguments exceed ${P.MAX_ARGS}`);
    const ctl = this.ctl;
    const gen = (this.gen = (this.gen + 1) & 0x7fffffff);
    const tag = ((gen & 0xfff) << 20) | 0;
    for (let i = 0; i < args.length; i++) this.args[i] = args[i]!;
    Atomics.store(ctl, P.FN, fn);
    Atomics.store(ctl, P.NARGS, args.length);
    Atomics.store(ctl, P.NCHUNKS, chunks);
    Atomics.store(ctl, P.DONE, 0);
    Atomics.store(ctl, P.ERROR, 0);
    Atomics.store(ctl, P.CLAIM, tag);
    Atomics.store(ctl, P.GEN, gen);
    Atomics.notify(ctl, P.GEN);
    let own: unknown = null;
    const a = [...args, 0];
    this.chunkCounts.total += chunks;
    this.chunkCounts.caller += P.claimChunks(ctl, gen, (c) => {
      if (own !== null) return;
      a[args.length] = c;
      try {
        f(...a);
      } catch (e) {
        own = e;
      }
    });
    const failure = this.waitDone(chunks);
    Atomics.store(ctl, P.CLAIM, tag | 0xfffff);
    if (failure !== null) {
      this.drain();
      this.retireDead();
      throw new WorkerCrashError(`cpu backend: ${failure}; the op was not completed (the worker is being replaced)`);
    }
    if (own !== null) throw own;
    const err = Atomics.load(ctl, P.ERROR);
    if (err !== 0) {
      const end = this.msg.indexOf(0);
      const text = new TextDecoder().decode(this.msg.slice(0, end < 0 ? this.msg.length : end));
      throw new WorkerCrashError(`cpu backend: a kernel chunk threw in worker ${err - 2}: ${text}`);
    }
  }

  /** Wait until `chunks` are done; returns a failure description instead if a worker died. */
  private waitDone(chunks: number): string | null {
    const ctl = this.ctl;
    let last = Atomics.load(ctl, P.DONE);
    let lastProgress = performance.now();
    while (last < chunks) {
      for (let i = 0; i < this.opts.workers; i++) {
        const s = this.slot(i);
        if (Atomics.load(ctl, s + P.DEAD) === 1 && Atomics.load(ctl, s + P.BUSY) === 1) return `worker ${i} died while running a chunk`;
      }
      this.block(last, 20);
      const d = Atomics.load(ctl, P.DONE);
      const now = performance.now();
      if (d !== last) {
        last = d;
        lastProgress = now;
      } else if (now - lastProgress > this.opts.stallTimeoutMs) return `no chunk finished for ${this.opts.stallTimeoutMs} ms (a worker is stuck or died)`;
    }
    return null;
  }

  private block(value: number, ms: number): void {
    if (this.canBlock) {
      try {
        Atomics.wait(this.ctl, P.DONE, value, ms);
        return;
      } catch {
        this.canBlock = false;
      }
    }
    const until = performance.now() + Math.min(ms, 1);
    while (performance.now() < until && Atomics.load(this.ctl, P.DONE) === value);
  }

  /** After a failure: let live workers finish the chunks they hold, so no write lands later. */
  private drain(): void {
    const until = performance.now() + this.opts.stallTimeoutMs;
    for (let i = 0; i < this.opts.workers; i++) {
      const s = this.slot(i);
      while (Atomics.load(this.ctl, s + P.BUSY) === 1 && Atomics.load(this.ctl, s + P.DEAD) === 0 && performance.now() < until) this.block(Atomics.load(this.ctl, P.DONE), 5);
    }
  }

  /**
   * After a failure: a dead worker holds no chunk any more, so its slot is marked idle at
   * once; otherwise every later op in the same tick (before the exit event replaces the
   * worker) would see "dead and busy" and fail too. A dead slot claims nothing.
   */
  private retireDead(): void {
    for (let i = 0; i < this.opts.workers; i++) {
      const s = this.slot(i);
      if (Atomics.load(this.ctl, s + P.DEAD) === 1) Atomics.store(this.ctl, s + P.BUSY, 0);
    }
  }

  /** Test hook: the worker in `slot` exits abruptly inside the next chunk it runs. */
  crashWorkerInNextChunk(slot: number): void {
    Atomics.store(this.ctl, P.CRASH, slot + 1);
  }

  /** Test hook: terminate an idle worker from outside (it is replaced). */
  async killWorker(slot: number): Promise<void> {
    await this.handles[slot]?.terminate();
  }

  /** Wait until every slot has a live, ready worker (after replacements). */
  async whenFull(timeoutMs = 10000): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (this.liveWorkers() < this.opts.workers) {
      if (performance.now() > until) throw new WorkerCrashError(`cpu backend: only ${this.liveWorkers()} of ${this.opts.workers} workers are alive`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Stop and terminate every worker. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.ctl, P.STOP, 1);
    Atomics.add(this.ctl, P.GEN, 1);
    Atomics.notify(this.ctl, P.GEN);
    for (const h of this.handles) void h?.terminate();
  }
}
