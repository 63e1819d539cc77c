/**
 * CheckpointManager: numbered checkpoints in one folder ("ckpt-12.safetensors"), keeping the
 * newest `maxToKeep` and finding the latest, so a training script resumes with two lines.
 * Node only (file access). The folder is the source of truth: nothing is cached between calls.
 */
import { platform } from "#platform";
import { InvalidArgumentError } from "../errors.js";
import { Checkpoint } from "./checkpoint.js";
import type { RestoreOptions } from "./index.js";

/** Options of CheckpointManager. */
export interface CheckpointManagerOptions {
  /** How many checkpoints to keep; older ones are deleted after each save (default 5; Infinity keeps all). */
  readonly maxToKeep?: number;
  /** File name prefix (default "ckpt"): files are `${prefix}-${number}.safetensors`. */
  readonly prefix?: string;
}

/**
 * @example
 * const manager = new train.CheckpointManager(new train.Checkpoint({ model, optimizer }), "out/ckpts", { maxToKeep: 3 });
 * await manager.restoreLatest(); // null on the first run
 * for (let epoch = 0; epoch < 10; epoch++) { trainOneEpoch(); await manager.save(epoch); }
 */
export class CheckpointManager {
  readonly maxToKeep: number;
  readonly prefix: string;
  constructor(
    readonly checkpoint: Checkpoint,
    readonly directory: string,
    options: CheckpointManagerOptions = {},
  ) {
    if (!(checkpoint instanceof Checkpoint)) throw new InvalidArgumentError("CheckpointManager: the first argument must be a Checkpoint");
    if (typeof directory !== "string" || directory === "") throw new InvalidArgumentError("CheckpointManager: directory must be a non-empty string");
    this.maxToKeep = options.maxToKeep ?? 5;
    if (!(this.maxToKeep >= 1) || (Number.isFinite(this.maxToKeep) && !Number.isInteger(this.maxToKeep)))
      throw new InvalidArgumentError(`CheckpointManager: maxToKeep must be an integer >= 1 or Infinity, got ${options.maxToKeep}`);
    this.prefix = options.prefix ?? "ckpt";
    if (!/^[A-Za-z0-9_.\-]+$/.test(this.prefix)) throw new InvalidArgumentError(`CheckpointManager: prefix must be letters, digits, "_", "-" or ".", got ${JSON.stringify(this.prefix)}`);
  }

  /** Paths of the checkpoints in the folder, oldest (lowest number) first. */
  async checkpoints(): Promise<string[]> {
    const names = await platform.listDir(this.directory);
    const re = new RegExp(`^${this.prefix.replace(/[.\-]/g, "\\$&")}-(\\d+)\\.safetensors$`);
    return names
      .map((n) => [n, re.exec(n)] as const)
      .filter((p): p is readonly [string, RegExpExecArray] => p[1] !== null)
      .sort((a, b) => Number(a[1][1]) - Number(b[1][1]))
      .map(([n]) => platform.joinPath(this.directory, n));
  }

  /** The newest checkpoint's path, or null when there is none. */
  async latest(): Promise<string | null> {
    const all = await this.checkpoints();
    return all.length ? all[all.length - 1]! : null;
  }

  /**
   * Save a checkpoint numbered `number` (default: one past the newest), then delete the oldest
   * beyond `maxToKeep`. Returns its path.
   */
  async save(number?: number): Promise<string> {
    const all = await this.checkpoints();
    const last = all.length ? Number(/-(\d+)\.safetensors$/.exec(all[all.length - 1]!)![1]) : -1;
    const n = number ?? last + 1;
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`CheckpointManager.save: number must be an integer >= 0, got ${number}`);
    const path = await this.checkpoint.save(platform.joinPath(this.directory, `${this.prefix}-${n}.safetensors`));
    const now = await this.checkpoints();
    for (const old of now.slice(0, Math.max(0, now.length - this.maxToKeep))) await platform.removeFile(old);
    return path;
  }

  /** Restore the newest checkpoint, if any. Returns its path, or null when the folder has none. */
  async restoreLatest(options: RestoreOptions = {}): Promise<string | null> {
    const path = await this.latest();
    if (path) await this.checkpoint.restore(path, options);
    return path;
  }
}
