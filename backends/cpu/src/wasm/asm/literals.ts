/**
 * Number literals of the WebAssembly text format: integers (decimal or hex, `_` separators,
 * signed or unsigned range) and floats (decimal, hex, `inf`, `nan`, `nan:0x...`), rounded to
 * nearest-even exactly as the text format requires (double rounding through float64 is avoided).
 */

/** A malformed or out-of-range literal. */
export class LiteralError extends Error {
  override name = "LiteralError";
}

const DEC = /^[+-]?\d(?:_?\d)*$/;
const HEX = /^[+-]?0x[0-9a-fA-F](?:_?[0-9a-fA-F])*$/;

/** An integer literal's value, or null when `text` is not one. */
export function intValue(text: string): bigint | null {
  if (DEC.test(text)) return BigInt(text.replace(/_/g, "").replace(/^\+/, ""));
  if (!HEX.test(text)) return null;
  const neg = text.startsWith("-");
  const v = BigInt(text.replace(/_/g, "").replace(/^[+-]/, ""));
  return neg ? -v : v;
}

/** An integer literal of `bits` bits (signed or unsigned range), as its unsigned bit pattern. */
export function intBits(text: string, bits: number): bigint {
  const v = intValue(text);
  if (v === null) throw new LiteralError(`'${text}' is not an integer literal`);
  if (v < -(1n << BigInt(bits - 1)) || v >= 1n << BigInt(bits)) throw new LiteralError(`integer '${text}' is out of the ${bits}-bit range`);
  return BigInt.asUintN(bits, v);
}

/** An i32 literal (signed or unsigned range) as a signed 32-bit number. */
export function i32Value(text: string): number {
  if (/^-?\d{1,9}$/.test(text)) return Number(text); // the common case, exact as a number
  return Number(BigInt.asIntN(32, intBits(text, 32)));
}

/** An unsigned 32-bit literal (an index, a lane, an offset, a size). */
export function u32Value(text: string): number {
  if (/^\d{1,9}$/.test(text)) return Number(text);
  const v = intValue(text);
  if (v === null || v < 0n || v >= 1n << 32n) throw new LiteralError(`'${text}' is not an unsigned 32-bit integer`);
  return Number(v);
}

interface FloatFormat {
  readonly mant: number; // stored mantissa bits
  readonly exp: number; // exponent bits
  readonly name: string;
}
const F32: FloatFormat = { mant: 23, exp: 8, name: "f32" };
const F64: FloatFormat = { mant: 52, exp: 11, name: "f64" };

const bitLength = (m: bigint): number => m.toString(2).length;

/** The bits of (-1)^neg * m * 2^e rounded to nearest-even in `f`; throws when it overflows. */
function roundBinary(neg: boolean, m: bigint, e: number, f: FloatFormat, text: string): bigint {
  const sign = neg ? 1n << BigInt(f.mant + f.exp) : 0n;
  if (m === 0n) return sign;
  const bias = (1 << (f.exp - 1)) - 1;
  const top = e + bitLength(m) - 1; // exponent of the leading bit
  let q = Math.max(top - f.mant, 1 - bias - f.mant); // exponent of the last kept bit
  let mant: bigint;
  if (e >= q) mant = m << BigInt(e - q);
  else {
    const s = BigInt(q - e);
    mant = m >> s;
    const rest = m - (mant << s);
    const half = 1n << (s - 1n);
    if (rest > half || (rest === half && (mant & 1n) === 1n)) mant += 1n;
  }
  if (mant >> BigInt(f.mant + 1) !== 0n) {
    mant >>= 1n;
    q++;
  }
  const field = mant >> BigInt(f.mant) === 0n ? 0 : q + f.mant + bias;
  if (field >= (1 << f.exp) - 1) throw new LiteralError(`'${text}' is out of the ${f.name} range`);
  return sign | (BigInt(field) << BigInt(f.mant)) | (mant & ((1n << BigInt(f.mant)) - 1n));
}

