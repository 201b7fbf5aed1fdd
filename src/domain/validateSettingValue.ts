import type { EnumSettingSpec, IntegerSettingSpec, SettingSpec } from './agentProfile';
import { parseAgentDuration } from './agentDuration';
import { describeValue } from './describeValue';
import { parsePriorityIntervals } from './priorityIntervals';
import { errorIssue, warningIssue, type ValidationIssue } from './validationIssue';

/** Said after every type mismatch: both agents read typed JSON values and reject the update otherwise. */
const TYPE_CONSEQUENCE = 'the agent cannot read a value of another type and rejects the configuration';

/**
 * Checks one setting value against its spec and returns every issue found. `name` is the setting as the
 * operator wrote it; `path` is where it sits in the validated document (e.g. `settings.snapshotFrequency`).
 */
export function validateSettingValue(name: string, spec: SettingSpec, value: unknown, path: string): ValidationIssue[] {
  const shown = `${name} (${describeValue(value)})`;
  const wrongType = (expected: string): ValidationIssue[] => [
    errorIssue(path, 'setting-type', `${shown} must be ${expected}: ${TYPE_CONSEQUENCE}`),
  ];

  switch (spec.type) {
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return wrongType(typeof value === 'string' ? 'a whole number written without quotes' : 'a whole number');
      }
      return checkInteger(shown, spec, value, path);
    case 'boolean':
      return typeof value === 'boolean' ? [] : wrongType('true or false, written without quotes');
    case 'enum':
      return checkEnum(shown, spec, value, path);
    case 'duration': {
      if (typeof value !== 'string') return wrongType('an ISO-8601 duration string such as "PT7M"');
      const parsed = parseAgentDuration(value);
      if (!parsed.ok) return [errorIssue(path, parsed.rule, `${shown} ${parsed.reason}`)];
      return parsed.usesWeeks
        ? [warningIssue(path, 'duration-weeks', `${shown} uses weeks: the C# agent reads durations with the XSD grammar, which has no weeks, so write days instead (P14D rather than P2W)`)]
        : [];
    }
    case 'priority-intervals': {
      if (typeof value !== 'string') return wrongType('a string such as "30,120,1440"');
      const parsed = parsePriorityIntervals(value);
      if (!parsed.ok) return [errorIssue(path, 'priority-intervals-format', `${shown} ${parsed.reason}`)];
      return parsed.multiplesOfEachOther
        ? []
        : [warningIssue(path, 'priority-intervals-multiples', `${shown} should make each interval a multiple of the one before it (Medium of High, Low of Medium), so sends coincide and the device wakes up less often`)];
    }
    case 'list':
      if (typeof value !== 'string') return wrongType('a comma-separated string');
      return value !== '' && value.split(',').some((entry) => entry.trim() === '')
        ? [warningIssue(path, 'list-empty-entry', `${shown} has an empty entry between commas: remove the extra comma`)]
        : [];
    case 'string':
      return typeof value === 'string' ? [] : wrongType('a string');
  }
}

function checkInteger(shown: string, spec: IntegerSettingSpec, value: number, path: string): ValidationIssue[] {
  const why = spec.rangeReason === undefined ? '' : `: ${spec.rangeReason}`;
  if (spec.min !== undefined && value < spec.min) {
    return [errorIssue(path, 'setting-range', `${shown} must be at least ${spec.min}${why}`)];
  }
  if (spec.max !== undefined && value > spec.max) {
    return [errorIssue(path, 'setting-range', `${shown} must be at most ${spec.max}${why}`)];
  }
  const multiple = spec.recommendedMultipleOf;
  if (multiple !== undefined && value % multiple.factor !== 0) {
    return [warningIssue(path, 'setting-multiple', `${shown} should be a multiple of ${multiple.factor}: ${multiple.reason}`)];
  }
  return [];
}

function checkEnum(shown: string, spec: EnumSettingSpec, value: unknown, path: string): ValidationIssue[] {
  if (spec.values.some((allowed) => allowed === value)) return [];
  const listed = spec.values.map(describeValue).join(', ');
  // Agents match some values case-insensitively, but the product keeps one canonical spelling (see EnumSettingSpec).
  const sameIgnoringCase =
    typeof value === 'string'
      ? spec.values.find((allowed) => typeof allowed === 'string' && allowed.toLowerCase() === value.toLowerCase())
      : undefined;
  const hint = sameIgnoringCase === undefined ? '' : `; values are case-sensitive here, write ${describeValue(sameIgnoringCase)}`;
  return [errorIssue(path, 'setting-enum', `${shown} must be one of ${listed}${hint}`)];
}
