import type { AgentProfile, SettingValue } from './agentProfile';
import { checkCrossFieldRules } from './checkCrossFieldRules';
import { describeValue } from './describeValue';
import { desiredConfigurationDocument } from './desiredConfiguration';
import { isJsonObject } from './jsonValue';
import { nearestName } from './nearestName';
import { checkTwinSection } from './twinLimits';
import { validateSettingValue } from './validateSettingValue';
import { errorIssue, toValidated, type ValidationIssue, type Validated } from './validationIssue';

/**
 * Validates a settings object (a baseline's, or configured overrides) against a profile: every key must be
 * a setting of the profile, every value must pass its spec, the profile's cross-field rules must hold, and
 * the resulting desired document must fit IoT Hub's twin rules. Issue paths start with `path`.
 */
export function validateSettings(
  profile: AgentProfile,
  settings: unknown,
  path = 'settings',
): Validated<Record<string, SettingValue>> {
  if (!isJsonObject(settings)) return { ok: false, issues: [settingsTypeIssue(path, settings)] };
  const issues: ValidationIssue[] = [];
  const known: [string, unknown][] = [];
  for (const [name, value] of Object.entries(settings)) {
    const settingPath = `${path}.${name}`;
    const spec = Object.hasOwn(profile.settings, name) ? profile.settings[name] : undefined;
    if (spec === undefined) {
      issues.push(errorIssue(settingPath, 'unknown-setting', unknownSettingMessage(profile, name)));
    } else if (value === null || value === undefined) {
      issues.push(
        errorIssue(settingPath, 'setting-type', `${name} has no value: to let the agent use its default, leave the setting out instead of setting it to null`),
      );
    } else {
      known.push([name, value]);
      issues.push(...validateSettingValue(name, spec, value, settingPath));
    }
  }
  const knownSettings = Object.fromEntries(known);
  issues.push(...checkCrossFieldRules(profile, knownSettings, path));
  // Measured on every scalar, not only valid ones: a string can be valid for its setting and still too long for IoT Hub.
  const scalars = Object.fromEntries(known.filter((entry): entry is [string, SettingValue] => isSettingValue(entry[1])));
  issues.push(...checkTwinSection('desired', desiredConfigurationDocument(profile, scalars)));
  return toValidated(scalars, issues);
}

/** The issue for a settings value that is not an object at all. */
export function settingsTypeIssue(path: string, settings: unknown): ValidationIssue {
  return errorIssue(path, 'settings-type', `${path} must be an object of setting names and values, not ${describeValue(settings)}`);
}

function isSettingValue(value: unknown): value is SettingValue {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function unknownSettingMessage(profile: AgentProfile, name: string): string {
  const suggestion = nearestName(name, Object.keys(profile.settings));
  const hint = suggestion === undefined ? `; see the ${profile.id} profile for its settings` : `; did you mean "${suggestion}"?`;
  return `"${name}" is not a setting of the ${profile.displayName}, which would ignore or reject it${hint}`;
}
