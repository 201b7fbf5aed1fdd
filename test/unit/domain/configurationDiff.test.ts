import { describe, expect, it } from 'vitest';
import type { SettingValue } from '../../../src/domain/agentProfile';
import { diffConfiguration } from '../../../src/domain/configurationDiff';
import { defaultSettings } from '../../../src/domain/defaultSettings';
import { desiredConfigurationPatch } from '../../../src/domain/desiredConfiguration';
import { ascClassic } from '../../../src/domain/profiles/ascClassic';
import { defenderMicroAgent } from '../../../src/domain/profiles/defenderMicroAgent';
import { applyMergePatch } from '../../local/iothubSimulator/mergePatch';
import { appendixADesired } from './appendixA';

const KEY = 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration';
const metadata = { $version: 7, $metadata: { $lastUpdated: '2024-05-01T12:00:00Z' } };
const baseline: Record<string, SettingValue> = { snapshotFrequency: 'PT6H', maxMessageSizeInBytes: 102400 };

describe('diffConfiguration', () => {
  it('is empty when the twin holds the baseline exactly, whatever the key order and metadata', () => {
    const twin = { [KEY]: { maxMessageSizeInBytes: { value: 102400.0 }, snapshotFrequency: { value: 'PT6H' } }, otherApp: 1, ...metadata };
    expect(diffConfiguration(ascClassic, twin, baseline)).toEqual([]);
    expect(diffConfiguration(ascClassic, appendixADesired, defaultSettings(ascClassic))).toEqual([]);
    expect(diffConfiguration(defenderMicroAgent, { Process_Mode: 2, ...metadata }, { Process_Mode: 2 })).toEqual([]);
  });

  it.each([undefined, null, {}, { [KEY]: {} }, { [KEY]: null }])('is empty for an empty baseline and no configuration: %j', (twin) => {
    expect(diffConfiguration(ascClassic, twin, {})).toEqual([]);
  });

  it('lists added, changed and removed settings sorted by name, in plain values', () => {
    const twin = { [KEY]: { snapshotFrequency: { value: 'PT13H' }, eventPriorityLogin: { value: 'High' }, aggregationEnabledProcessCreate: { value: true } } };
    expect(diffConfiguration(ascClassic, twin, baseline)).toEqual([
      { setting: 'aggregationEnabledProcessCreate', kind: 'removed', from: true },
      { setting: 'eventPriorityLogin', kind: 'removed', from: 'High' },
      { setting: 'maxMessageSizeInBytes', kind: 'added', to: 102400 },
      { setting: 'snapshotFrequency', kind: 'changed', from: 'PT13H', to: 'PT6H' },
    ]);
  });

  it('treats a type difference as a change', () => {
    expect(diffConfiguration(defenderMicroAgent, { Process_Mode: '3' }, { Process_Mode: 3 })).toEqual([
      { setting: 'Process_Mode', kind: 'changed', from: '3', to: 3 },
    ]);
  });

  it('flags entries the agent cannot read, even when the bare value looks equal', () => {
    const twin = { [KEY]: { snapshotFrequency: 'PT6H', maxMessageSizeInBytes: { value: 102400, unit: 'B' }, legacy: 'x' } };
    expect(diffConfiguration(ascClassic, twin, baseline)).toEqual([
      { setting: 'legacy', kind: 'removed', from: 'x', malformed: true },
      { setting: 'maxMessageSizeInBytes', kind: 'changed', from: { value: 102400, unit: 'B' }, to: 102400, malformed: true },
      { setting: 'snapshotFrequency', kind: 'changed', from: 'PT6H', to: 'PT6H', malformed: true },
    ]);
  });

  it('reports a configuration object that is not an object, then every baseline setting as added', () => {
    expect(diffConfiguration(ascClassic, { [KEY]: 'broken' }, baseline)).toEqual([
      { setting: 'maxMessageSizeInBytes', kind: 'added', to: 102400 },
      { setting: KEY, kind: 'changed', from: 'broken', to: { snapshotFrequency: { value: 'PT6H' }, maxMessageSizeInBytes: { value: 102400 } }, malformed: true },
      { setting: 'snapshotFrequency', kind: 'added', to: 'PT6H' },
    ]);
    expect(diffConfiguration(ascClassic, { [KEY]: [] }, {})).toEqual([{ setting: KEY, kind: 'changed', from: [], to: {}, malformed: true }]);
  });

  it.each([
    { name: 'asc-classic twin with leftovers', profile: ascClassic, twin: { [KEY]: { snapshotFrequency: 'PT6H', old: { value: 1 } }, ...metadata } },
    { name: 'asc-classic broken twin', profile: ascClassic, twin: { [KEY]: 'broken' } },
    { name: 'micro agent twin with leftovers', profile: defenderMicroAgent, twin: { Process_Mode: 1, Other: 'x', ...metadata } },
  ])('is empty after the patch for the same baseline is applied ($name)', ({ profile, twin }) => {
    const settings = profile === ascClassic ? baseline : { Process_Mode: 3, Login_UsePAM: true };
    expect(diffConfiguration(profile, twin, settings)).not.toEqual([]);
    const patched = applyMergePatch(twin, desiredConfigurationPatch(profile, settings, twin));
    expect(diffConfiguration(profile, patched, settings)).toEqual([]);
  });
});
