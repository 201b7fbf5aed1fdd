import { describe, expect, it } from 'vitest';
import { checkTwinSection, MAX_TWIN_INTEGER, MIN_TWIN_INTEGER, twinSectionSize } from '../../../src/domain/twinLimits';
import { appendixADesired } from './appendixA';

/** Nests `levels` objects below the section root, as in the IoT Hub documentation's depth example. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { property: 'value' };
  for (let level = levels; level >= 1; level--) value = { [`level${level}`]: value };
  return value;
}

describe('twinSectionSize', () => {
  it.each([
    { value: 'abc', size: 3 },
    { value: 'a\u0000b\u001fc\u007f\u0085', size: 3, why: 'control characters do not count' },
    { value: 'é€😀', size: 3, why: 'characters, not bytes' },
    { value: 42, size: 8 },
    { value: 4.5, size: 8 },
    { value: false, size: 4 },
    { value: null, size: 0, why: 'null removes a key' },
    { value: { ab: 'cd' }, size: 4 },
    { value: { a: { b: 1, c: true } }, size: 1 + 1 + 8 + 1 + 4 },
    { value: { list: ['ab', 1] }, size: 4 + 2 + 8 },
    { value: { $version: 4, $metadata: { $lastUpdated: '2024-05-01T12:00:00Z' }, a: 1 }, size: 9, why: 'read-only root keys do not count' },
  ])('$value is $size bytes', ({ value, size }) => {
    expect(twinSectionSize(value)).toBe(size);
  });

  it('measures the published default configuration at 986 bytes, as domain.md Appendix A computes', () => {
    expect(twinSectionSize(appendixADesired)).toBe(986);
  });
});

describe('checkTwinSection', () => {
  it('accepts the published default configuration and IoT Hub metadata keys at the root', () => {
    expect(checkTwinSection('desired', { ...appendixADesired, $version: 12, $metadata: { $lastUpdated: 'x' } })).toEqual([]);
  });

  it('accepts the documentation example of depth 10 and rejects depth 11', () => {
    expect(checkTwinSection('tags', nested(10))).toEqual([]);
    expect(checkTwinSection('tags', nested(11))).toEqual([
      {
        path: 'tags.level1.level2.level3.level4.level5.level6.level7.level8.level9.level10.level11',
        rule: 'twin-depth',
        severity: 'error',
        message: expect.stringContaining("nests objects deeper than IoT Hub's maximum depth of 10"),
      },
    ]);
  });

  it('counts arrays as a nesting level and checks their items', () => {
    expect(checkTwinSection('tags', { a: [{ b: 'x'.repeat(4097) }] })).toEqual([expect.objectContaining({ path: 'tags.a[0].b', rule: 'twin-string-length' })]);
    const deep = nested(9);
    expect(checkTwinSection('tags', { wrap: [deep] })).toEqual([expect.objectContaining({ rule: 'twin-depth' })]);
  });

  it.each([
    { key: 'a.b', shown: '"."' },
    { key: '$custom', shown: '"$"' },
    { key: 'a b', shown: '" "' },
    { key: 'a#b', shown: '"#"' },
    { key: 'a\tb', shown: '"\\t"' },
    { key: 'a\u0085b', shown: '"\u0085"' },
  ])('rejects key $key', ({ key, shown }) => {
    expect(checkTwinSection('desired', { [key]: 1 })).toEqual([
      {
        path: `properties.desired.${key}`,
        rule: 'twin-key-character',
        severity: 'error',
        message: expect.stringContaining(`contains ${shown}: IoT Hub twin keys must not contain`),
      },
    ]);
  });

  it('refuses an empty key, which IoT Hub stores but readers of the twin may fail on', () => {
    expect(checkTwinSection('tags', { a: { '': 1 } })).toEqual([
      { path: 'tags.a.', rule: 'twin-key-empty', severity: 'error', message: 'an empty key: IoT Hub stores it, but tools and agents reading the twin may fail on it' },
    ]);
  });

  it('allows $ only for the reserved keys at the root', () => {
    expect(checkTwinSection('desired', { a: { $version: 1 } })).toEqual([expect.objectContaining({ rule: 'twin-key-character' })]);
  });

  it('accepts keys up to 1 KB of UTF-8 and rejects longer ones', () => {
    expect(checkTwinSection('tags', { ['k'.repeat(1024)]: 1 })).toEqual([]);
    expect(checkTwinSection('tags', { ['é'.repeat(513)]: 1 })).toEqual([expect.objectContaining({ rule: 'twin-key-length', message: expect.stringContaining('1024 bytes') })]);
  });

  it('accepts strings up to 4 KB of UTF-8 and rejects longer ones', () => {
    expect(checkTwinSection('tags', { s: 'x'.repeat(4096) })).toEqual([]);
    expect(checkTwinSection('tags', { s: '😀'.repeat(1025) })).toEqual([
      { path: 'tags.s', rule: 'twin-string-length', severity: 'error', message: "tags.s is a string longer than IoT Hub's limit of 4096 bytes" },
    ]);
    expect(checkTwinSection('tags', { s: '€'.repeat(1366) })).toEqual([expect.objectContaining({ rule: 'twin-string-length' })]);
    expect(checkTwinSection('tags', { s: 'ß'.repeat(2049) })).toEqual([expect.objectContaining({ rule: 'twin-string-length' })]);
  });

  it.each([
    { value: MAX_TWIN_INTEGER, ok: true },
    { value: MIN_TWIN_INTEGER, ok: true },
    { value: 0.5, ok: true },
    { value: MAX_TWIN_INTEGER + 1, ok: false },
    { value: MIN_TWIN_INTEGER - 1, ok: false },
    { value: Number.POSITIVE_INFINITY, ok: false },
    { value: Number.NaN, ok: false },
  ])('number $value is acceptable: $ok', ({ value, ok }) => {
    const issues = checkTwinSection('desired', { n: value });
    expect(issues).toEqual(ok ? [] : [expect.objectContaining({ path: 'properties.desired.n', rule: 'twin-number-range', message: expect.stringContaining('4503599627370495') })]);
  });

  it('accepts null (a removal in a patch) and booleans', () => {
    expect(checkTwinSection('desired', { gone: null, flag: true })).toEqual([]);
  });

  it.each([
    { section: 'tags' as const, limit: 8192, path: 'tags' },
    { section: 'desired' as const, limit: 32768, path: 'properties.desired' },
  ])('rejects a $section section over $limit bytes', ({ section, limit, path }) => {
    const fill = (total: number) => Object.fromEntries(Array.from({ length: Math.ceil(total / 4000) }, (_, i) => [`k${i}`, 'x'.repeat(4000)]));
    const atLimit = { ...fill(limit - 4000), last: 'y'.repeat(limit - twinSectionSize(fill(limit - 4000)) - 4) };
    expect(twinSectionSize(atLimit)).toBe(limit);
    expect(checkTwinSection(section, atLimit)).toEqual([]);
    const over = { ...atLimit, z: 'z' };
    expect(checkTwinSection(section, over)).toEqual([
      { path, rule: 'twin-section-size', severity: 'error', message: `${path} would be ${limit + 2} bytes by IoT Hub's twin size rules, over its ${limit}-byte limit: IoT Hub rejects the update` },
    ]);
  });

  it.each([null, 'x', [1]])('rejects a section that is not an object: %j', (value) => {
    expect(checkTwinSection('tags', value)).toEqual([expect.objectContaining({ path: 'tags', rule: 'twin-section-type' })]);
  });
});
