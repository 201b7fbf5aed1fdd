import { describe, expect, it } from 'vitest';
import type { SettingSpec } from '../../../src/domain/agentProfile';
import { ascClassic } from '../../../src/domain/profiles/ascClassic';
import { defenderMicroAgent } from '../../../src/domain/profiles/defenderMicroAgent';
import { validateSettingValue } from '../../../src/domain/validateSettingValue';

const specs: Record<string, SettingSpec> = { ...ascClassic.settings, ...defenderMicroAgent.settings };

function check(name: string, value: unknown) {
  const spec = specs[name];
  if (spec === undefined) throw new Error(`no spec for ${name}`);
  return validateSettingValue(name, spec, value, `settings.${name}`);
}

describe('validateSettingValue', () => {
  it.each([
    ['highPriorityMessageFrequency', 'PT7M'],
    ['maxMessageSizeInBytes', 8192 * 2],
    ['maxMessageSizeInBytes', 258048],
    ['maxLocalCacheSizeInBytes', 8193],
    ['maxLocalCacheSizeInBytes', 2147483647],
    ['eventPriorityLogin', 'Off'],
    ['aggregationEnabledProcessCreate', false],
    ['Process_Mode', 3],
    ['Login_MessageFrequency', 'High'],
    ['CollectorsCore_PriorityIntervals', '60,120,480'],
    ['NetworkActivity_Devices', 'eth0,eth1'],
    ['Baseline_GroupsDisabled', 'Time Synchronization, Network Parameters Host'],
    ['Baseline_ChecksDisabled', ''],
    ['SystemInformation_HardwareVendor', 'Contoso'],
    ['IothubModule_MessageTimeout', 1],
  ])('accepts %s = %j', (name, value) => {
    expect(check(name, value)).toEqual([]);
  });

  it.each([
    { name: 'maxMessageSizeInBytes', value: '204800', rule: 'setting-type', says: 'must be a whole number written without quotes' },
    { name: 'maxMessageSizeInBytes', value: 204800.5, rule: 'setting-type', says: 'must be a whole number' },
    { name: 'maxMessageSizeInBytes', value: true, rule: 'setting-type', says: 'must be a whole number' },
    { name: 'maxMessageSizeInBytes', value: 8192, rule: 'setting-range', says: 'must be at least 8193: the documentation requires a message larger than 8192' },
    { name: 'maxMessageSizeInBytes', value: 262144, rule: 'setting-range', says: 'must be at most 262143' },
    { name: 'maxLocalCacheSizeInBytes', value: 2147483648, rule: 'setting-range', says: '32-bit integer' },
    { name: 'IothubModule_MessageTimeout', value: 0, rule: 'setting-range', says: 'must be at least 1: the documentation allows positive integers only' },
    { name: 'aggregationEnabledProcessCreate', value: 'true', rule: 'setting-type', says: 'must be true or false' },
    { name: 'eventPriorityLogin', value: 'high', rule: 'setting-enum', says: 'must be one of "Off", "Low", "High"; values are case-sensitive here, write "High"' },
    { name: 'eventPriorityLogin', value: 'Medium', rule: 'setting-enum', says: 'must be one of "Off", "Low", "High"' },
    { name: 'eventPriorityLogin', value: 2, rule: 'setting-enum', says: 'must be one of' },
    { name: 'Process_Mode', value: '1', rule: 'setting-enum', says: '("1") must be one of 1, 2, 3' },
    { name: 'Process_Mode', value: 4, rule: 'setting-enum', says: 'must be one of 1, 2, 3' },
    { name: 'snapshotFrequency', value: 780, rule: 'setting-type', says: 'must be an ISO-8601 duration string' },
    { name: 'snapshotFrequency', value: '13h', rule: 'duration-format', says: 'is not an ISO-8601 duration' },
    { name: 'snapshotFrequency', value: 'PT12.5H', rule: 'duration-fraction', says: 'whole numbers only' },
    { name: 'snapshotFrequency', value: 'P1Y', rule: 'duration-years', says: 'uses years' },
    { name: 'snapshotFrequency', value: 'PT0M', rule: 'duration-zero', says: 'is zero' },
    { name: 'snapshotFrequency', value: 'P60D', rule: 'duration-too-long', says: '49.7 days' },
    { name: 'CollectorsCore_PriorityIntervals', value: 30, rule: 'setting-type', says: 'must be a string such as "30,120,1440"' },
    { name: 'CollectorsCore_PriorityIntervals', value: '30,120', rule: 'priority-intervals-format', says: 'all three are required' },
    { name: 'CollectorsCore_PriorityIntervals', value: '0,120,1440', rule: 'priority-intervals-format', says: 'positive' },
    { name: 'NetworkActivity_Devices', value: ['eth0'], rule: 'setting-type', says: 'must be a comma-separated string' },
    { name: 'SystemInformation_HardwareVendor', value: 42, rule: 'setting-type', says: 'must be a string' },
  ])('rejects $name = $value ($rule)', ({ name, value, rule, says }) => {
    const issues = check(name, value);
    expect(issues).toEqual([{ path: `settings.${name}`, rule, severity: 'error', message: expect.stringContaining(says) }]);
    expect(issues[0]?.message.startsWith(`${name} (`)).toBe(true);
  });

  it.each([
    { name: 'maxMessageSizeInBytes', value: 204801, rule: 'setting-multiple', says: 'should be a multiple of 4096: IoT Hub meters messages in 4 KB blocks, so the agent reports NotOptimal' },
    { name: 'snapshotFrequency', value: 'P2W', rule: 'duration-weeks', says: 'write days instead (P14D rather than P2W)' },
    { name: 'CollectorsCore_PriorityIntervals', value: '30,100,1440', rule: 'priority-intervals-multiples', says: 'should make each interval a multiple' },
    { name: 'NetworkActivity_Devices', value: 'eth0,,eth1', rule: 'list-empty-entry', says: 'has an empty entry' },
    { name: 'FileSystem_Paths', value: '/var/log,', rule: 'list-empty-entry', says: 'has an empty entry' },
  ])('warns about $name = $value ($rule)', ({ name, value, rule, says }) => {
    expect(check(name, value)).toEqual([{ path: `settings.${name}`, rule, severity: 'warning', message: expect.stringContaining(says) }]);
  });

  it('states bounds without a reason when the spec gives none', () => {
    const spec: SettingSpec = { type: 'integer', default: 5, min: 1, max: 10, description: 'custom' };
    expect(validateSettingValue('custom', spec, 11, 'x')[0]?.message).toBe('custom (11) must be at most 10');
    expect(validateSettingValue('custom', spec, 0, 'x')[0]?.message).toBe('custom (0) must be at least 1');
    const unbounded: SettingSpec = { type: 'integer', default: null, description: 'custom' };
    expect(validateSettingValue('custom', unbounded, -5, 'x')).toEqual([]);
  });
});
