import { describeValue } from './describeValue';
import { isJsonObject } from './jsonValue';
import { errorIssue, type ValidationIssue } from './validationIssue';

/**
 * IoT Hub's rules for twin documents (domain.md §4.4; DOCS iot-hub-devguide-device-twins.md). IoT Hub
 * rejects a whole PATCH that breaks any of them, so the product checks what it is about to write first
 * and reports the rule instead of an opaque 400. Only the product's own part of a section is seen here:
 * other writers may use up some of the same budget. Every case, with its source, is in one table
 * (test/support/twinKeyCases.ts) checked against these rules and the simulator's; where the product is
 * stricter than the hub (an empty key) the table says why.
 */

export type TwinSection = 'tags' | 'desired';

/** Size limits in bytes: tags 8 KB, desired properties 32 KB. */
export const TWIN_SECTION_SIZE_LIMITS: Readonly<Record<TwinSection, number>> = { tags: 8 * 1024, desired: 32 * 1024 };
export const MAX_TWIN_DEPTH = 10;
export const MAX_TWIN_KEY_BYTES = 1024;
export const MAX_TWIN_STRING_BYTES = 4 * 1024;
export const MIN_TWIN_INTEGER = -4_503_599_627_370_496;
export const MAX_TWIN_INTEGER = 4_503_599_627_370_495;

/**
 * Read-only keys IoT Hub keeps at the root of `desired`; they are the only keys allowed to start with `$`
 * and do not count towards the size limit.
 */
const RESERVED_ROOT_KEYS: ReadonlySet<string> = new Set(['$metadata', '$version']);

/** Unicode control characters, C0 and C1 (general category Cc, which includes DEL). */
function isControlCharacter(character: string): boolean {
  const codePoint = character.codePointAt(0) as number;
  return codePoint <= 0x1f || (codePoint >= 0x7f && codePoint <= 0x9f);
}

/**
 * The first character IoT Hub does not allow in a twin key, if any: the documented ".", "$", space and control
 * characters, and "#", which the service rejects although the documentation does not say so.
 */
function forbiddenKeyCharacter(key: string): string | undefined {
  return Array.from(key).find((character) => character === '.' || character === '$' || character === '#' || character === ' ' || isControlCharacter(character));
}

const SECTION_PATH: Readonly<Record<TwinSection, string>> = { tags: 'tags', desired: 'properties.desired' };

/**
 * Size of a twin value by IoT Hub's documented rule: each property counts its key length plus its value;
 * strings count their characters excluding control characters, numbers 8 bytes, booleans 4 bytes, nested
 * objects (and arrays) the sum of what they contain. `null` counts nothing: in a patch it removes a key.
 */
export function twinSectionSize(value: unknown): number {
  return sizeOf(value, true);
}

function sizeOf(value: unknown, atRoot: boolean): number {
  if (typeof value === 'string') return characterCount(value);
  if (typeof value === 'number') return 8;
  if (typeof value === 'boolean') return 4;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + sizeOf(item, false), 0);
  if (!isJsonObject(value)) return 0;
  return Object.entries(value)
    .filter(([key]) => !(atRoot && RESERVED_ROOT_KEYS.has(key)))
    .reduce((sum, [key, item]) => sum + characterCount(key) + sizeOf(item, false), 0);
}

function characterCount(text: string): number {
  let count = 0;
  for (const character of text) if (!isControlCharacter(character)) count++;
  return count;
}

/** UTF-8 encoded length, which is what the per-key and per-string limits are stated in. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (const character of text) {
    const codePoint = character.codePointAt(0) as number;
    bytes += codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/**
 * Every rule a value written to `tags` or `properties.desired` must meet: section size, nesting depth,
 * key length and characters, string length, and the integer range IoT Hub can store exactly.
 */
export function checkTwinSection(section: TwinSection, value: unknown): ValidationIssue[] {
  const root = SECTION_PATH[section];
  if (!isJsonObject(value)) {
    return [errorIssue(root, 'twin-section-type', `${root} must be a JSON object, not ${describeValue(value)}`)];
  }
  const issues: ValidationIssue[] = [];
  checkObject(value, root, 0, true, issues);
  const size = twinSectionSize(value);
  const limit = TWIN_SECTION_SIZE_LIMITS[section];
  if (size > limit) {
    issues.push(
      errorIssue(root, 'twin-section-size', `${root} would be ${size} bytes by IoT Hub's twin size rules, over its ${limit}-byte limit: IoT Hub rejects the update`),
    );
  }
  return issues;
}

function checkObject(value: Record<string, unknown>, path: string, depth: number, atRoot: boolean, issues: ValidationIssue[]): void {
  for (const [key, item] of Object.entries(value)) {
    if (atRoot && RESERVED_ROOT_KEYS.has(key)) continue;
    const keyPath = `${path}.${key}`;
    if (key === '') {
      // IoT Hub stores it, but readers of the twin have failed on it (the Java service SDK until 2023).
      issues.push(errorIssue(keyPath, 'twin-key-empty', 'an empty key: IoT Hub stores it, but tools and agents reading the twin may fail on it'));
    }
    if (utf8Length(key) > MAX_TWIN_KEY_BYTES) {
      issues.push(errorIssue(keyPath, 'twin-key-length', `key ${describeValue(key)} is longer than IoT Hub's limit of ${MAX_TWIN_KEY_BYTES} bytes`));
    }
    const forbidden = forbiddenKeyCharacter(key);
    if (forbidden !== undefined) {
      issues.push(
        errorIssue(keyPath, 'twin-key-character', `key ${describeValue(key)} contains ${describeValue(forbidden)}: IoT Hub twin keys must not contain ".", "$", "#", spaces or control characters`),
      );
    }
    checkValue(item, keyPath, depth, issues);
  }
}

function checkValue(value: unknown, path: string, depth: number, issues: ValidationIssue[]): void {
  if (isJsonObject(value) || Array.isArray(value)) {
    // The section object is depth 0; the documentation's valid example nests ten objects below `tags`.
    if (depth + 1 > MAX_TWIN_DEPTH) {
      issues.push(errorIssue(path, 'twin-depth', `${path} nests objects deeper than IoT Hub's maximum depth of ${MAX_TWIN_DEPTH}`));
      return;
    }
    if (Array.isArray(value)) value.forEach((item, i) => checkValue(item, `${path}[${i}]`, depth + 1, issues));
    else checkObject(value, path, depth + 1, false, issues);
    return;
  }
  if (typeof value === 'string' && utf8Length(value) > MAX_TWIN_STRING_BYTES) {
    issues.push(errorIssue(path, 'twin-string-length', `${path} is a string longer than IoT Hub's limit of ${MAX_TWIN_STRING_BYTES} bytes`));
  }
  if (typeof value === 'number' && (!Number.isFinite(value) || (Number.isInteger(value) && (value < MIN_TWIN_INTEGER || value > MAX_TWIN_INTEGER)))) {
    issues.push(
      errorIssue(path, 'twin-number-range', `${path} (${describeValue(value)}) is not a number IoT Hub can store: integers must lie between ${MIN_TWIN_INTEGER} and ${MAX_TWIN_INTEGER}`),
    );
  }
}
