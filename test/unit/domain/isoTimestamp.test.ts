import { describe, expect, it } from 'vitest';
import { isIsoTimestamp } from '../../../src/domain/isoTimestamp';

describe('isIsoTimestamp', () => {
  it.each([
    '2024-05-01T12:00:00Z',
    '2022-06-01T22:27:50.2612586Z',
    '2024-02-29T23:59:59.999+02:00',
    '2000-02-29T00:00:00Z',
    '2024-12-31T00:00:00-23:59',
  ])('accepts %s', (value) => {
    expect(isIsoTimestamp(value)).toBe(true);
  });

  it.each([
    { value: 1714564800000, why: 'a number' },
    { value: '2024-05-01', why: 'a date without time' },
    { value: '2024-05-01T12:00:00', why: 'no offset' },
    { value: '2024-05-01 12:00:00Z', why: 'space instead of T' },
    { value: '2024-05-01T12:00Z', why: 'no seconds' },
    { value: '2024-00-01T12:00:00Z', why: 'month 0' },
    { value: '2024-13-01T12:00:00Z', why: 'month 13' },
    { value: '2024-05-00T12:00:00Z', why: 'day 0' },
    { value: '2023-02-29T12:00:00Z', why: 'February 29 in a common year' },
    { value: '1900-02-29T12:00:00Z', why: 'February 29 in a century that is not a leap year' },
    { value: '2024-04-31T12:00:00Z', why: 'April 31' },
    { value: '2024-05-01T24:00:00Z', why: 'hour 24' },
    { value: '2024-05-01T12:60:00Z', why: 'minute 60' },
    { value: '2024-05-01T12:00:60Z', why: 'second 60' },
    { value: '2024-05-01T12:00:00+24:00', why: 'offset hour 24' },
    { value: '2024-05-01T12:00:00+01:60', why: 'offset minute 60' },
  ])('rejects $value ($why)', ({ value }) => {
    expect(isIsoTimestamp(value)).toBe(false);
  });
});
