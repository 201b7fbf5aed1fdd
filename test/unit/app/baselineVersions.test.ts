import { describe, expect, it } from 'vitest';
import { baselineVersions } from '../../../src/app/baselineVersions';
import type { Baseline } from '../../../src/domain/baseline';
import { testBaseline } from '../../support/baselines';

const v1 = testBaseline();

describe('baselineVersions', () => {
  it('makes sure of the default baseline first, reads each found version once, and keeps asking about missing ones', async () => {
    const reads: string[] = [];
    const stored = new Map<string, Baseline>();
    const store = { get: async (name: string, version: number) => (reads.push(`${name} v${version}`), stored.get(`${name} v${version}`)) };
    let defaultsMade = 0;
    const lookup = baselineVersions(store, async () => {
      defaultsMade++;
      stored.set('default v1', v1);
      return v1;
    });

    expect(await lookup('default', 1)).toEqual(v1);
    expect(await lookup('default', 1)).toEqual(v1);
    expect(await lookup('strict', 2)).toBeUndefined();
    expect(await lookup('strict', 2)).toBeUndefined();
    expect(reads).toEqual(['default v1', 'strict v2', 'strict v2']);
    expect(defaultsMade).toBe(3);
  });
});
