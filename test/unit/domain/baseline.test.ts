import { describe, expect, it } from 'vitest';
import { isBaselineName, isBaselineVersion } from '../../../src/domain/baseline';

describe('isBaselineName', () => {
  it.each(['default', 'a', '0', 'factory-floor-2', 'a'.repeat(63), 'x-'])('accepts %j', (name) => {
    expect(isBaselineName(name)).toBe(true);
  });

  it.each(['', '-default', 'Default', 'factory floor', 'a_b', 'a.b', "o'neil", 'a'.repeat(64), 42, undefined])('rejects %j', (name) => {
    expect(isBaselineName(name)).toBe(false);
  });
});

describe('isBaselineVersion', () => {
  it.each([1, 2, 9007199254740991])('accepts %j', (version) => {
    expect(isBaselineVersion(version)).toBe(true);
  });

  it.each([0, -1, 1.5, '1', 9007199254740992, Number.NaN, null])('rejects %j', (version) => {
    expect(isBaselineVersion(version)).toBe(false);
  });
});
