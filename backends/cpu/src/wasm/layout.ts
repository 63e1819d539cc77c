/**
 * Constants shared by the kernel text (build time) and the backend (run time); changing one
 * changes the prebuilt kernels, which the build regenerates.
 */

/** WebAssembly pages (64 KiB) the memory may grow to: 2 GiB, the i32 address space we use. */
export const MAX_PAGES = 32768;
/** Rows of the matmul micro-kernel. */
export const MATMUL_MR = 4;
