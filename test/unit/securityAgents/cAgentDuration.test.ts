import { describe, expect, it } from 'vitest';
import { parseAgentDuration } from '../../../src/domain/agentDuration';
import { formatCAgentDuration, parseCAgentDuration } from '../../local/securityAgents/cAgentDuration';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseCAgentDuration (the C agent, time_utils.c)', () => {
  it.each([
    ['PT7M', 7 * MINUTE],
    ['PT420S', 7 * MINUTE],
    ['PT1H30M', 90 * MINUTE],
    ['PT1H5S', HOUR + 5000],
    ['P1D', DAY],
    ['P1DT12H', 36 * HOUR],
    ['P2W', 14 * DAY],
    ['P1M', 30 * DAY],
    ['P1M2W3DT4H5M6S', 30 * DAY + 14 * DAY + 3 * DAY + 4 * HOUR + 5 * MINUTE + 6000],
    // The years are scanned and dropped (domain.md §1.4).
    ['P1Y1M', 30 * DAY],
    ['P1YT5M', 5 * MINUTE],
    ['PT4294967S', 4_294_967_000],
  ])('reads %s', (text, milliseconds) => {
    expect(parseCAgentDuration(text)).toBe(milliseconds);
  });

  it.each([
    ['a fraction', 'PT1.5H'],
    ['a fractional second', 'PT0.5S'],
    ['zero', 'PT0S'],
    ['zero days', 'P0D'],
    ['years alone, which add nothing', 'P1Y'],
    ['no P', 'T7M'],
    ['lower case', 'pt7m'],
    ['nothing after P', 'P'],
    ['nothing after T', 'PT'],
    ['an empty time part', 'P5DT'],
    ['components out of order', 'PT5M3H'],
    ['a date component out of order', 'P1D2M'],
    ['a repeated component', 'PT1M1M'],
    ['an unknown designator', 'PT5X'],
    ['a designator without a number', 'PTM'],
    ['minutes as a date part after days', 'P1D5M'],
    ['more than 2^32 - 1 ms', 'PT4294968S'],
    ['one component beyond uint32', 'P2M'],
    ['a sum beyond uint32', 'P1M3W'],
    ['a number the scan cannot read', 'PT1e3S'],
  ])('refuses %s (%s)', (_what, text) => {
    expect(parseCAgentDuration(text)).toBeUndefined();
  });

  it('reads every duration the product accepts as the same length', () => {
    for (const text of ['PT7M', 'PT5H', 'PT13H', 'PT1H', 'P1D', 'P2W', 'P1M', 'PT90M', 'P1DT1S', 'P49DT17H']) {
      const product = parseAgentDuration(text);
      expect(product.ok && product.milliseconds, text).toBe(parseCAgentDuration(text));
    }
  });
});

describe('formatCAgentDuration (the C agent, canonical form)', () => {
  it.each([
    [7 * MINUTE, 'PT7M'],
    [5 * HOUR, 'PT5H'],
    [DAY, 'P1D'],
    [14 * DAY, 'P2W'],
    [30 * DAY, 'P1M'],
    [90 * MINUTE, 'PT1H30M'],
    [DAY + 1000, 'P1DT1S'],
    [45 * DAY + 3 * HOUR + 5000, 'P1M2W1DT3H5S'],
  ])('writes %i ms as %s', (milliseconds, text) => {
    expect(formatCAgentDuration(milliseconds)).toBe(text);
  });

  it('writes back what it reads in its own form', () => {
    expect(formatCAgentDuration(parseCAgentDuration('PT420S') as number)).toBe('PT7M');
    expect(formatCAgentDuration(parseCAgentDuration('PT24H') as number)).toBe('P1D');
    expect(formatCAgentDuration(parseCAgentDuration('P14D') as number)).toBe('P2W');
  });
});
