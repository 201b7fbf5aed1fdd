import type { AgentProfile, ProfileId } from './agentProfile';
import { ascClassic } from './profiles/ascClassic';
import { defenderMicroAgent } from './profiles/defenderMicroAgent';

/** The profiles the product knows, by id. */
export const agentProfiles: Readonly<Record<ProfileId, AgentProfile>> = {
  'asc-classic': ascClassic,
  'defender-micro-agent': defenderMicroAgent,
};

/** Own-property check, so `toString` or `__proto__` read from an HTTP body is never taken for a profile. */
export function isProfileId(value: unknown): value is ProfileId {
  return typeof value === 'string' && Object.hasOwn(agentProfiles, value);
}

export function getAgentProfile(id: ProfileId): AgentProfile {
  return agentProfiles[id];
}
