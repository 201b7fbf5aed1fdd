import { describe, expect, it } from 'vitest';
import { agentProfiles, getAgentProfile, isProfileId } from '../../../src/domain/agentProfiles';
import { defaultSettings } from '../../../src/domain/defaultSettings';
import { desiredConfigurationDocument } from '../../../src/domain/desiredConfiguration';
import { ascClassic } from '../../../src/domain/profiles/ascClassic';
import { defenderMicroAgent } from '../../../src/domain/profiles/defenderMicroAgent';
import { validateSettings } from '../../../src/domain/validateSettings';
import { appendixADesired } from './appendixA';

describe('agentProfiles', () => {
  it('knows both profiles by id', () => {
    expect(Object.keys(agentProfiles)).toEqual(['asc-classic', 'defender-micro-agent']);
    expect(getAgentProfile('asc-classic')).toBe(ascClassic);
    expect(getAgentProfile('defender-micro-agent')).toBe(defenderMicroAgent);
  });

  it.each([
    { value: 'asc-classic', expected: true },
    { value: 'defender-micro-agent', expected: true },
    { value: 'ASC-classic', expected: false },
    { value: 'toString', expected: false },
    { value: '__proto__', expected: false },
    { value: 1, expected: false },
    { value: undefined, expected: false },
  ])('isProfileId($value) is $expected', ({ value, expected }) => {
    expect(isProfileId(value)).toBe(expected);
  });

  it.each(Object.values(agentProfiles))('$id is plain data that survives JSON', (profile) => {
    expect(JSON.parse(JSON.stringify(profile))).toEqual(profile);
  });

  it.each(Object.values(agentProfiles))('$id has defaults that pass its own validation without warnings', (profile) => {
    expect(validateSettings(profile, defaultSettings(profile))).toEqual({ ok: true, value: defaultSettings(profile), warnings: [] });
  });

  it.each(Object.values(agentProfiles).flatMap((profile) => profile.crossFieldRules.map((rule) => ({ profile, rule }))))(
    '$profile.id rule $rule.rule compares two settings of one comparable type',
    ({ profile, rule }) => {
      const left = profile.settings[rule.setting];
      const right = profile.settings[rule.other];
      expect(left?.type).toBeDefined();
      expect(left?.type).toBe(right?.type);
      expect(['integer', 'duration']).toContain(left?.type);
    },
  );
});

describe('asc-classic profile', () => {
  it('lives in module azureiotsecurity, wrapped under the published object key', () => {
    expect(ascClassic.moduleId).toBe('azureiotsecurity');
    expect(ascClassic.placement).toEqual({ kind: 'wrapped-object', objectKey: 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration' });
  });

  it('has the 25 settings of Appendix A, and its defaults document is Appendix A exactly', () => {
    expect(Object.keys(ascClassic.settings)).toHaveLength(25);
    expect(desiredConfigurationDocument(ascClassic, defaultSettings(ascClassic))).toEqual(appendixADesired);
  });

  it('offers priorities Off, Low and High, and durations for every frequency and interval', () => {
    const entries = Object.entries(ascClassic.settings);
    const priorities = entries.filter(([name]) => name.startsWith('eventPriority'));
    const durations = entries.filter(([name]) => name.endsWith('Frequency') || name.startsWith('aggregationInterval'));
    expect(priorities).toHaveLength(14);
    expect(durations).toHaveLength(6);
    for (const [, spec] of priorities) expect(spec).toMatchObject({ type: 'enum', values: ['Off', 'Low', 'High'] });
    for (const [, spec] of durations) expect(spec.type).toBe('duration');
  });
});

describe('defender-micro-agent profile', () => {
  it('lives in module DefenderIotMicroAgent with flat keys', () => {
    expect(defenderMicroAgent.moduleId).toBe('DefenderIotMicroAgent');
    expect(defenderMicroAgent.placement).toEqual({ kind: 'flat' });
  });

  it('has the documented defaults, leaving out the settings documented as Null or None', () => {
    const collectors = { Baseline: 'Low', SystemInformation: 'Low', SBoM: 'Low', Heartbeat: 'Low', Login: 'Medium', NetworkActivity: 'Medium', Process: 'Medium', LogCollector: 'Low', FileSystem: 'Low', Peripheral: 'Low', Statistics: 'Low' };
    const expected: Record<string, unknown> = {
      CollectorsCore_PriorityIntervals: '30,120,1440',
      Login_UsePAM: false,
      IothubModule_MessageTimeout: 2880,
      NetworkActivity_Devices: 'eth0',
      NetworkActivity_CacheSize: 256,
      NetworkActivity_PacketBufferSize: 2097152,
      Process_PollingInterval: 100000,
      Process_Mode: 1,
      Process_CacheSize: 256,
      FileSystem_Recursive: true,
      FileSystem_CacheSize: 256,
      Peripheral_CacheSize: 256,
      Statistics_CacheSize: 256,
    };
    for (const [collector, frequency] of Object.entries(collectors)) {
      expected[`${collector}_Disabled`] = false;
      expected[`${collector}_MessageFrequency`] = frequency;
    }
    expect(defaultSettings(defenderMicroAgent)).toEqual(expected);
  });

  it('knows the settings without a default', () => {
    const withoutDefault = Object.entries(defenderMicroAgent.settings).filter(([, spec]) => spec.default === null).map(([name]) => name);
    expect(withoutDefault.sort()).toEqual([
      'Baseline_ChecksDisabled',
      'Baseline_GroupsDisabled',
      'FileSystem_Paths',
      'SystemInformation_FirmwareVendor',
      'SystemInformation_FirmwareVersion',
      'SystemInformation_HardwareModel',
      'SystemInformation_HardwareSerialNumber',
      'SystemInformation_HardwareVendor',
    ]);
  });
});
