import type { AgentProfile } from './agentProfile';
import { ASSIGNMENT_TAG, readAssignment, type BaselineAssignment } from './assignment';
import type { Baseline } from './baseline';
import { diffConfiguration } from './configurationDiff';
import { isJsonObject } from './jsonValue';

/**
 * A twin-change notification is a hint that names one twin (DESIGN §1, level-triggered enforcement). Most
 * can be settled from the notification alone, without reading the twin: changes to other twins, an agent
 * answering back in reported properties, changes that touch neither the configuration nor the assignment,
 * and the echo of the product's own writes. What is left may be drift and is reconciled.
 */
export interface TwinChangeNotice {
  readonly deviceId: string;
  /** Absent for a device twin. */
  readonly moduleId?: string;
  readonly opType: 'updateTwin' | 'replaceTwin';
  /** The twin's version after the change (the body's `version`), when it says. */
  readonly version?: number;
  /** The change itself: on update the patch-like changed parts, on replace the whole twin. */
  readonly body: Readonly<Record<string, unknown>>;
}

export type TwinChangeHint =
  /** A device twin, or another module's twin: never ours to enforce. */
  | { readonly kind: 'other-twin' }
  /** Only reported properties changed: the agent answering back, not a change of what it is told. */
  | { readonly kind: 'reported-only' }
  /** Tags or desired properties changed, but neither the assignment tag nor the agent's configuration. */
  | { readonly kind: 'unrelated-change' }
  /**
   * The assignment or the configuration changed. `written` is what the body says was written, when it
   * holds both a readable assignment and a configuration: the product always writes the two together and
   * completely, so such a body may be the echo of its own write (`isEchoOf` tells, given the baseline).
   */
  | { readonly kind: 'may-be-drift'; readonly written?: { readonly assignment: BaselineAssignment; readonly desired: Readonly<Record<string, unknown>> } };

export function readTwinChangeHint(profile: AgentProfile, notice: TwinChangeNotice): TwinChangeHint {
  if (notice.moduleId !== profile.moduleId) return { kind: 'other-twin' };
  const { body } = notice;
  const tags = isJsonObject(body['tags']) ? body['tags'] : undefined;
  const properties = isJsonObject(body['properties']) ? body['properties'] : undefined;
  const desired = properties !== undefined && isJsonObject(properties['desired']) ? properties['desired'] : undefined;
  // A replaced twin may carry no tags or desired at all: that removed both, which is a change.
  const replaced = notice.opType === 'replaceTwin';

  const assignmentTouched = replaced || (tags !== undefined && Object.hasOwn(tags, ASSIGNMENT_TAG));
  const configurationTouched = replaced || (desired !== undefined && touchesConfiguration(profile, desired));
  if (!assignmentTouched && !configurationTouched) {
    return tags === undefined && desired === undefined ? { kind: 'reported-only' } : { kind: 'unrelated-change' };
  }

  const reading = readAssignment(tags === undefined ? undefined : withoutNulls(tags));
  if (reading.kind !== 'valid' || desired === undefined) return { kind: 'may-be-drift' };
  return { kind: 'may-be-drift', written: { assignment: reading.assignment, desired: withoutNulls(desired) } };
}

/**
 * True when the body holds exactly `baseline` and its assignment: the twin is now as assigned whatever it
 * was before (a PATCH of the complete configuration leaves nothing else behind), so nothing is to be done.
 */
export function isEchoOf(profile: AgentProfile, written: NonNullable<Extract<TwinChangeHint, { kind: 'may-be-drift' }>['written']>, baseline: Baseline): boolean {
  const { assignment } = written;
  return assignment.name === baseline.name && assignment.version === baseline.version && diffConfiguration(profile, written.desired, baseline.settings).length === 0;
}

function touchesConfiguration(profile: AgentProfile, desired: Readonly<Record<string, unknown>>): boolean {
  const keys = Object.keys(desired).filter((key) => !key.startsWith('$'));
  return profile.placement.kind === 'flat' ? keys.length > 0 : keys.includes(profile.placement.objectKey);
}

/**
 * The body of an update is the patch as written: `null` marks a key removed. What stands after the change
 * is the same object without those keys (two levels deep: a wrapped configuration removes settings inside
 * its object).
 */
function withoutNulls(value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, inner]) => inner !== null && !key.startsWith('$'))
      .map(([key, inner]) => [key, isJsonObject(inner) ? Object.fromEntries(Object.entries(inner).filter(([, leaf]) => leaf !== null)) : inner]),
  );
}
