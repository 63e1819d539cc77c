/**
 * Lookup in records keyed by names that come from outside (dtype names, op names, file
 * headers): only the record's own keys count, never names inherited from Object.prototype
 * ("toString", "__proto__", "constructor").
 */

/** True when `key` is an own property of `record` (not inherited). */
export function ownKey<T extends object>(record: T, key: unknown): key is keyof T {
  return typeof key === "string" && Object.prototype.hasOwnProperty.call(record, key);
}
