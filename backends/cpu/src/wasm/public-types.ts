/**
 * WebAssembly types as the public declarations name them: the real ones wherever the user's
 * program declares WebAssembly (lib "dom"), else the shape this package relies on, so a Node
 * program type-checks against the package without DOM typings.
 */
type G = typeof globalThis;

/** `WebAssembly.Memory` (or its buffer-and-grow shape where WebAssembly is not declared). */
export type WasmMemory = G extends { WebAssembly: { Memory: { prototype: infer T } } } ? T : { readonly buffer: ArrayBuffer | SharedArrayBuffer; grow(delta: number): number };

/** `WebAssembly.Module` (an opaque object where WebAssembly is not declared). */
export type WasmModule = G extends { WebAssembly: { Module: { prototype: infer T } } } ? T : object;
