import { describe, expect, it } from 'vitest';
import { DeviceIdFilter } from '../../../src/domain/deviceIdFilter';

describe('DeviceIdFilter', () => {
  it('never answers "no" for an ID it holds, and answers "maybe" for others near the rate it was sized for', () => {
    const filter = DeviceIdFilter.forCapacity(10_000, 0.01, 42);
    for (let i = 0; i < 10_000; i++) filter.add(`device-${i}`);
    for (let i = 0; i < 10_000; i++) expect(filter.mightContain(`device-${i}`)).toBe(true);
    let falsePositives = 0;
    for (let i = 0; i < 10_000; i++) if (filter.mightContain(`other-${i}`)) falsePositives++;
    expect(falsePositives).toBeLessThan(300);
  });

  it('is about 1.2 MB for a million devices at 1 %', () => {
    const filter = DeviceIdFilter.forCapacity(1_000_000, 0.01, 1);
    expect(filter.bits.length).toBeGreaterThan(1_100_000);
    expect(filter.bits.length).toBeLessThan(1_300_000);
    expect(filter.hashCount).toBe(7);
  });

  it('answers the same after being saved and restored, and differently with another seed', () => {
    const filter = DeviceIdFilter.forCapacity(100, 0.01, 7);
    filter.add('a');
    const restored = DeviceIdFilter.restore(filter.bits.slice(), filter.hashCount, filter.seed);
    expect(restored.mightContain('a')).toBe(true);
    expect(restored.mightContain('b')).toBe(filter.mightContain('b'));
    const reseeded = DeviceIdFilter.forCapacity(100, 0.01, 8);
    reseeded.add('a');
    expect(reseeded.bits).not.toEqual(filter.bits);
  });

  it('keeps a sensible size for an empty fleet', () => {
    expect(DeviceIdFilter.forCapacity(0, 0.01, 0).bits.length).toBeGreaterThanOrEqual(8);
  });
});
