import type { AgentProfile } from './agentProfile';
import { compareReportedSettings, describeMismatch, lastUpdated, readAgentReport, type AgentReport } from './agentReport';
import { readAssignment, type BaselineAssignment } from './assignment';
import type { Baseline } from './baseline';
import { diffConfiguration } from './configurationDiff';

/**
 * Compliance of one security module twin (DESIGN §3), checked in this order, the first that holds wins:
 * - `unmanaged`: no module twin, no or an unreadable `tags.securityBaseline`, or an assigned baseline that
 *   does not exist (or is for the other agent): the product has nothing to hold the twin to;
 * - `exempt`: `exemptUntil` is in the future, so nothing is compared;
 * - `contested` / `drifted`: the desired configuration differs from the assigned baseline. `contested`
 *   when corrections back off until a later time (someone keeps changing the twin back), else `drifted`
 *   (audit mode included: recorded, left). A contest without a difference now is no longer a finding;
 * - `compliant` / `pending` / `rejected`, from the agent's answer (readAgentReport):
 *   - `compliant`: the settings the agent reports agree with the baseline after its normalisation, or it
 *     confirmed the current configuration (the micro agent's `latest_state: "success"`);
 *   - `rejected`: the agent answered the *current* desired configuration with invalid fields or with a
 *     configuration that differs (the C agent re-sends its old configuration when it refuses an update);
 *   - `pending`: no answer yet, or the answer is older than the desired configuration.
 *   "Current" means the answer was written at or after the desired properties' `$metadata.$lastUpdated`:
 *   the agents answer every desired update, so a disagreeing answer stamped later is a refusal, and one
 *   stamped earlier has not caught up yet. Without those stamps a disagreement stays `pending`: a refusal
 *   is alert-worthy and needs the proof. The C# agent sends nothing after a refusal, so for it a refused
 *   configuration stays `pending`, with the time it was written in the reason.
 */
export type ComplianceState = 'compliant' | 'drifted' | 'pending' | 'rejected' | 'exempt' | 'contested' | 'unmanaged';

/** Every state, in the order the fleet counts list them. */
export const complianceStates: readonly ComplianceState[] = ['compliant', 'pending', 'rejected', 'drifted', 'contested', 'exempt', 'unmanaged'];

export interface ComplianceInput {
  readonly profile: AgentProfile;
  /** The security module twin; undefined when the device has no such module (or no longer exists). */
  readonly twin: { readonly tags: unknown; readonly desired: unknown; readonly reported: unknown } | undefined;
  /** The baseline the assignment names, as the caller found it; undefined when it does not exist. */
  readonly baseline: Baseline | undefined;
  readonly now: Date;
  /** Until when corrections of this twin back off (ISO-8601), as the enforcer says; undefined when they do not. */
  readonly contestedUntil?: string;
}

export interface ComplianceVerdict {
  readonly state: ComplianceState;
  /** One sentence for an operator: why this state. */
  readonly reason: string;
  /** The settings the reason is about (those that differ, or that the agent refused), when there are any. */
  readonly settings?: readonly string[];
}

/** Settings named inline in a reason; the verdict's `settings` lists them all. */
const namedInReason = 3;

