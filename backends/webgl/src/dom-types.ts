/**
 * Canvas and WebGL types as the public declarations name them: the real ones wherever the
 * user's program declares them (lib "dom"), opaque objects elsewhere, so a Node program
 * type-checks against this package without DOM typings.
 */
type G = typeof globalThis;
type Declared<K extends string> = G extends Record<K, { prototype: infer T }> ? T : never;
type OrObject<T> = [T] extends [never] ? object : T;

/** `HTMLCanvasElement | OffscreenCanvas`. */
export type Canvas = OrObject<Declared<"HTMLCanvasElement"> | Declared<"OffscreenCanvas">>;

/** `WebGLRenderingContext | WebGL2RenderingContext`. */
export type GL = OrObject<Declared<"WebGLRenderingContext"> | Declared<"WebGL2RenderingContext">>;
