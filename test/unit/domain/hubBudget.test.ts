import { describe, expect, it } from 'vitest';
import { hubBudget, shareOf } from '../../../src/domain/hubBudget';

describe('hubBudget', () => {
  it.each([
    ['S1', 1, { identityOperationsPerSecond: 100 / 60, queriesPerSecond: 20 / 60, twinReadsPerSecond: 100, twinUpdatesPerSecond: 50 }],
    ['S1', 4, { identityOperationsPerSecond: 400 / 60, queriesPerSecond: 80 / 60, twinReadsPerSecond: 100, twinUpdatesPerSecond: 50 }],
    ['F1', 1, { identityOperationsPerSecond: 100 / 60, queriesPerSecond: 20 / 60, twinReadsPerSecond: 100, twinUpdatesPerSecond: 50 }],
    ['S2', 20, { identityOperationsPerSecond: 2_000 / 60, queriesPerSecond: 400 / 60, twinReadsPerSecond: 200, twinUpdatesPerSecond: 100 }],
    ['S3', 2, { identityOperationsPerSecond: 10_000 / 60, queriesPerSecond: 2_000 / 60, twinReadsPerSecond: 1_000, twinUpdatesPerSecond: 500 }],
  ] as const)('%s × %i unit(s)', (tier, units, expected) => {
    const budget = hubBudget(tier, units);
    for (const [rate, value] of Object.entries(expected)) expect(budget[rate as keyof typeof budget], rate).toBeCloseTo(value, 9);
  });

  it('gives a flow its share of every rate, and counts at least one unit', () => {
    const share = shareOf(hubBudget('S3', 1), 20);
    expect(share.identityOperationsPerSecond).toBeCloseTo(5_000 / 60 / 5, 9);
    expect(share.queriesPerSecond).toBeCloseTo(1_000 / 60 / 5, 9);
    expect(share.twinReadsPerSecond).toBeCloseTo(100, 9);
    expect(share.twinUpdatesPerSecond).toBeCloseTo(50, 9);
    expect(hubBudget('S3', 0)).toEqual(hubBudget('S3', 1));
  });
});
