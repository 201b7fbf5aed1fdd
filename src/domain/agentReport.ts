import type { AgentProfile, SettingSpec, SettingValue } from './agentProfile';
import { parseAgentDuration } from './agentDuration';
import { configurationEntries, decodeEntry } from './desiredConfiguration';
import { describeValue } from './describeValue';
import { isJsonObject } from './jsonValue';
import { parsePriorityIntervals } from './priorityIntervals';

/**
 * What a security agent says back in its module twin's reported properties (domain.md §1.5–1.6):
 * - asc-classic (C and C# agents): the *effective* configuration under the same object name as in desired,
 *   every key wrapped `{ "value": x }`, defaults included, only the keys that agent knows. There is no
 *   status: "if there is a mismatch between the desired and the reported properties, then the agent was
 *   not able to parse the configuration". The C agent re-sends its old configuration after a rejected
 *   update; the C# agent sends nothing then.
 * - defender-micro-agent: `latest_state` is `"success"` or `"failed"`, and after a failure
 *   `latest_invalid_fields` lists the invalid fields. The documentation says no more; flat configuration
 *   keys reported beside them are read as the agent's effective configuration when present.
 * `reportedAt` is IoT Hub's `$metadata.$lastUpdated` of what was read (the hub stamps every reported write,
 * even one that repeats the same values), the one way to tell an answer to the current desired
 * configuration from an answer to an older one.
 */
export type AgentReport =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'accepted';
      /** Setting → value as reported, wrappers removed; only settings of the profile. */
      readonly settings: Readonly<Record<string, unknown>>;
      /** True when the agent said so explicitly (`latest_state: "success"`), not only by reporting values. */
      readonly confirmed: boolean;
      readonly reportedAt?: string;
    }
  | { readonly kind: 'rejected'; readonly invalidFields: readonly string[]; readonly detail: string; readonly reportedAt?: string };

/** The micro agent's status keys, at the root of `properties.reported` (domain.md §1.6). */
const LATEST_STATE = 'latest_state';
const LATEST_INVALID_FIELDS = 'latest_invalid_fields';

/** Reads the agent's answer out of `properties.reported` (anything that is not an object reads as no answer). */
export function readAgentReport(profile: AgentProfile, reported: unknown): AgentReport {
  if (!isJsonObject(reported)) return { kind: 'none' };
  if (profile.placement.kind === 'wrapped-object') {
    const key = profile.placement.objectKey;
    // A container the agents would never write (missing, null, not an object) is no answer at all.
    if (!isJsonObject(reported[key])) return { kind: 'none' };
    const { entries } = configurationEntries(profile, reported);
    const settings = Object.fromEntries(
      Object.entries(entries)
        .filter(([name]) => Object.hasOwn(profile.settings, name))
        .map(([name, entry]) => [name, decodeEntry(profile, entry).value]),
    );
    return { kind: 'accepted', settings, confirmed: false, ...at(lastUpdated(reported, key)) };
  }

  const settings = Object.fromEntries(Object.entries(reported).filter(([name]) => Object.hasOwn(profile.settings, name)));
  const state = reported[LATEST_STATE];
  if (state === 'failed') {
    const invalidFields = readFieldList(reported[LATEST_INVALID_FIELDS]);
    const detail =
      invalidFields.length === 0
        ? `the agent reports ${LATEST_STATE} "failed" without naming the invalid fields`
        : `the agent reports ${LATEST_STATE} "failed" with invalid fields ${invalidFields.join(', ')}`;
    return { kind: 'rejected', invalidFields, detail, ...at(lastUpdated(reported, LATEST_STATE)) };
  }
  if (state === 'success') return { kind: 'accepted', settings, confirmed: true, ...at(lastUpdated(reported, LATEST_STATE)) };
  // Another status is an answer still in the making; without any status, reported settings are the answer.
  if (state !== undefined || Object.keys(settings).length === 0) return { kind: 'none' };
  return { kind: 'accepted', settings, confirmed: false, ...at(lastUpdated(reported)) };
}

