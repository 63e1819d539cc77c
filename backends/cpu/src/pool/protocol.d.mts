/** Types for protocol.mjs: the control block shared by the caller and the workers. */
export declare const GEN: number;
export declare const CLAIM: number;
export declare const DONE: number;
export declare const NCHUNKS: number;
export declare const FN: number;
export declare const NARGS: number;
export declare const ERROR: number;
export declare const STOP: number;
export declare const CRASH: number;
export declare const SLOTS: number;
export declare const SLOT_WORDS: number;
export declare const MAX_WORKERS: number;
export declare const ARGS_BYTE: number;
export declare const MAX_ARGS: number;
export declare const MSG_BYTE: number;
export declare const MSG_BYTES: number;
export declare const CONTROL_BYTES: number;
export declare const MAX_CHUNKS: number;
export declare const BUSY: number;
export declare const DEAD: number;
export declare const READY: number;
/** Claim and run chunks of generation `gen` until none are left; returns how many ran here. */
export declare function claimChunks(ctl: Int32Array, gen: number, run: (chunk: number) => void): number;
