import { describe, expect, it } from 'vitest';
import { describeValue } from '../../../src/domain/describeValue';

describe('describeValue', () => {
  it.each([
    { value: 204800, shown: '204800' },
    { value: true, shown: 'true' },
    { value: 'PT7M', shown: '"PT7M"' },
    { value: ' High', shown: '" High"' },
    { value: null, shown: 'null' },
    { value: undefined, shown: 'undefined' },
    { value: { value: 1 }, shown: '{"value":1}' },
  ])('shows $value as $shown', ({ value, shown }) => {
    expect(describeValue(value)).toBe(shown);
  });

  it('shortens long values to 80 characters', () => {
    const shown = describeValue('x'.repeat(5000));
    expect(shown).toHaveLength(80);
    expect(shown.endsWith('…')).toBe(true);
  });
});
