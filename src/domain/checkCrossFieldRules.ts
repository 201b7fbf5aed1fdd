import type { AgentProfile, OrderingRule } from './agentProfile';
import { parseAgentDuration } from './agentDuration';
import { describeValue } from './describeValue';
import type { ValidationIssue } from './validationIssue';

/** A setting's value as the agent will see it: how a message shows it, and the number it compares by. */
interface EffectiveValue {
  shown: string;
  magnitude: number;
}

/**
 * Evaluates the profile's cross-field rules against a settings object (keys already known to the
 * profile). A value that cannot be compared (wrong type, unparsable duration) is skipped: its own issue is
 * reported by the per-setting check, and comparing it would only add noise.
 */
export function checkCrossFieldRules(
  profile: AgentProfile,
  settings: Readonly<Record<string, unknown>>,
  pathPrefix: string,
): ValidationIssue[] {
  return profile.crossFieldRules.flatMap((rule) => checkOrdering(profile, rule, settings, pathPrefix));
}

function checkOrdering(
  profile: AgentProfile,
  rule: OrderingRule,
  settings: Readonly<Record<string, unknown>>,
  pathPrefix: string,
): ValidationIssue[] {
  const left = effectiveValue(profile, rule.setting, settings);
  const right = effectiveValue(profile, rule.other, settings);
  if (left === undefined || right === undefined) return [];
  const holds = rule.relation === 'at-least' ? left.magnitude >= right.magnitude : left.magnitude <= right.magnitude;
  if (holds) return [];
  const relation = rule.relation === 'at-least' ? 'at least' : 'at most';
  return [
    {
      path: `${pathPrefix}.${rule.setting}`,
      rule: rule.rule,
      severity: rule.severity,
      message: `${rule.setting} (${left.shown}) must be ${relation} ${rule.other} (${right.shown}): ${rule.consequence}`,
    },
  ];
}

/**
 * The value the agent will run with: the one in the settings, or the profile default when the settings
 * leave the key out (the agent then uses its default). Integers compare as numbers, durations by length.
 */
function effectiveValue(profile: AgentProfile, name: string, settings: Readonly<Record<string, unknown>>): EffectiveValue | undefined {
  const spec = profile.settings[name];
  if (spec === undefined) return undefined;
  const explicit = Object.hasOwn(settings, name);
  const value = explicit ? settings[name] : spec.default;
  const shown = explicit ? describeValue(value) : `${describeValue(value)}, the default`;
  if (spec.type === 'integer' && typeof value === 'number' && Number.isInteger(value)) return { shown, magnitude: value };
  if (spec.type === 'duration' && typeof value === 'string') {
    const parsed = parseAgentDuration(value);
    return parsed.ok ? { shown, magnitude: parsed.milliseconds } : undefined;
  }
  return undefined;
}
