import type { AgentProfile, SettingValue } from './agentProfile';

/**
 * The profile's documented defaults as a settings object, leaving out settings without a default (`null`):
 * for those the product writes nothing and the agent decides. For asc-classic this is exactly the
 * published default configuration (domain.md Appendix A).
 */
export function defaultSettings(profile: AgentProfile): Record<string, SettingValue> {
  return Object.fromEntries(
    Object.entries(profile.settings).flatMap(([name, spec]) => (spec.default === null ? [] : [[name, spec.default]])),
  );
}