/** `latest_invalid_fields` as documented, "a list of the fields": a JSON array, or tolerated as a comma-separated string. */
function readFieldList(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return items.filter((item): item is string => typeof item === 'string').map((item) => item.trim()).filter((item) => item !== '');
}

function at(reportedAt: string | undefined): { reportedAt?: string } {
  return reportedAt === undefined ? {} : { reportedAt };
}

/**
 * IoT Hub's `$metadata.$lastUpdated` of a twin section (no `key`) or of one of its root entries: when it was
 * last written. Undefined when the twin carries no such metadata (as fakes do).
 */
export function lastUpdated(section: unknown, key?: string): string | undefined {
  if (!isJsonObject(section)) return undefined;
  const metadata = section['$metadata'];
  if (!isJsonObject(metadata)) return undefined;
  const node = key === undefined ? metadata : metadata[key];
  const stamp = isJsonObject(node) ? node['$lastUpdated'] : undefined;
  return typeof stamp === 'string' ? stamp : undefined;
}

/** A reported value that means something else than the baseline's, after the agents' normalisation. */
export interface ReportedMismatch {
  readonly setting: string;
  readonly expected: SettingValue;
  readonly reported: unknown;
}

/**
 * Compares the settings an agent reports with the settings it was given. Only settings present on both
 * sides are compared: an agent reports only the keys it knows (the C agent has no
 * `eventPriorityConnectedHardware`), and a setting the baseline leaves out runs at the agent's own
 * default, which may differ from the profile's (the C agent's cache is 10 MiB). `compared` counts the
 * settings both sides have.
 */
export function compareReportedSettings(
  profile: AgentProfile,
  expected: Readonly<Record<string, SettingValue>>,
  reported: Readonly<Record<string, unknown>>,
): { readonly mismatches: readonly ReportedMismatch[]; readonly compared: number } {
  const shared = Object.keys(expected).filter((setting) => Object.hasOwn(reported, setting));
  const mismatches = shared
    .filter((setting) => !sameEffectiveValue(profile.settings[setting], expected[setting] as SettingValue, reported[setting]))
    .map((setting) => ({ setting, expected: expected[setting] as SettingValue, reported: reported[setting] }));
  return { mismatches, compared: shared.length };
}

/**
 * Whether a reported value is the value the agent was given, allowing for how the agents write it back:
 * durations in their own canonical form (the C agent reports `PT420S` as `PT7M` and `P14D` as `P2W`), so
 * durations compare by length; priorities in lower case (`"low"` for `"Low"`), so enum strings compare
 * without case; the micro agent's priority intervals by their numbers. Anything else must be equal.
 */
function sameEffectiveValue(spec: SettingSpec | undefined, expected: SettingValue, reported: unknown): boolean {
  if (expected === reported) return true;
  if (typeof expected !== 'string' || typeof reported !== 'string' || spec === undefined) return false;
  switch (spec.type) {
    case 'duration': {
      const [a, b] = [parseAgentDuration(expected), parseAgentDuration(reported)];
      return a.ok && b.ok && a.milliseconds === b.milliseconds;
    }
    case 'enum':
      return expected.toLowerCase() === reported.toLowerCase();
    case 'priority-intervals': {
      const [a, b] = [parsePriorityIntervals(expected), parsePriorityIntervals(reported)];
      return a.ok && b.ok && a.intervals.high === b.intervals.high && a.intervals.medium === b.intervals.medium && a.intervals.low === b.intervals.low;
    }
    default:
      return false;
  }
}

/** One mismatch for an operator: `maxLocalCacheSizeInBytes reported 10485760, baseline 2560000`. */
export function describeMismatch(mismatch: ReportedMismatch): string {
  return `${mismatch.setting} reported ${describeValue(mismatch.reported)}, baseline ${describeValue(mismatch.expected)}`;
}
