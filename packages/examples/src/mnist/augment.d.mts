/** Types of augment.mjs (MNIST shifts and rotations, run in the pool of `--augment`). */
import type { data } from "@eager/core";

export declare const MAX_SHIFT: number;
export declare const MAX_ROTATION: number;
export declare function transformImage(src: ArrayLike<number>, out: Float32Array, dx: number, dy: number, angle: number): void;
export declare function augmentBatch(batch: [data.HostTensor, data.HostTensor]): [data.HostTensor, data.HostTensor];
