import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../src/domain/defaultSettings';
import { defenderMicroAgent } from '../../../src/domain/profiles/defenderMicroAgent';
import { microAgent } from '../../local/securityAgents/microAgent';

const none: ReadonlySet<string> = new Set();
const defaults = defaultSettings(defenderMicroAgent);

describe('the simulated micro agent (defender-micro-agent)', () => {
  it('takes a valid configuration: success, no invalid fields, and its effective configuration with defaults', () => {
    const answer = microAgent({ Process_Mode: 3, FileSystem_Paths: '/etc', $version: 4, unknownKey: 'x' }, {}, none);
    expect(answer).toEqual({
      reported: { ...defaults, Process_Mode: 3, FileSystem_Paths: '/etc', latest_state: 'success', latest_invalid_fields: [] },
      invalidFields: [],
    });
  });

  it('removes a setting it no longer has a value for from what it reported', () => {
    const before = microAgent({ FileSystem_Paths: '/etc' }, {}, none).reported;
    expect(microAgent({ FileSystem_Paths: null }, before, none).reported).toEqual({ ...defaults, FileSystem_Paths: null, latest_state: 'success', latest_invalid_fields: [] });
  });

  it.each([
    ['an undocumented mode', { Process_Mode: 4 }, ['Process_Mode']],
    ['a cache size of 0', { Process_CacheSize: 0 }, ['Process_CacheSize']],
    ['a frequency in lower case', { Login_MessageFrequency: 'low' }, ['Login_MessageFrequency']],
    ['two priority intervals', { CollectorsCore_PriorityIntervals: '30,120' }, ['CollectorsCore_PriorityIntervals']],
    ['a boolean as a string', { Login_UsePAM: 'true' }, ['Login_UsePAM']],
    ['an object', { NetworkActivity_Devices: { value: 'eth0' } }, ['NetworkActivity_Devices']],
    ['two bad fields', { Process_Mode: 0, Login_UsePAM: 1 }, ['Login_UsePAM', 'Process_Mode']],
  ])('fails %s: latest_state "failed" with the invalid fields, and nothing else written', (_what, desired, invalidFields) => {
    const answer = microAgent(desired, {}, none);
    expect(answer.invalidFields).toEqual(invalidFields);
    expect(answer.reported).toEqual({ latest_state: 'failed', latest_invalid_fields: invalidFields });
  });

  it('accepts what the documentation only warns about', () => {
    expect(microAgent({ CollectorsCore_PriorityIntervals: '30,100,1440', Baseline_ChecksDisabled: 'a,,b' }, {}, none).invalidFields).toEqual([]);
  });

  it('as a rejecting agent, refuses the settings it is told to whenever they are set', () => {
    const refused = new Set(['Process_Mode']);
    expect(microAgent({ Process_Mode: 1 }, {}, refused).invalidFields).toEqual(['Process_Mode']);
    expect(microAgent({ Process_Mode: null, Login_UsePAM: true }, {}, refused).invalidFields).toEqual([]);
  });
});
