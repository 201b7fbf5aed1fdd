import type { ProfileId, SettingValue } from '../../src/domain/agentProfile';
import { getAgentProfile } from '../../src/domain/agentProfiles';
import type { Baseline } from '../../src/domain/baseline';
import { defaultSettings } from '../../src/domain/defaultSettings';

export interface TestBaselineOptions extends Partial<Omit<Baseline, 'settings'>> {
  /** Settings whose values differ from the profile's defaults; every other setting keeps its default. */
  readonly changedSettings?: Readonly<Record<string, SettingValue>>;
}

/**
 * A valid stored baseline (`default` v1 of profile asc-classic unless told otherwise) holding every setting
 * of its profile, as the product stores them: the profile's defaults with `changedSettings` on top.
 */
export function testBaseline(options: TestBaselineOptions = {}): Baseline {
  const { changedSettings = {}, ...fields } = options;
  const profile: ProfileId = fields.profile ?? 'asc-classic';
  return {
    name: 'default',
    version: 1,
    createdAt: '2026-11-01T00:00:00.000Z',
    createdBy: 'test',
    description: 'test baseline',
    ...fields,
    profile,
    settings: { ...defaultSettings(getAgentProfile(profile)), ...changedSettings },
  };
}
