import { describe, expect, it } from 'vitest';
import { nearestName } from '../../../src/domain/nearestName';

describe('nearestName', () => {
  it('finds', () => {
    expect(nearestName('maxMessageSize', ['maxMessageSizeInBytes', 'x'])).toBe(undefined);
    expect(nearestName('MAXmessagesizeinbytes', ['maxMessageSizeInBytes', 'x'])).toBe('maxMessageSizeInBytes');
    expect(nearestName('maxMesageSizeInBytes', ['maxMessageSizeInBytes', 'x'])).toBe('maxMessageSizeInBytes');
    expect(nearestName('ab', ['ac', 'ad'])).toBe(undefined);
  });
});
