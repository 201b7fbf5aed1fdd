/** A JSON object as it arrives from a twin or an HTTP body, before anything is known about its keys. */
export type JsonObject = Record<string, unknown>;

/** True for a plain JSON object; arrays and null are JSON values too but never a configuration object. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep equality of JSON values in which object key order does not matter (IoT Hub does not preserve it),
 * array order does, and `1` equals `1.0` (they are the same JSON number).
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (!isJsonObject(a) || !isJsonObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
}
