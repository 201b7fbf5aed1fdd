import { describe, expect, it } from 'vitest';
import { compareReportedSettings, describeMismatch, lastUpdated, readAgentReport } from '../../../src/domain/agentReport';
import { ascClassic } from '../../../src/domain/profiles/ascClassic';
import { defenderMicroAgent } from '../../../src/domain/profiles/defenderMicroAgent';

const KEY = 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration';
const T1 = '2026-11-27T12:00:01.0000000Z';
const T2 = '2026-11-27T12:00:02.0000000Z';

describe('readAgentReport, asc-classic', () => {
  it.each([undefined, null, 'reported', {}, { [KEY]: null }, { [KEY]: 'PT7M' }, { [KEY]: [1] }, { other: 1 }])('is no answer for reported %j', (reported) => {
    expect(readAgentReport(ascClassic, reported)).toEqual({ kind: 'none' });
  });

  it('reads the effective configuration unwrapped, only settings of the profile, with the time the object was written', () => {
    const reported = {
      [KEY]: {
        maxLocalCacheSizeInBytes: { value: 10485760 },
        eventPriorityLogin: { value: 'high' },
        eventPriorityOperational: { value: 'high' },
        snapshotFrequency: 'PT13H',
      },
      $metadata: { $lastUpdated: T2, [KEY]: { $lastUpdated: T1 } },
      $version: 4,
    };
    expect(readAgentReport(ascClassic, reported)).toEqual({
      kind: 'accepted',
      // A bare value is kept as it is: it compares unequal to anything the baseline holds.
      settings: { maxLocalCacheSizeInBytes: 10485760, eventPriorityLogin: 'high', snapshotFrequency: 'PT13H' },
      confirmed: false,
      reportedAt: T1,
    });
  });

  it('has no time when the twin carries no metadata', () => {
    expect(readAgentReport(ascClassic, { [KEY]: {} })).toEqual({ kind: 'accepted', settings: {}, confirmed: false });
  });
});

describe('readAgentReport, defender-micro-agent', () => {
  const metadata = { $metadata: { $lastUpdated: T2, latest_state: { $lastUpdated: T1 } } };

  it('reads latest_state "success" as a confirmed answer, with the flat settings beside it', () => {
    const reported = { latest_state: 'success', latest_invalid_fields: [], Process_Mode: 2, Login_UsePAM: false, somethingElse: 1, ...metadata };
    expect(readAgentReport(defenderMicroAgent, reported)).toEqual({
      kind: 'accepted',
      settings: { Process_Mode: 2, Login_UsePAM: false },
      confirmed: true,
      reportedAt: T1,
    });
  });

  it.each([
    [['Process_Mode', 'Login_UsePAM'], ['Process_Mode', 'Login_UsePAM'], 'with invalid fields Process_Mode, Login_UsePAM'],
    ['Process_Mode, Login_UsePAM', ['Process_Mode', 'Login_UsePAM'], 'with invalid fields Process_Mode, Login_UsePAM'],
    [['Process_Mode', 7, ''], ['Process_Mode'], 'with invalid fields Process_Mode'],
    [undefined, [], 'without naming the invalid fields'],
    [{ Process_Mode: true }, [], 'without naming the invalid fields'],
  ])('reads latest_state "failed" with latest_invalid_fields %j as a refusal', (fields, invalidFields, says) => {
    const reported = { latest_state: 'failed', ...(fields === undefined ? {} : { latest_invalid_fields: fields }), ...metadata };
    expect(readAgentReport(defenderMicroAgent, reported)).toEqual({
      kind: 'rejected',
      invalidFields,
      detail: `the agent reports latest_state "failed" ${says}`,
      reportedAt: T1,
    });
  });

  it.each([{}, { latest_state: 'applying', Process_Mode: 2 }, { latest_invalid_fields: ['x'] }])('is no answer for %j', (reported) => {
    expect(readAgentReport(defenderMicroAgent, reported)).toEqual({ kind: 'none' });
  });

  it('without a status, reads the settings alone as an unconfirmed answer stamped with the section time', () => {
    expect(readAgentReport(defenderMicroAgent, { Process_Mode: 2, $metadata: { $lastUpdated: T2 } })).toEqual({
      kind: 'accepted',
      settings: { Process_Mode: 2 },
      confirmed: false,
      reportedAt: T2,
    });
  });
});

