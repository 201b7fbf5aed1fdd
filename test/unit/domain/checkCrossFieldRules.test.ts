import { describe, expect, it } from 'vitest';
import type { AgentProfile } from '../../../src/domain/agentProfile';
import { checkCrossFieldRules } from '../../../src/domain/checkCrossFieldRules';
import { ascClassic } from '../../../src/domain/profiles/ascClassic';

describe('checkCrossFieldRules (asc-classic)', () => {
  it.each([
    { settings: {}, why: 'defaults' },
    { settings: { maxLocalCacheSizeInBytes: 204800, maxMessageSizeInBytes: 204800 }, why: 'cache equal to message size' },
    { settings: { maxLocalCacheSizeInBytes: 300000 }, why: 'cache above the default message size' },
    { settings: { highPriorityMessageFrequency: 'PT5H', lowPriorityMessageFrequency: 'PT300M' }, why: 'equal lengths written differently' },
    { settings: { highPriorityMessageFrequency: 'PT1H' }, why: 'high below the default low' },
    { settings: { maxLocalCacheSizeInBytes: '10' }, why: 'a value of the wrong type is left to its own check' },
    { settings: { highPriorityMessageFrequency: 'PT1.5H', lowPriorityMessageFrequency: 'PT1H' }, why: 'an unparsable duration is left to its own check' },
  ])('accepts $why', ({ settings }) => {
    expect(checkCrossFieldRules(ascClassic, settings, 'settings')).toEqual([]);
  });

  it('rejects a cache smaller than the message size as a Conflict, naming both settings and values', () => {
    expect(checkCrossFieldRules(ascClassic, { maxLocalCacheSizeInBytes: 8192, maxMessageSizeInBytes: 204800 }, 'settings')).toEqual([
      {
        path: 'settings.maxLocalCacheSizeInBytes',
        rule: 'cache-at-least-message-size',
        severity: 'error',
        message:
          'maxLocalCacheSizeInBytes (8192) must be at least maxMessageSizeInBytes (204800): the agent reports a Conflict and cannot keep even one full message in its local cache',
      },
    ]);
  });

  it('compares against the default when the baseline leaves the other setting out', () => {
    const [issue] = checkCrossFieldRules(ascClassic, { maxLocalCacheSizeInBytes: 100000 }, 'settings');
    expect(issue?.message).toContain('maxMessageSizeInBytes (204800, the default)');
  });

  it('rejects a high-priority frequency slower than the low-priority one, comparing durations by length', () => {
    expect(checkCrossFieldRules(ascClassic, { highPriorityMessageFrequency: 'P1D', lowPriorityMessageFrequency: 'PT5H' }, 'overrides')).toEqual([
      {
        path: 'overrides.highPriorityMessageFrequency',
        rule: 'high-priority-not-slower-than-low',
        severity: 'error',
        message: expect.stringMatching(/^highPriorityMessageFrequency \("P1D"\) must be at most lowPriorityMessageFrequency \("PT5H"\): the agent reports a Conflict/),
      },
    ]);
  });

  it('skips rules naming settings the profile lacks, or settings without a default', () => {
    const custom: AgentProfile = {
      ...ascClassic,
      settings: { ...ascClassic.settings, noDefault: { type: 'integer', default: null, description: 'x' } },
      crossFieldRules: [
        { kind: 'ordering', rule: 'ghost', setting: 'missing', relation: 'at-least', other: 'maxMessageSizeInBytes', severity: 'error', consequence: 'x' },
        { kind: 'ordering', rule: 'no-default', setting: 'maxMessageSizeInBytes', relation: 'at-least', other: 'noDefault', severity: 'warning', consequence: 'x' },
      ],
    };
    expect(checkCrossFieldRules(custom, {}, 'settings')).toEqual([]);
    expect(checkCrossFieldRules(custom, { noDefault: 1 << 30 }, 'settings')).toEqual([
      expect.objectContaining({ rule: 'no-default', severity: 'warning', message: expect.stringContaining('must be at least noDefault (1073741824)') }),
    ]);
  });
});