/** Exact bits of a decimal literal (digits `int`.`frac` e`exp`) in `f`. */
function decimalBits(neg: boolean, digits: string, exp10: number, f: FloatFormat, text: string): bigint {
  const d = BigInt(digits);
  if (exp10 >= 0) return roundBinary(neg, d * 10n ** BigInt(exp10), 0, f, text);
  const den = 10n ** BigInt(-exp10);
  const k = Math.max(0, bitLength(den) - bitLength(d) + f.mant + 4);
  const num = d << BigInt(k);
  const q = num / den;
  const sticky = num % den === 0n ? 0n : 1n;
  return roundBinary(neg, (q << 1n) | sticky, -k - 1, f, text);
}

const DEC_FLOAT = /^([+-]?)(\d(?:_?\d)*)(?:\.(\d(?:_?\d)*)?)?(?:[eE]([+-]?\d(?:_?\d)*))?$/;
const HEX_FLOAT = /^([+-]?)0x([0-9a-fA-F](?:_?[0-9a-fA-F])*)(?:\.([0-9a-fA-F](?:_?[0-9a-fA-F])*)?)?(?:[pP]([+-]?\d(?:_?\d)*))?$/;

/** The bits of a float literal in format `f`. */
function floatBits(text: string, f: FloatFormat): bigint {
  const neg = text.startsWith("-");
  const body = text.replace(/^[+-]/, "");
  const signBit = neg ? 1n << BigInt(f.mant + f.exp) : 0n;
  const expAll = ((1n << BigInt(f.exp)) - 1n) << BigInt(f.mant);
  if (body === "inf") return signBit | expAll;
  if (body === "nan") return signBit | expAll | (1n << BigInt(f.mant - 1));
  if (body.startsWith("nan:0x")) {
    const payload = intValue(body.slice(4));
    if (payload === null || payload < 1n || payload >= 1n << BigInt(f.mant)) throw new LiteralError(`bad NaN payload in '${text}'`);
    return signBit | expAll | payload;
  }
  let m = DEC_FLOAT.exec(text);
  if (m) {
    const frac = (m[3] ?? "").replace(/_/g, "");
    const exp = Number((m[4] ?? "0").replace(/_/g, ""));
    return decimalBits(neg, m[2]!.replace(/_/g, "") + frac, exp - frac.length, f, text);
  }
  m = HEX_FLOAT.exec(text);
  if (m) {
    const frac = (m[3] ?? "").replace(/_/g, "");
    const exp = Number((m[4] ?? "0").replace(/_/g, ""));
    return roundBinary(neg, BigInt("0x" + m[2]!.replace(/_/g, "") + frac), exp - 4 * frac.length, f, text);
  }
  throw new LiteralError(`'${text}' is not a float literal`);
}

const scratch = new DataView(new ArrayBuffer(8));
const PLAIN = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/;

/** An f32 literal's bits (unsigned 32-bit). */
export function f32Bits(text: string): number {
  if (PLAIN.test(text)) {
    // Fast path: float64 then float32 rounds the same as direct rounding unless the float64
    // value lands exactly halfway between two float32 values; then round exactly.
    const v = Number(text);
    const r = Math.fround(v);
    if (Number.isFinite(r)) {
      scratch.setFloat32(0, r);
      const bits = scratch.getUint32(0);
      if (r === v) return bits;
      scratch.setUint32(0, Math.abs(v) > Math.abs(r) ? bits + 1 : bits - 1);
      const other = scratch.getFloat32(0);
      if ((r + other) / 2 !== v) return bits;
    }
  }
  return Number(floatBits(text, F32));
}

/** An f64 literal's bits (unsigned 64-bit). */
export function f64Bits(text: string): bigint {
  if (PLAIN.test(text)) {
    const v = Number(text); // correctly rounded decimal to float64
    if (Number.isFinite(v)) {
      scratch.setFloat64(0, v);
      return scratch.getBigUint64(0);
    }
  }
  return floatBits(text, F64);
}
