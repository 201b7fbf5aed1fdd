import { isBaselineName, isBaselineVersion } from './baseline';
import { describeValue } from './describeValue';
import { isIsoTimestamp } from './isoTimestamp';
import { isJsonObject } from './jsonValue';
import { checkTwinSection } from './twinLimits';
import { errorIssue, toValidated, type ValidationIssue, type Validated } from './validationIssue';

/**
 * Which baseline a module twin must hold lives on the twin itself, in `tags.securityBaseline` (DESIGN §3):
 * the hub is the source of truth, and progress is an IoT Hub query away. Note that `version` is a JSON
 * number, so queries compare it unquoted: `tags.securityBaseline.version = 3`.
 */
export const ASSIGNMENT_TAG = 'securityBaseline';

/** `enforce`: drift is corrected. `audit`: drift is only reported. */
export type AssignmentMode = 'enforce' | 'audit';

export interface BaselineAssignment {
  name: string;
  version: number;
  mode: AssignmentMode;
  /** ISO-8601 timestamp of the assignment. */
  assignedAt: string;
  /** The rollout that made this assignment, if any. */
  rolloutId?: string;
  /** ISO-8601 timestamp until which the device is exempt from enforcement. */
  exemptUntil?: string;
  exemptReason?: string;
}

export type AssignmentReading =
  | { kind: 'absent' }
  | { kind: 'valid'; assignment: BaselineAssignment }
  | { kind: 'invalid'; issues: ValidationIssue[] };

const OPTIONAL_FIELDS = ['rolloutId', 'exemptUntil', 'exemptReason'] as const;
const PATH = `tags.${ASSIGNMENT_TAG}`;

/**
 * Reads the assignment from a module twin's `tags`. No tags, or no `securityBaseline` tag, is `absent` (the
 * device has not been assigned yet); anything present but unusable is `invalid`, never guessed at. Fields
 * this version does not know are ignored, so a newer product version can add some.
 */
export function readAssignment(tags: unknown): AssignmentReading {
  if (tags === undefined || tags === null) return { kind: 'absent' };
  if (!isJsonObject(tags)) {
    return { kind: 'invalid', issues: [errorIssue('tags', 'assignment-type', `tags must be a JSON object, not ${describeValue(tags)}`)] };
  }
  if (!Object.hasOwn(tags, ASSIGNMENT_TAG)) return { kind: 'absent' };
  const validated = validateAssignment(tags[ASSIGNMENT_TAG]);
  return validated.ok ? { kind: 'valid', assignment: validated.value } : { kind: 'invalid', issues: validated.issues };
}

/**
 * Validates an assignment value (a tag read from a twin, or one about to be written): its fields, and that
 * the tag it makes fits IoT Hub's tag rules (an overlong `exemptReason` would make the whole PATCH fail).
 */
export function validateAssignment(value: unknown): Validated<BaselineAssignment> {
  if (!isJsonObject(value)) {
    return { ok: false, issues: [errorIssue(PATH, 'assignment-type', `${PATH} must be a JSON object, not ${describeValue(value)}`)] };
  }
  const issues: ValidationIssue[] = [];
  const fail = (field: string, rule: string, requirement: string): void => {
    issues.push(errorIssue(`${PATH}.${field}`, rule, `${PATH}.${field} (${describeValue(value[field])}) ${requirement}`));
  };
  const { name, version, mode, assignedAt, rolloutId, exemptUntil, exemptReason } = value;
  if (!isBaselineName(name)) fail('name', 'baseline-name', 'must be a baseline name: lower-case letters, digits and hyphens');
  if (!isBaselineVersion(version)) fail('version', 'baseline-version', 'must be a whole number of at least 1, written without quotes');
  if (mode !== 'enforce' && mode !== 'audit') fail('mode', 'assignment-mode', 'must be "enforce" or "audit"');
  if (!isIsoTimestamp(assignedAt)) fail('assignedAt', 'timestamp', 'must be an ISO-8601 timestamp with seconds and offset');
  if (rolloutId !== undefined && (typeof rolloutId !== 'string' || rolloutId === '')) fail('rolloutId', 'assignment-rollout', 'must be a non-empty string when present');
  if (exemptUntil !== undefined && !isIsoTimestamp(exemptUntil)) fail('exemptUntil', 'timestamp', 'must be an ISO-8601 timestamp with seconds and offset when present');
  if (exemptReason !== undefined && typeof exemptReason !== 'string') fail('exemptReason', 'assignment-exempt-reason', 'must be a string when present');

  const assignment = {
    name,
    version,
    mode,
    assignedAt,
    ...Object.fromEntries(OPTIONAL_FIELDS.filter((field) => value[field] !== undefined).map((field) => [field, value[field]])),
  } as BaselineAssignment;
  if (issues.length === 0) issues.push(...checkTwinSection('tags', { [ASSIGNMENT_TAG]: assignment }));
  return toValidated(assignment, issues);
}

/**
 * The `tags` of a twin PATCH that makes `tags.securityBaseline` exactly this assignment. Tags are merged
 * like desired properties, so optional fields the assignment lacks are sent as `null`: otherwise an old
 * `exemptUntil` or `rolloutId` would survive the new assignment.
 */
export function assignmentTagPatch(assignment: BaselineAssignment): Record<string, unknown> {
  const { name, version, mode, assignedAt } = assignment;
  const optional = Object.fromEntries(OPTIONAL_FIELDS.map((field) => [field, assignment[field] ?? null]));
  return { [ASSIGNMENT_TAG]: { name, version, mode, assignedAt, ...optional } };
}