export function classifyCompliance(input: ComplianceInput): ComplianceVerdict {
  const { profile, twin, baseline, now } = input;
  if (twin === undefined) {
    return { state: 'unmanaged', reason: `the device has no ${profile.moduleId} module (or the device does not exist)` };
  }
  const reading = readAssignment(twin.tags);
  if (reading.kind === 'absent') return { state: 'unmanaged', reason: 'no baseline is assigned: the twin has no tags.securityBaseline' };
  if (reading.kind === 'invalid') {
    return { state: 'unmanaged', reason: `tags.securityBaseline cannot be read: ${reading.issues.map((issue) => issue.message).join('; ')}` };
  }

  const { assignment } = reading;
  const named = `${assignment.name} v${assignment.version}`;
  if (assignment.exemptUntil !== undefined && Date.parse(assignment.exemptUntil) > now.getTime()) {
    const why = assignment.exemptReason === undefined || assignment.exemptReason === '' ? '' : `: ${assignment.exemptReason}`;
    return { state: 'exempt', reason: `exempt from ${named} until ${assignment.exemptUntil}${why}` };
  }
  if (baseline === undefined) return { state: 'unmanaged', reason: `the assigned baseline ${named} does not exist` };
  if (baseline.profile !== profile.id) {
    return { state: 'unmanaged', reason: `the assigned baseline ${named} is for agent profile ${baseline.profile}, not ${profile.id}` };
  }

  const changes = diffConfiguration(profile, twin.desired, baseline.settings);
  if (changes.length > 0) {
    const settings = changes.map((change) => change.setting);
    const differs = `the desired configuration differs from ${named} in ${countOf(settings, 'setting')} (${listed(settings)})`;
    if (input.contestedUntil !== undefined && Date.parse(input.contestedUntil) > now.getTime()) {
      return { state: 'contested', reason: `${differs}; the twin keeps being changed back, so corrections back off until ${input.contestedUntil}`, settings };
    }
    const then = assignment.mode === 'audit' ? 'audit mode: recorded, not corrected' : 'enforcement puts it back';
    return { state: 'drifted', reason: `${differs}; ${then}`, settings };
  }

  return classifyAnswer(profile, assignment, baseline, readAgentReport(profile, twin.reported), lastUpdated(twin.desired));
}

/** The agent's answer to a desired configuration that holds the assigned baseline. */
function classifyAnswer(profile: AgentProfile, assignment: BaselineAssignment, baseline: Baseline, report: AgentReport, desiredAt: string | undefined): ComplianceVerdict {
  const named = `${assignment.name} v${assignment.version}`;
  const since = desiredAt === undefined ? '' : ` (desired configuration written ${desiredAt})`;
  if (report.kind === 'none') return { state: 'pending', reason: `the agent has not reported its configuration yet${since}` };

  const current = report.reportedAt !== undefined && desiredAt !== undefined && Date.parse(report.reportedAt) >= Date.parse(desiredAt);
  if (report.kind === 'rejected') {
    const settings = report.invalidFields.length === 0 ? {} : { settings: report.invalidFields };
    return current
      ? { state: 'rejected', reason: `the agent refused ${named}: ${report.detail}`, ...settings }
      : { state: 'pending', reason: `the agent refused an earlier configuration (${report.detail}) and has not answered ${named} yet${since}`, ...settings };
  }

  const { mismatches, compared } = compareReportedSettings(profile, baseline.settings, report.settings);
  if (mismatches.length === 0) {
    if (compared > 0) return { state: 'compliant', reason: `the agent reports ${named}: ${countOf(compared, 'setting')} agree` };
    if (current) return { state: 'compliant', reason: `the agent ${report.confirmed ? 'confirmed' : 'reported after'} ${named}` };
    return { state: 'pending', reason: `the agent has not answered ${named} yet${since}` };
  }
  const settings = mismatches.map((mismatch) => mismatch.setting);
  const differences = mismatches.slice(0, namedInReason).map(describeMismatch).join('; ');
  const more = mismatches.length > namedInReason ? `; and ${mismatches.length - namedInReason} more` : '';
  return current
    ? { state: 'rejected', reason: `the agent answered ${named} with another configuration, so it refused it: ${differences}${more}`, settings }
    : { state: 'pending', reason: `the agent still reports an older configuration (${differences}${more}) and has not answered ${named} yet${since}`, settings };
}

function countOf(value: readonly unknown[] | number, noun: string): string {
  const count = typeof value === 'number' ? value : value.length;
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function listed(settings: readonly string[]): string {
  const more = settings.length > namedInReason ? `, and ${settings.length - namedInReason} more` : '';
  return `${settings.slice(0, namedInReason).join(', ')}${more}`;
}
