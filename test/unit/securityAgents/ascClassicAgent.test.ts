import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../src/domain/defaultSettings';
import { desiredConfigurationDocument } from '../../../src/domain/desiredConfiguration';
import { ascClassic } from '../../../src/domain/profiles/ascClassic';
import type { JsonObject } from '../../local/iothubSimulator';
import { ascClassicAgent } from '../../local/securityAgents/ascClassicAgent';

const KEY = 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration';
const none: ReadonlySet<string> = new Set();
const published = desiredConfigurationDocument(ascClassic, defaultSettings(ascClassic)) as JsonObject;

/** The C agent's own defaults as it reports them (domain.md Appendix B). */
const appendixB = {
  maxLocalCacheSizeInBytes: { value: 10485760 },
  maxMessageSizeInBytes: { value: 204800 },
  highPriorityMessageFrequency: { value: 'PT7M' },
  lowPriorityMessageFrequency: { value: 'PT5H' },
  snapshotFrequency: { value: 'PT13H' },
  baselineCustomChecksEnabled: { value: false },
  eventPriorityOSBaseline: { value: 'low' },
  eventPriorityConnectionCreate: { value: 'low' },
  eventPriorityDiagnostic: { value: 'low' },
  eventPriorityFirewallConfiguration: { value: 'low' },
  eventPriorityListeningPorts: { value: 'high' },
  eventPriorityLocalUsers: { value: 'high' },
  eventPriorityLogin: { value: 'high' },
  eventPriorityOperational: { value: 'high' },
  eventPriorityProcessCreate: { value: 'low' },
  eventPrioritySystemInformation: { value: 'low' },
  aggregationEnabledProcessCreate: { value: true },
  aggregationIntervalProcessCreate: { value: 'PT1H' },
  aggregationEnabledConnectionCreate: { value: true },
  aggregationIntervalConnectionCreate: { value: 'PT1H' },
};

const withSettings = (entries: JsonObject): JsonObject => ({ [KEY]: { ...(published[KEY] as JsonObject), ...entries } });

describe('the simulated C agent (asc-classic)', () => {
  it.each([{}, { [KEY]: null }, { otherApp: { value: 1 } }])('reports its own defaults, in its own order, for desired %j', (desired) => {
    const answer = ascClassicAgent(desired, {}, none);
    expect(answer).toEqual({ reported: { [KEY]: appendixB }, invalidFields: [] });
    expect(Object.keys(answer.reported[KEY] as object)).toEqual(Object.keys(appendixB));
  });

  it('reports the published configuration in its own spelling: lower-case priorities, only the keys it knows', () => {
    const { reported, invalidFields } = ascClassicAgent(published, {}, none);
    expect(invalidFields).toEqual([]);
    expect(reported[KEY]).toEqual({ ...appendixB, maxLocalCacheSizeInBytes: { value: 2560000 } });
  });

  it('re-serialises durations in its canonical form and reads priorities in any case', () => {
    const desired = withSettings({ highPriorityMessageFrequency: { value: 'PT420S' }, snapshotFrequency: { value: 'P14D' }, eventPriorityLogin: { value: 'oFF' } });
    const reported = ascClassicAgent(desired, {}, none).reported[KEY] as Record<string, unknown>;
    expect(reported['highPriorityMessageFrequency']).toEqual({ value: 'PT7M' });
    expect(reported['snapshotFrequency']).toEqual({ value: 'P2W' });
    expect(reported['eventPriorityLogin']).toEqual({ value: 'off' });
  });

  it('takes the fraction off an integer, ignores keys beside value, and writes custom check paths only when set', () => {
    const desired = withSettings({
      maxMessageSizeInBytes: { value: 8192.9, note: 'ignored' },
      baselineCustomChecksFilePath: { value: '/etc/checks.xml' },
      baselineCustomChecksFileHash: null,
    });
    const reported = ascClassicAgent(desired, {}, none).reported[KEY] as Record<string, unknown>;
    expect(reported['maxMessageSizeInBytes']).toEqual({ value: 8192 });
    expect(reported['baselineCustomChecksFilePath']).toEqual({ value: '/etc/checks.xml' });
    expect(reported).not.toHaveProperty('baselineCustomChecksFileHash');
  });

  it.each([
    ['a fractional duration', { highPriorityMessageFrequency: { value: 'PT1.5H' } }, ['highPriorityMessageFrequency']],
    ['a zero duration', { snapshotFrequency: { value: 'PT0S' } }, ['snapshotFrequency']],
    ['an unknown priority', { eventPriorityLogin: { value: 'Medium' } }, ['eventPriorityLogin']],
    ['a number as a string', { maxMessageSizeInBytes: { value: '204800' } }, ['maxMessageSizeInBytes']],
    ['a boolean as a string', { aggregationEnabledProcessCreate: { value: 'true' } }, ['aggregationEnabledProcessCreate']],
    ['a path that is not a string', { baselineCustomChecksFilePath: { value: 5 } }, ['baselineCustomChecksFilePath']],
    ['a duration that is not a string', { lowPriorityMessageFrequency: { value: 300 } }, ['lowPriorityMessageFrequency']],
    ['a priority that is not a string', { eventPriorityDiagnostic: { value: 1 } }, ['eventPriorityDiagnostic']],
    ['a bare value (the pre-2019 format)', { snapshotFrequency: 'PT13H' }, ['snapshotFrequency']],
    ['a null value', { snapshotFrequency: { value: null } }, ['snapshotFrequency']],
    ['a missing value', { snapshotFrequency: {} }, ['snapshotFrequency']],
    ['two bad values', { snapshotFrequency: { value: 'P0D' }, eventPriorityLogin: { value: 'on' } }, ['snapshotFrequency', 'eventPriorityLogin']],
  ])('refuses the whole update for %s and reports its old configuration again', (_what, entries, invalidFields) => {
    const before = ascClassicAgent(withSettings({ eventPriorityLogin: { value: 'Low' } }), {}, none).reported;
    expect(ascClassicAgent(withSettings(entries), before, none)).toEqual({ reported: before, invalidFields });
  });

  it('refuses a configuration object that is not an object', () => {
    expect(ascClassicAgent({ [KEY]: 'PT7M' }, {}, none)).toEqual({ reported: { [KEY]: appendixB }, invalidFields: [KEY] });
  });

  it('falls back to its defaults when what it reported before cannot be read', () => {
    const garbled = { [KEY]: { snapshotFrequency: { value: 'soon' } } };
    expect(ascClassicAgent(withSettings({ snapshotFrequency: { value: 'PT0S' } }), garbled, none).reported).toEqual({ [KEY]: appendixB });
  });

  it('as a rejecting agent, refuses the settings it is told to whenever they are set', () => {
    const refused = new Set(['highPriorityMessageFrequency']);
    expect(ascClassicAgent(published, {}, refused)).toEqual({ reported: { [KEY]: appendixB }, invalidFields: ['highPriorityMessageFrequency'] });
    expect(ascClassicAgent(withSettings({ highPriorityMessageFrequency: null }), {}, refused).invalidFields).toEqual([]);
  });
});
