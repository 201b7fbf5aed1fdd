import { describe, expect, it } from 'vitest';
import { defaultSettings, validateBaseline, validateSettings } from '../../../src/domain/validateBaseline';
import { ascClassic } from '../../../src/domain/profiles/ascClassic';

const valid = {
  name: 'factory-floor',
  version: 3,
  profile: 'asc-classic',
  settings: { snapshotFrequency: 'PT6H', eventPriorityLogin: 'Off' },
  createdAt: '2024-05-01T12:00:00Z',
  createdBy: 'ops@contoso.com',
  description: 'Fewer snapshots on the factory floor',
};

function issuesOf(input: unknown) {
  const result = validateBaseline(input);
  return result.ok ? [] : result.issues;
}

describe('validateBaseline', () => {
  it('accepts a valid baseline and returns it', () => {
    expect(validateBaseline(valid)).toEqual({ ok: true, value: valid, warnings: [] });
  });

  it('accepts an empty description and a baseline of defaults', () => {
    const input = { ...valid, profile: 'defender-micro-agent', settings: {}, description: '' };
    expect(validateBaseline(input)).toEqual({ ok: true, value: input, warnings: [] });
  });

  it('passes warnings through on a valid baseline', () => {
    const result = validateBaseline({ ...valid, settings: { snapshotFrequency: 'P1W' } });
    expect(result).toEqual({ ok: true, value: expect.anything(), warnings: [expect.objectContaining({ path: 'settings.snapshotFrequency', rule: 'duration-weeks' })] });
  });

  it.each([null, 'baseline', [1]])('rejects %j: not an object', (input) => {
    expect(issuesOf(input)).toEqual([{ path: '', rule: 'baseline-type', severity: 'error', message: expect.stringContaining('a baseline must be a JSON object') }]);
  });

  it.each([
    { field: 'name', value: 'Factory Floor', rule: 'baseline-name', says: 'name ("Factory Floor") must be 1 to 63 lower-case letters' },
    { field: 'name', value: undefined, rule: 'baseline-name', says: 'name (undefined)' },
    { field: 'version', value: 0, rule: 'baseline-version', says: 'version (0) must be a whole number of at least 1' },
    { field: 'version', value: '3', rule: 'baseline-version', says: 'version ("3")' },
    { field: 'profile', value: 'asc', rule: 'unknown-profile', says: 'profile ("asc") must be one of asc-classic, defender-micro-agent' },
    { field: 'createdAt', value: '2024-05-01', rule: 'timestamp', says: 'createdAt ("2024-05-01") must be an ISO-8601 timestamp' },
    { field: 'createdBy', value: '  ', rule: 'baseline-author', says: 'createdBy ("  ") must name who created the baseline' },
    { field: 'createdBy', value: 7, rule: 'baseline-author', says: 'createdBy (7)' },
    { field: 'description', value: null, rule: 'baseline-description', says: 'description (null) must be a string' },
  ])('rejects $field = $value ($rule)', ({ field, value, rule, says }) => {
    expect(issuesOf({ ...valid, [field]: value })).toEqual([{ path: field, rule, severity: 'error', message: expect.stringContaining(says) }]);
  });

  it('rejects unknown fields, suggesting the intended one', () => {
    const { settings, ...rest } = valid;
    expect(issuesOf({ ...rest, setting: settings, settings: {}, colour: 'blue' })).toEqual([
      { path: 'setting', rule: 'unknown-field', severity: 'error', message: '"setting" is not a baseline field; did you mean "settings"?' },
      { path: 'colour', rule: 'unknown-field', severity: 'error', message: expect.stringContaining('a baseline has name, version, profile, settings') },
    ]);
  });

  it('checks settings against the profile and reports them under settings.', () => {
    expect(issuesOf({ ...valid, settings: { maxLocalCacheSizeInBytes: 12288, maxMessageSizeInBytes: 12288, lowPriorityMessageFrequency: 'PT1M' } })).toEqual([
      expect.objectContaining({ path: 'settings.highPriorityMessageFrequency', rule: 'high-priority-not-slower-than-low', message: expect.stringContaining('highPriorityMessageFrequency ("PT7M", the default) must be at most lowPriorityMessageFrequency ("PT1M")') }),
    ]);
  });

  it('reports a settings value that is not an object even when the profile is unknown', () => {
    expect(issuesOf({ ...valid, profile: 'nope', settings: 'PT7M' }).map((issue) => issue.rule)).toEqual(['unknown-profile', 'settings-type']);
    expect(issuesOf({ ...valid, profile: 'nope' }).map((issue) => issue.rule)).toEqual(['unknown-profile']);
  });

  it('reports every problem of a baseline at once', () => {
    const rules = issuesOf({ name: '', version: -1, profile: 'asc-classic', settings: { eventPriorityLogin: 'high' }, createdAt: 'now', createdBy: '', description: 1 }).map(
      (issue) => issue.path,
    );
    expect(rules).toEqual(['name', 'version', 'settings.eventPriorityLogin', 'createdAt', 'createdBy', 'description']);
  });

  it('re-exports validateSettings and defaultSettings for overrides', () => {
    expect(validateSettings(ascClassic, defaultSettings(ascClassic)).ok).toBe(true);
  });
});
