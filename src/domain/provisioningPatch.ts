import type { AgentProfile } from './agentProfile';
import { assignmentTagPatch, type BaselineAssignment } from './assignment';
import type { Baseline } from './baseline';
import { desiredConfigurationPatch } from './desiredConfiguration';
import { InvariantError } from './productError';

export interface ProvisioningPatch {
  tags: Record<string, unknown>;
  properties: { desired: Record<string, unknown> };
}

/**
 * The one module-twin PATCH body provisioning sends: the assignment tag and the complete baseline
 * configuration together, so a device is never seen assigned but unconfigured (or the reverse). Mixing up
 * profile, baseline and assignment is a programming error and throws an InvariantError (a bug) rather than
 * writing one baseline's settings under another's name.
 */
export function provisioningPatch(
  profile: AgentProfile,
  baseline: Baseline,
  assignment: BaselineAssignment,
  currentDesired?: Readonly<Record<string, unknown>>,
): ProvisioningPatch {
  if (baseline.profile !== profile.id) {
    throw new InvariantError('ProfileMismatch', `baseline ${baseline.name} v${baseline.version} is for profile ${baseline.profile}, not ${profile.id}`);
  }
  if (assignment.name !== baseline.name || assignment.version !== baseline.version) {
    throw new InvariantError(
      'AssignmentMismatch',
      `assignment to ${assignment.name} v${assignment.version} does not match baseline ${baseline.name} v${baseline.version}`,
    );
  }
  return {
    tags: assignmentTagPatch(assignment),
    properties: { desired: desiredConfigurationPatch(profile, baseline.settings, currentDesired) },
  };
}
