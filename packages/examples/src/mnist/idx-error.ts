/** The error an IDX reader throws: the buffer or file is malformed, truncated or too large. */
import { EagerError } from "@eager/core";

/** An IDX buffer is malformed: bad magic, unknown dtype, or a length that does not match. */
export class IdxFormatError extends EagerError {}