describe('lastUpdated', () => {
  it.each([
    [undefined, undefined],
    [{}, undefined],
    [{ $metadata: 'x' }, undefined],
    [{ $metadata: { $lastUpdated: 5 } }, undefined],
    [{ $metadata: { $lastUpdated: T1 } }, T1],
  ])('reads the section stamp of %j', (section, expected) => {
    expect(lastUpdated(section)).toBe(expected);
  });

  it("reads an entry's stamp, undefined when the entry has none", () => {
    const section = { $metadata: { $lastUpdated: T2, a: { $lastUpdated: T1 }, b: 'x' } };
    expect(lastUpdated(section, 'a')).toBe(T1);
    expect(lastUpdated(section, 'b')).toBeUndefined();
    expect(lastUpdated(section, 'c')).toBeUndefined();
  });
});

describe('compareReportedSettings', () => {
  it("allows for the C agent's canonical durations and lower-case priorities", () => {
    const expected = { highPriorityMessageFrequency: 'PT420S', snapshotFrequency: 'P14D', eventPriorityLogin: 'High', maxMessageSizeInBytes: 204800 };
    const reported = { highPriorityMessageFrequency: 'PT7M', snapshotFrequency: 'P2W', eventPriorityLogin: 'high', maxMessageSizeInBytes: 204800 };
    expect(compareReportedSettings(ascClassic, expected, reported)).toEqual({ mismatches: [], compared: 4 });
  });

  it('compares only the settings both sides have', () => {
    const expected = { eventPriorityConnectedHardware: 'Low', eventPriorityLogin: 'High' };
    expect(compareReportedSettings(ascClassic, expected, { eventPriorityLogin: 'high', maxLocalCacheSizeInBytes: 10485760 })).toEqual({ mismatches: [], compared: 1 });
  });

  it.each([
    ['a different duration', 'highPriorityMessageFrequency', 'PT7M', 'PT8M'],
    ['an unreadable duration', 'highPriorityMessageFrequency', 'PT7M', 'PT1.5H'],
    ['another priority', 'eventPriorityLogin', 'High', 'low'],
    ['a number as a string', 'maxMessageSizeInBytes', 204800, '204800'],
    ['another type', 'highPriorityMessageFrequency', 'PT7M', 420],
    ['another boolean', 'aggregationEnabledProcessCreate', true, false],
  ])('finds %s', (_what, setting, expected, reported) => {
    expect(compareReportedSettings(ascClassic, { [setting]: expected }, { [setting]: reported })).toEqual({
      mismatches: [{ setting, expected, reported }],
      compared: 1,
    });
  });

  it('compares the micro agent priority intervals by their numbers, other strings exactly', () => {
    expect(compareReportedSettings(defenderMicroAgent, { CollectorsCore_PriorityIntervals: '30,120,1440' }, { CollectorsCore_PriorityIntervals: '030,120,1440' }).mismatches).toEqual([]);
    for (const reported of ['30,120,1441', '30,121,1440', '31,120,1440', 'thirty']) {
      expect(compareReportedSettings(defenderMicroAgent, { CollectorsCore_PriorityIntervals: '30,120,1440' }, { CollectorsCore_PriorityIntervals: reported }).mismatches).toHaveLength(1);
    }
    expect(compareReportedSettings(defenderMicroAgent, { NetworkActivity_Devices: 'eth0' }, { NetworkActivity_Devices: 'ETH0' }).mismatches).toHaveLength(1);
  });

  it('compares a setting the profile does not know exactly', () => {
    expect(compareReportedSettings(ascClassic, { unknownSetting: 'a' }, { unknownSetting: 'A' }).mismatches).toHaveLength(1);
  });
});

describe('describeMismatch', () => {
  it('names the setting and both values', () => {
    expect(describeMismatch({ setting: 'maxLocalCacheSizeInBytes', expected: 2560000, reported: 10485760 })).toBe(
      'maxLocalCacheSizeInBytes reported 10485760, baseline 2560000',
    );
  });
});
