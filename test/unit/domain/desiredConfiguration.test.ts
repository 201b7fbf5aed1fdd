import { describe, expect, it } from 'vitest';
import type { SettingValue } from '../../../src/domain/agentProfile';
import { defaultSettings } from '../../../src/domain/defaultSettings';
import {
  configurationEntries,
  decodeEntry,
  desiredConfigurationDocument,
  desiredConfigurationPatch,
  encodeSettingValue,
  readConfiguredSettings,
} from '../../../src/domain/desiredConfiguration';
import { ascClassic } from '../../../src/domain/profiles/ascClassic';
import { defenderMicroAgent } from '../../../src/domain/profiles/defenderMicroAgent';
import { applyMergePatch } from '../../local/iothubSimulator/mergePatch';
import { appendixADesired } from './appendixA';

const KEY = 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration';
const metadata = { $version: 7, $metadata: { $lastUpdated: '2024-05-01T12:00:00Z' } };

const ascBaseline: Record<string, SettingValue> = { highPriorityMessageFrequency: 'PT10M', maxMessageSizeInBytes: 102400, eventPriorityLogin: 'Off' };
const microBaseline: Record<string, SettingValue> = { CollectorsCore_PriorityIntervals: '60,120,480', Process_Mode: 3, Login_Disabled: true };

/** Twin desired properties in every shape the reconcile loop can meet. */
const ascTwins: Record<string, Record<string, unknown> | undefined> = {
  'no desired properties known': undefined,
  'a new module twin': { ...metadata },
  'the published defaults': { ...appendixADesired, ...metadata },
  'an unknown key and another app\'s key': { [KEY]: { snapshotFrequency: { value: 'PT1H' }, legacyKey: { value: 1 } }, otherApp: { x: 1 }, ...metadata },
  'a bare scalar instead of {value}': { [KEY]: { highPriorityMessageFrequency: 'PT10M', eventPriorityLogin: 'Off' }, ...metadata },
  'a wrapped value with extra keys': { [KEY]: { maxMessageSizeInBytes: { value: 102400, unit: 'bytes' } }, ...metadata },
  'a configuration that is a string': { [KEY]: 'broken', ...metadata },
  'a configuration that is an array': { [KEY]: [1, 2], ...metadata },
  'an entry named __proto__': JSON.parse(`{"${KEY}": {"__proto__": {"value": 1}}}`) as Record<string, unknown>,
};

const microTwins: Record<string, Record<string, unknown> | undefined> = {
  'no desired properties known': undefined,
  'a new module twin': { ...metadata },
  'the documented defaults': { ...defaultSettings(defenderMicroAgent), ...metadata },
  'unknown keys and a wrong type': { Process_Mode: { mode: 3 }, SomethingElse: 'x', ...metadata },
};

/** What the twin's configuration must be after the patch: exactly the baseline, in twin form. */
function ascConfigurationAfter(desired: unknown): unknown {
  return (desired as Record<string, unknown>)[KEY];
}

