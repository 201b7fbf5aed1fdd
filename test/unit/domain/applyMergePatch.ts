// JSON merge patch (RFC 7386) as IoT Hub applies a twin PATCH: objects merge key by key, `null` removes a
// key, anything else (scalars, arrays) replaces; a patch object applied to a non-object starts from {}.
// Written independently of the domain code so the tests check the domain's patches against the rule itself.
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const base: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete base[key];
    else Object.defineProperty(base, key, { value: applyMergePatch(base[key], value), enumerable: true, writable: true, configurable: true });
  }
  return base;
}
