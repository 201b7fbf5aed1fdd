import { describe, expect, it } from 'vitest';
import { MAX_AGENT_DURATION_MS, parseAgentDuration, SCHEMA_DURATION_PATTERN } from '../../../src/domain/agentDuration';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseAgentDuration', () => {
  it.each([
    { text: 'PT7M', ms: 7 * MINUTE },
    { text: 'PT420S', ms: 7 * MINUTE },
    { text: 'PT5H', ms: 5 * HOUR },
    { text: 'PT1H30M', ms: 90 * MINUTE },
    { text: 'P1D', ms: DAY },
    { text: 'P1DT12H', ms: 36 * HOUR },
    { text: 'P1M', ms: 30 * DAY, why: 'a month is 30 days for the C agent' },
    { text: 'P0Y1D', ms: DAY, why: 'a zero year count changes nothing' },
    { text: 'PT1S', ms: 1000 },
    { text: 'P49DT17H2M47S', ms: 4_294_967_000, why: 'just under the uint32 limit' },
  ])('reads $text as $ms ms', ({ text, ms }) => {
    expect(parseAgentDuration(text)).toEqual({ ok: true, milliseconds: ms, usesWeeks: false });
  });

  it.each([
    { text: 'P2W', ms: 14 * DAY },
    { text: 'P1M1W', ms: 37 * DAY },
  ])('reads $text but flags the weeks the C# agent cannot parse', ({ text, ms }) => {
    expect(parseAgentDuration(text)).toEqual({ ok: true, milliseconds: ms, usesWeeks: true });
  });

  it.each([
    { text: '7 minutes', rule: 'duration-format' },
    { text: 'pt7m', rule: 'duration-format' },
    { text: 'P', rule: 'duration-format' },
    { text: 'PT', rule: 'duration-format' },
    { text: 'P1DT', rule: 'duration-format' },
    { text: '00:07:00', rule: 'duration-format' },
    { text: 'PT1.5H', rule: 'duration-fraction' },
    { text: 'PT0.5S', rule: 'duration-fraction' },
    { text: 'P1Y', rule: 'duration-years' },
    { text: 'P1Y2M', rule: 'duration-years' },
    { text: 'PT0S', rule: 'duration-zero' },
    { text: 'P0D', rule: 'duration-zero' },
    { text: 'P0Y', rule: 'duration-zero' },
    { text: 'P50D', rule: 'duration-too-long' },
    { text: 'P2M', rule: 'duration-too-long' },
    { text: 'P49DT17H2M48S', rule: 'duration-too-long' },
    { text: 'PT99999999999999999999S', rule: 'duration-too-long' },
  ])('rejects $text ($rule)', ({ text, rule }) => {
    const parsed = parseAgentDuration(text);
    expect(parsed.ok).toBe(false);
    expect(parsed).toMatchObject({ rule });
  });

  it('explains each rejection in operator terms', () => {
    expect(parseAgentDuration('PT1.5H')).toMatchObject({ reason: expect.stringContaining('PT90M') });
    expect(parseAgentDuration('P1Y')).toMatchObject({ reason: expect.stringContaining('ignores the year') });
    expect(parseAgentDuration('P50D')).toMatchObject({ reason: expect.stringContaining('49.7 days') });
  });

  it('accepts exactly what the published schema pattern accepts before agent rules apply', () => {
    expect(SCHEMA_DURATION_PATTERN.test('PT1.5H')).toBe(true);
    expect(SCHEMA_DURATION_PATTERN.test('P1Y')).toBe(true);
    expect(SCHEMA_DURATION_PATTERN.test('PT1.5H30M')).toBe(false);
    expect(MAX_AGENT_DURATION_MS).toBe(2 ** 32 - 1);
  });
});
