import { describe, expect, it } from 'vitest';
import type { AgentProfile } from '../../../src/domain/agentProfile';
import { defaultSettings } from '../../../src/domain/defaultSettings';

describe('defaultSettings', () => {
  it('lists every default and leaves out settings without one', () => {
    const profile: AgentProfile = {
      id: 'defender-micro-agent',
      moduleId: 'm',
      displayName: 'test agent',
      placement: { kind: 'flat' },
      settings: {
        a: { type: 'integer', default: 0, description: 'zero is a default, not a missing one' },
        b: { type: 'boolean', default: false, description: 'so is false' },
        c: { type: 'string', default: null, description: 'no default' },
        d: { type: 'string', default: '', description: 'so is the empty string' },
      },
      crossFieldRules: [],
    };
    expect(defaultSettings(profile)).toEqual({ a: 0, b: false, d: '' });
  });
});
