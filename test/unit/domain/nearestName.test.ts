import { describe, expect, it } from 'vitest';
import { nearestName } from '../../../src/domain/nearestName';

const names = ['maxMessageSizeInBytes', 'maxLocalCacheSizeInBytes', 'snapshotFrequency', 'eventPriorityLogin'];

describe('nearestName', () => {
  it.each([
    { name: 'MAXMESSAGESIZEINBYTES', expected: 'maxMessageSizeInBytes', why: 'same name in another case' },
    { name: 'maxMesageSizeInBytes', expected: 'maxMessageSizeInBytes', why: 'one letter missing' },
    { name: 'snapshotFrequncy', expected: 'snapshotFrequency', why: 'one letter missing' },
    { name: 'eventPriorityLogon', expected: 'eventPriorityLogin', why: 'one letter changed' },
    { name: 'maxMessageSize', expected: undefined, why: 'too many edits away to be obvious' },
    { name: 'colour', expected: undefined, why: 'nothing similar' },
    { name: '', expected: undefined, why: 'empty name' },
  ])('$name → $expected ($why)', ({ name, expected }) => {
    expect(nearestName(name, names)).toBe(expected);
  });

  it('suggests nothing when two candidates are equally close', () => {
    expect(nearestName('ab', ['ac', 'ad'])).toBeUndefined();
  });

  it('keeps the closer candidate after a tie between farther ones', () => {
    expect(nearestName('abcd', ['abxy', 'abyx', 'abcx'])).toBe('abcx');
  });
});