describe('desiredConfigurationPatch', () => {
  it.each(Object.entries(ascTwins))('asc-classic: after merge-patching %s the configuration is exactly the baseline', (_, twin) => {
    const patched = applyMergePatch(twin ?? {}, desiredConfigurationPatch(ascClassic, ascBaseline, twin));
    expect(ascConfigurationAfter(patched)).toEqual(desiredConfigurationDocument(ascClassic, ascBaseline)[KEY]);
    expect(Object.keys(ascConfigurationAfter(patched) as object).sort()).toEqual(Object.keys(ascBaseline).sort());
  });

  it.each(Object.entries(microTwins))('defender-micro-agent: after merge-patching %s the configuration is exactly the baseline', (_, twin) => {
    const patched = applyMergePatch(twin ?? {}, desiredConfigurationPatch(defenderMicroAgent, microBaseline, twin)) as Record<string, unknown>;
    const { $version, $metadata, ...configuration } = patched;
    expect(configuration).toEqual(microBaseline);
    expect({ $version, $metadata }).toEqual(twin === undefined ? { $version: undefined, $metadata: undefined } : { $version: 7, $metadata: metadata.$metadata });
  });

  it('leaves keys outside the wrapped configuration object alone, and never writes $ keys', () => {
    const twin = ascTwins["an unknown key and another app's key"];
    const patch = desiredConfigurationPatch(ascClassic, ascBaseline, twin);
    expect(Object.keys(patch)).toEqual([KEY]);
    const patched = applyMergePatch(twin, patch) as Record<string, unknown>;
    expect(patched['otherApp']).toEqual({ x: 1 });
    expect(patched['$version']).toBe(7);
  });

  it('is complete even without the current twin: every baseline setting written, every other profile setting null', () => {
    const patch = desiredConfigurationPatch(ascClassic, ascBaseline)[KEY] as Record<string, unknown>;
    expect(Object.keys(patch).sort()).toEqual(Object.keys(ascClassic.settings).sort());
    expect(patch['highPriorityMessageFrequency']).toEqual({ value: 'PT10M' });
    expect(patch['snapshotFrequency']).toBeNull();
  });

  it('writes the published default PATCH for the asc-classic defaults', () => {
    expect(desiredConfigurationPatch(ascClassic, defaultSettings(ascClassic))).toEqual(appendixADesired);
  });

  it('removes unknown keys, stray keys next to value and bare scalars in a flat patch', () => {
    expect(desiredConfigurationPatch(ascClassic, { eventPriorityLogin: 'Off' }, { [KEY]: { eventPriorityLogin: { value: 'Off', $x: 1, note: 'n' }, old: 1 } })[KEY]).toMatchObject({
      eventPriorityLogin: { value: 'Off', note: null },
      old: null,
    });
    const flat = desiredConfigurationPatch(defenderMicroAgent, {}, { SomethingElse: 'x', $version: 3 });
    expect(flat).toMatchObject({ SomethingElse: null, Process_Mode: null });
    expect(Object.hasOwn(flat, '$version')).toBe(false);
  });
});

describe('readConfiguredSettings', () => {
  it.each([
    { twin: undefined, expected: {} },
    { twin: 'not an object', expected: {} },
    { twin: { ...metadata }, expected: {} },
    { twin: { [KEY]: null }, expected: {} },
    { twin: { [KEY]: 'broken' }, expected: {} },
    { twin: appendixADesired, expected: defaultSettings(ascClassic) },
    {
      twin: { [KEY]: { snapshotFrequency: { value: 'PT1H' }, bare: 'PT7M', extra: { value: 1, unit: 'x' }, empty: {} } },
      expected: { snapshotFrequency: 'PT1H', bare: 'PT7M', extra: { value: 1, unit: 'x' }, empty: {} },
    },
  ])('asc-classic: unwraps $twin', ({ twin, expected }) => {
    expect(readConfiguredSettings(ascClassic, twin)).toEqual(expected);
  });

  it('defender-micro-agent: returns the root keys as they are, without $ keys', () => {
    expect(readConfiguredSettings(defenderMicroAgent, { Process_Mode: 2, Other: { a: 1 }, ...metadata })).toEqual({ Process_Mode: 2, Other: { a: 1 } });
  });
});

describe('twin form helpers', () => {
  it('encodes and decodes per placement', () => {
    expect(encodeSettingValue(ascClassic, 'PT7M')).toEqual({ value: 'PT7M' });
    expect(encodeSettingValue(defenderMicroAgent, 3)).toBe(3);
    expect(decodeEntry(ascClassic, { value: 'PT7M' })).toEqual({ value: 'PT7M', wellFormed: true });
    expect(decodeEntry(ascClassic, 'PT7M')).toEqual({ value: 'PT7M', wellFormed: false });
    expect(decodeEntry(ascClassic, { other: 1 })).toEqual({ value: { other: 1 }, wellFormed: false });
    expect(decodeEntry(defenderMicroAgent, { other: 1 })).toEqual({ value: { other: 1 }, wellFormed: true });
  });

  it('reports a configuration container that is not an object', () => {
    expect(configurationEntries(ascClassic, { [KEY]: 5 })).toEqual({ entries: {}, malformedContainer: { key: KEY, value: 5 } });
    expect(configurationEntries(defenderMicroAgent, 5)).toEqual({ entries: {} });
  });

  it('wraps a document per placement', () => {
    expect(desiredConfigurationDocument(defenderMicroAgent, microBaseline)).toEqual(microBaseline);
    expect(desiredConfigurationDocument(ascClassic, {})).toEqual({ [KEY]: {} });
  });
});
