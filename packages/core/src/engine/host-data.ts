/**
 * Turning host values (numbers, booleans, nested arrays, typed arrays) into flat typed
 * arrays with a shape and dtype. Ragged arrays and non-numbers are rejected clearly.
 */
import { allocArray, castScalar, dtypeOfArray, type DType, type TypedArray } from "../dtype.js";
import { InvalidArgumentError, ShapeError } from "../errors.js";
import { shapeStr, sizeOf, validateShape } from "../shape.js";

export interface HostValues {
  readonly values: TypedArray;
  readonly shape: number[];
  readonly dtype: DType;
}

function inferShape(v: unknown, where: string): number[] {
  const shape: number[] = [];
  let cur: unknown = v;
  while (Array.isArray(cur) || ArrayBuffer.isView(cur)) {
    const len = (cur as ArrayLike<unknown>).length;
    shape.push(len);
    if (len === 0) break;
    cur = (cur as ArrayLike<unknown>)[0];
  }
  if (shape.length > 32) throw new InvalidArgumentError(`${where}: nesting deeper than 32 levels`);
  return shape;
}

function flatten(v: unknown, shape: number[], depth: number, out: number[], where: string, kinds: Set<string>): void {
  if (depth === shape.length) {
    if (typeof v === "number") kinds.add(Number.isInteger(v) ? "int" : "float");
    else if (typeof v === "boolean") kinds.add("bool");
    else throw new InvalidArgumentError(`${where}: expected a number or boolean at depth ${depth}, got ${v === null ? "null" : typeof v}`);
    out.push(Number(v));
    return;
  }
  const arr = v as ArrayLike<unknown>;
  if (!(Array.isArray(v) || ArrayBuffer.isView(v)) || arr.length !== shape[depth])
    throw new ShapeError(`${where}: ragged nested array: expected length ${shape[depth]} at depth ${depth}, got ${Array.isArray(v) ? arr.length : typeof v}`);
  for (let i = 0; i < arr.length; i++) flatten(arr[i], shape, depth + 1, out, where, kinds);
}

/**
 * Flatten host values. `dtype` forces the type; otherwise typed arrays keep theirs, booleans
 * give bool and numbers give `numberDType` (float32 unless the caller hints otherwise).
 */
export function hostValues(value: unknown, shape: readonly number[] | undefined, dtype: DType | undefined, where: string, numberDType: DType = "float32"): HostValues {
  let flat: ArrayLike<number>;
  let inferred: number[];
  let natural: DType;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const d = dtypeOfArray(value);
    if (!d) throw new InvalidArgumentError(`${where}: typed array ${value.constructor.name} is not supported; use Float32Array, Int32Array, Uint8Array or Float64Array`);
    flat = value as unknown as ArrayLike<number>;
    inferred = [flat.length];
    natural = d;
  } else {
    inferred = inferShape(value, where);
    const out: number[] = [];
    const kinds = new Set<string>();
    flatten(value, inferred, 0, out, where, kinds);
    flat = out;
    natural = kinds.has("bool") && kinds.size === 1 ? "bool" : kinds.has("float") && numberDType === "int32" ? "float32" : numberDType;
    if (kinds.has("bool") && kinds.size > 1) throw new InvalidArgumentError(`${where}: values mix booleans and numbers`);
  }
  const outDType = dtype ?? natural;
  let outShape = inferred;
  if (shape !== undefined) {
    outShape = validateShape(shape, where);
    const n = sizeOf(outShape);
    if (flat.length === 1 && n !== 1 && inferred.length === 0) {
      const fill = castScalar(flat[0]!, outDType);
      const values = allocArray(outDType, n);
      values.fill(fill);
      return { values, shape: outShape, dtype: outDType };
    }
    if (n !== flat.length) throw new ShapeError(`${where}: shape ${shapeStr(outShape)} needs ${n} values but ${flat.length} were given`);
  }
  const values = allocArray(outDType, flat.length);
  if (outDType === "bool" || outDType === "int32") for (let i = 0; i < flat.length; i++) values[i] = castScalar(flat[i]!, outDType);
  else values.set(flat);
  return { values, shape: outShape, dtype: outDType };
}
