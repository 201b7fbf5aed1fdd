// JSON merge-patch (RFC 7396) as IoT Hub applies a twin PATCH to tags and desired properties
// (iot-hub-devguide-device-twins.md, "Partially update device twin": "Properties set to null are removed. No
// other changes are made"): objects merge key by key, null removes a key, anything else (scalars, arrays)
// replaces, and a patch object applied to a non-object starts from {}.
//
// The one implementation in the repository: the simulator's twin writes (twin.ts), the TwinRegistry fake
// (test/support/fakes) and the domain's unit tests all merge with it, so the hub's stand-ins and the tests
// that check the product's patches cannot disagree about what a patch does.

/** A JSON object whose members are of type V: JsonValue in the simulator, unknown where a port types JSON so. */
export type JsonMembers<V> = { readonly [key: string]: V };

function isJsonObject(value: unknown): value is JsonMembers<unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own-property read: a key such as "constructor" must not resolve to Object.prototype members. */
function ownMember<V>(object: JsonMembers<V>, key: string): V | undefined {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

/** `__proto__` is an ordinary twin key: define it, since assigning it would replace the prototype. */
function setMember<V>(object: { [key: string]: V }, key: string, value: V): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

/**
 * Merges `patch` into the object `current` without touching either: nodes on the path of a change are new,
 * untouched subtrees are shared with `current` (the simulator's copy-on-write twin storage relies on it),
 * values taken from the patch are copied. Key order is what merging in place would give: existing keys keep
 * their position, new keys follow in patch order.
 */
export function mergePatch<V>(current: JsonMembers<V> | undefined, patch: JsonMembers<V>): { [key: string]: V } {
  const result: { [key: string]: V } = {};
  if (current !== undefined) {
    for (const key of Object.keys(current)) {
      const change = ownMember(patch, key);
      if (change === undefined) setMember(result, key, current[key] as V);
      // Merging members of V-typed objects gives a V: JSON in, JSON out.
      else if (change !== null) setMember(result, key, applyMergePatch(current[key], change) as V);
    }
  }
  for (const key of Object.keys(patch)) {
    if (current !== undefined && ownMember(current, key) !== undefined) continue;
    const change = patch[key] as V;
    if (change !== null) setMember(result, key, applyMergePatch(undefined, change) as V);
  }
  return result;
}

/** RFC 7396's MergePatch(Target, Patch) for any JSON value, e.g. a whole twin document and a PATCH body. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (isJsonObject(patch)) return mergePatch(isJsonObject(target) ? target : undefined, patch);
  // structuredClone defines members, so an object inside an array keeps a `__proto__` key as a key.
  return Array.isArray(patch) ? structuredClone(patch) : patch;
}
