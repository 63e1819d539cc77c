/** A growable byte buffer with the WebAssembly binary encodings: LEB128 integers, floats, names, vectors. */

/** Bytes written in order; `bytes()` returns what was written. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  /** Bytes written so far. */
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  /** One byte. */
  byte(b: number): void {
    this.room(1);
    this.buf[this.length++] = b;
  }

  /** Bytes as given. */
  bytes(bs: ArrayLike<number>): void {
    this.room(bs.length);
    this.buf.set(bs, this.length);
    this.length += bs.length;
  }

  /** Unsigned LEB128 of a number below 2^32. */
  u32(n: number): void {
    do {
      let b = n & 0x7f;
      n = Math.floor(n / 128);
      if (n !== 0) b |= 0x80;
      this.byte(b);
    } while (n !== 0);
  }

  /** Signed LEB128 of a 32-bit integer. */
  s32(n: number): void {
    n |= 0;
    for (;;) {
      const b = n & 0x7f;
      n >>= 7;
      if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
        this.byte(b);
        return;
      }
      this.byte(b | 0x80);
    }
  }

  /** Signed LEB128 of a 64-bit integer (given as its bit pattern or a signed value). */
  s64(v: bigint): void {
    let n = BigInt.asIntN(64, v);
    for (;;) {
      const b = Number(n & 0x7fn);
      n >>= 7n;
      if ((n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0)) {
        this.byte(b);
        return;
      }
      this.byte(b | 0x80);
    }
  }

  /** A little-endian unsigned integer of `size` bytes (up to 8), from its bit pattern. */
  fixed(v: bigint | number, size: number): void {
    let n = BigInt(v);
    for (let i = 0; i < size; i++) {
      this.byte(Number(n & 0xffn));
      n >>= 8n;
    }
  }

  /** A 32-bit little-endian word (f32 bits, i32x4 lanes). */
  word(v: number): void {
    this.byte(v & 0xff);
    this.byte((v >>> 8) & 0xff);
    this.byte((v >>> 16) & 0xff);
    this.byte((v >>> 24) & 0xff);
  }

  /** A length-prefixed byte string (names). */
  name(bs: Uint8Array): void {
    this.u32(bs.length);
    this.bytes(bs);
  }

  /** The bytes written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
