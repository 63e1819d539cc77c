/**
 * Errors the WebGL backend throws. Each message names the op (or the read) and what was
 * wrong; none is ever replaced by a silently wrong value.
 */

/** Base class of the backend's errors. */
export class WebGlBackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The WebGL context was lost: every texture on it is gone, so no op can give right values. */
export class WebGlContextLostError extends WebGlBackendError {}

/** A tensor is larger than the backend handles (texture area, float32-exact indexing). */
export class WebGlLimitError extends WebGlBackendError {}

/** An index input holds a value outside its range (the reference backend rejects it too). */
export class WebGlIndexError extends WebGlBackendError {}
