// Twin document rules (iot-hub-devguide-device-twins.md "Tags and properties format"; domain.md §4.4).
//
// Error codes: a body that is not JSON, or whose parts have the wrong JSON type, is 400006 IotHubFormatError
// (it can't be read as a twin at all); a readable body that breaks a rule below is 400004 ArgumentInvalid,
// which is what the service answered for invalid key characters in the one captured case (azure-iot-sdk-java
// issue #243: {"errorCode":400004,..."Property or Tag name has invalid characters..."}). A missing body is
// 400005 ArgumentNull.
import { HubError } from './errors';
import { isJsonObject, type JsonObject, type JsonValue } from './json';

export type TwinSectionName = 'tags' | 'desired' | 'reported';

export const TWIN_LIMITS = {
  /** Bytes (by the documented size rule) per section. */
  sectionSize: { tags: 8 * 1024, desired: 32 * 1024, reported: 32 * 1024 } as Record<TwinSectionName, number>,
  /** Nesting depth of objects below the section root ("one" … "ten" in the docs' example is valid). */
  maxDepth: 10,
  /** UTF-8 bytes per key. */
  maxKeyBytes: 1024,
  /** UTF-8 bytes per string value. */
  maxStringBytes: 4 * 1024,
  minInteger: -4503599627370496,
  maxInteger: 4503599627370495,
} as const;

// Docs: no C0/C1 control characters, '.', '$' or SP in keys. The service also rejects '#'
// ("Must not contain Control Characters, '.', '$', '#', or ' '" — azure-iot-sdk-java issue #243), so it does here.
// An empty key is accepted, as the service does (azure-iot-sdk-java issue #1754 / PR #1756). Every case, with its
// source, is in test/support/twinKeyCases.ts, checked against these rules and the product's.
// eslint-disable-next-line no-control-regex
const INVALID_KEY_CHARACTER = /[\u0000-\u001f\u007f-\u009f.$# ]/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

function describePath(section: TwinSectionName, path: readonly string[]): string {
  return [section === 'tags' ? 'tags' : `properties.${section}`, ...path].join('.');
}

/** Key, value-type, string-length and integer-range rules, checked on what the caller sent (nulls allowed in patches). */
export function validateTwinValues(section: TwinSectionName, value: JsonObject, allowNull: boolean): void {
  const visit = (node: JsonValue, path: string[]): void => {
    if (node === null) {
      if (!allowNull) throw new HubError('ArgumentInvalid', `${describePath(section, path)} is null; null is only allowed in a patch, where it removes the property`);
      return;
    }
    if (typeof node === 'string') {
      if (Buffer.byteLength(node, 'utf8') > TWIN_LIMITS.maxStringBytes) {
        throw new HubError('ArgumentInvalid', `String value of ${describePath(section, path)} exceeds the maximum length of ${TWIN_LIMITS.maxStringBytes} bytes`);
      }
      return;
    }
    if (typeof node === 'number') {
      if (Number.isInteger(node) && (node < TWIN_LIMITS.minInteger || node > TWIN_LIMITS.maxInteger)) {
        throw new HubError('ArgumentInvalid', `Integer value of ${describePath(section, path)} is outside [${TWIN_LIMITS.minInteger}, ${TWIN_LIMITS.maxInteger}]`);
      }
      return;
    }
    if (typeof node === 'boolean') return;
    if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, [...path, String(index)]));
      return;
    }
    for (const [key, child] of Object.entries(node)) {
      // '__proto__' is a legal twin key, but assigning it to a plain object rewrites the prototype; the simulator
      // rejects it rather than store documents through null-prototype objects everywhere.
      if (INVALID_KEY_CHARACTER.test(key) || key === '__proto__') {
        throw new HubError(
          'ArgumentInvalid',
          `Property or Tag name has invalid characters. Error in Property/Tag '${key}' at ${describePath(section, path)}. Must not contain Control Characters, '.', '$', '#', or ' '.`,
        );
      }
      if (Buffer.byteLength(key, 'utf8') > TWIN_LIMITS.maxKeyBytes) {
        throw new HubError('ArgumentInvalid', `Property or Tag name '${key.slice(0, 32)}…' at ${describePath(section, path)} exceeds the maximum length of ${TWIN_LIMITS.maxKeyBytes} bytes`);
      }
      // Patches may nest nulls (removals) at any level; the final document never holds null.
      if (child === null && allowNull) continue;
      visit(child, [...path, key]);
    }
  };
  visit(value, []);
}

/** Depth of nested objects/arrays below `value` (a leaf is 0, `{a: 1}` is 1). */
function depthOf(value: JsonValue): number {
  if (value === null || typeof value !== 'object') return 0;
  let deepest = 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  for (const child of children) deepest = Math.max(deepest, depthOf(child));
  return deepest + 1;
}

/**
 * The documented size rule: Σ over properties of key length + value size; strings count characters
 * excluding C0/C1 control characters; numbers 8 bytes; booleans 4 bytes; objects the sum of their contents.
 * Read-only $version/$metadata are not part of the stored value, so they never count.
 */
export function twinSize(value: JsonValue): number {
  if (value === null) return 0;
  if (typeof value === 'string') return [...value.replace(CONTROL_CHARACTERS, '')].length;
  if (typeof value === 'number') return 8;
  if (typeof value === 'boolean') return 4;
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + twinSize(item), 0);
  let size = 0;
  for (const [key, child] of Object.entries(value)) size += twinSize(key) + twinSize(child);
  return size;
}

/** Depth and size rules, checked on the document as it would be after the operation. */
export function validateTwinSection(section: TwinSectionName, value: JsonObject): void {
  for (const [key, child] of Object.entries(value)) {
    if (depthOf(child) > TWIN_LIMITS.maxDepth) {
      throw new HubError('ArgumentInvalid', `${describePath(section, [key])} exceeds the maximum object depth of ${TWIN_LIMITS.maxDepth}`);
    }
  }
  const size = twinSize(value);
  const limit = TWIN_LIMITS.sectionSize[section];
  if (size > limit) {
    throw new HubError('ArgumentInvalid', `Twin ${section === 'tags' ? 'tags' : `${section} properties`} size ${size} bytes exceeds the limit of ${limit} bytes`);
  }
}

/** Shape check for a section in a request body. */
export function asSectionObject(value: JsonValue | undefined, what: string): JsonObject | undefined {
  if (value === undefined) return undefined;
  if (!isJsonObject(value)) throw new HubError('IotHubFormatError', `${what} must be a JSON object`);
  return value;
}
