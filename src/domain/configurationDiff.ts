import type { AgentProfile, SettingValue } from './agentProfile';
import { configurationEntries, decodeEntry, desiredConfigurationDocument, encodeSettingValue } from './desiredConfiguration';
import { jsonEqual } from './jsonValue';

/**
 * One difference between a twin's desired configuration and a baseline, in plain values (wrappers removed).
 * `from` is the twin's value (absent for `added`), `to` the baseline's (absent for `removed`).
 */
export interface SettingChange {
  setting: string;
  /** `added`: the baseline has it, the twin lacks it; `removed`: the twin has it, the baseline lacks it. */
  kind: 'added' | 'changed' | 'removed';
  from?: unknown;
  to?: unknown;
  /**
   * True when the twin holds the entry in a shape the agent cannot read: a bare value or an object with
   * extra keys where `{ "value": x }` is expected, or a configuration object that is not an object. `from`
   * then shows the raw twin entry, and may look equal to `to` (a bare `"PT7M"` versus `"PT7M"`).
   */
  malformed?: true;
}

/**
 * Differences between the twin's desired configuration and `settings`, sorted by setting name; empty
 * exactly when the twin already holds the baseline (deep-equal in twin form, key order irrelevant), i.e.
 * when reconciling would not need to PATCH.
 */
export function diffConfiguration(
  profile: AgentProfile,
  currentDesired: unknown,
  settings: Readonly<Record<string, SettingValue>>,
): SettingChange[] {
  const { entries, malformedContainer } = configurationEntries(profile, currentDesired);
  const changes: SettingChange[] = [];
  if (malformedContainer !== undefined) {
    const replacement = desiredConfigurationDocument(profile, settings)[malformedContainer.key];
    changes.push({ setting: malformedContainer.key, kind: 'changed', from: malformedContainer.value, to: replacement, malformed: true });
  }
  const names = new Set([...Object.keys(entries), ...Object.keys(settings)]);
  for (const setting of names) {
    const inTwin = Object.hasOwn(entries, setting);
    const inBaseline = Object.hasOwn(settings, setting);
    if (!inTwin) {
      changes.push({ setting, kind: 'added', to: settings[setting] });
      continue;
    }
    const current = decodeEntry(profile, entries[setting]);
    const malformed: { malformed?: true } = current.wellFormed ? {} : { malformed: true };
    if (!inBaseline) {
      changes.push({ setting, kind: 'removed', from: current.value, ...malformed });
    } else if (!jsonEqual(entries[setting], encodeSettingValue(profile, settings[setting] as SettingValue))) {
      changes.push({ setting, kind: 'changed', from: current.value, to: settings[setting], ...malformed });
    }
  }
  // Code-unit order, not localeCompare: the order must not depend on the host's locale.
  return changes.sort((a, b) => (a.setting < b.setting ? -1 : 1));
}
