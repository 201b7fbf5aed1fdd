import type { SettingValue } from './agentProfile';
import { agentProfiles, getAgentProfile, isProfileId } from './agentProfiles';
import { isBaselineName, isBaselineVersion, type Baseline } from './baseline';
import { describeValue } from './describeValue';
import { isIsoTimestamp } from './isoTimestamp';
import { isJsonObject } from './jsonValue';
import { nearestName } from './nearestName';
import { settingsTypeIssue, validateSettings } from './validateSettings';
import { errorIssue, toValidated, type ValidationIssue, type Validated } from './validationIssue';

export { defaultSettings } from './defaultSettings';
export { validateSettings } from './validateSettings';

const FIELDS = ['name', 'version', 'profile', 'settings', 'createdAt', 'createdBy', 'description'] as const;

/**
 * Validates an untrusted baseline (an HTTP body, a stored row) before it is stored or used: its identity
 * fields, and its settings against its profile (see validateSettings), including IoT Hub's twin limits for
 * the desired document the baseline produces. Unknown top-level fields are rejected so that a misspelt
 * field (`setting` for `settings`) cannot silently produce an empty baseline.
 */
export function validateBaseline(input: unknown): Validated<Baseline> {
  if (!isJsonObject(input)) {
    return { ok: false, issues: [errorIssue('', 'baseline-type', `a baseline must be a JSON object, not ${describeValue(input)}`)] };
  }
  const issues: ValidationIssue[] = [];
  for (const field of Object.keys(input)) {
    if (!(FIELDS as readonly string[]).includes(field)) {
      const suggestion = nearestName(field, FIELDS);
      const hint = suggestion === undefined ? `; a baseline has ${FIELDS.join(', ')}` : `; did you mean "${suggestion}"?`;
      issues.push(errorIssue(field, 'unknown-field', `"${field}" is not a baseline field${hint}`));
    }
  }
  const { name, version, profile, settings, createdAt, createdBy, description } = input;
  if (!isBaselineName(name)) {
    issues.push(
      errorIssue('name', 'baseline-name', `name (${describeValue(name)}) must be 1 to 63 lower-case letters, digits or hyphens, starting with a letter or digit: it is used in twin tags, IoT Hub queries, table keys and URLs`),
    );
  }
  if (!isBaselineVersion(version)) {
    issues.push(errorIssue('version', 'baseline-version', `version (${describeValue(version)}) must be a whole number of at least 1`));
  }
  let validSettings: Record<string, SettingValue> = {};
  if (isProfileId(profile)) {
    const checked = validateSettings(getAgentProfile(profile), settings);
    if (checked.ok) {
      validSettings = checked.value;
      issues.push(...checked.warnings);
    } else {
      issues.push(...checked.issues);
    }
  } else {
    const known = Object.keys(agentProfiles).join(', ');
    issues.push(errorIssue('profile', 'unknown-profile', `profile (${describeValue(profile)}) must be one of ${known}`));
    // Without a profile the settings cannot be checked further, but their shape can.
    if (!isJsonObject(settings)) issues.push(settingsTypeIssue('settings', settings));
  }
  if (!isIsoTimestamp(createdAt)) {
    issues.push(
      errorIssue('createdAt', 'timestamp', `createdAt (${describeValue(createdAt)}) must be an ISO-8601 timestamp with seconds and offset, such as "2024-05-01T12:00:00Z"`),
    );
  }
  if (typeof createdBy !== 'string' || createdBy.trim() === '') {
    issues.push(errorIssue('createdBy', 'baseline-author', `createdBy (${describeValue(createdBy)}) must name who created the baseline`));
  }
  if (typeof description !== 'string') {
    issues.push(errorIssue('description', 'baseline-description', `description (${describeValue(description)}) must be a string (it may be empty)`));
  }
  // The casts are safe only because the value is returned solely when no error was found above.
  const baseline = { name, version, profile, settings: validSettings, createdAt, createdBy, description } as Baseline;
  return toValidated(baseline, issues);
}
