import type { AgentProfile, SettingValue } from './agentProfile';
import { isJsonObject } from './jsonValue';

/**
 * How a baseline's settings map onto a module twin's `properties.desired`, in both directions.
 *
 * Both agents treat every desired-properties patch as their *whole* configuration and default whatever it
 * lacks (domain.md §1.4, §8.1), and IoT Hub applies a PATCH as a JSON merge patch: objects merge, `null`
 * removes a key, anything else replaces. So the product always writes the complete configuration and
 * removes, with `null`, every key the baseline does not have. Keys starting with `$` ($metadata, $version)
 * belong to IoT Hub and are never read as configuration nor written.
 *
 * Objects are built with `Object.fromEntries` (and spread), never by assignment, so that a twin key named
 * `__proto__` stays an ordinary key instead of replacing an object's prototype.
 */

/** The configuration entries currently in a twin's desired properties, still in their twin form. */
export interface ConfiguredEntries {
  /** Setting name → the raw twin value (for `wrapped-object`, normally `{ "value": x }`). */
  entries: Record<string, unknown>;
  /**
   * Set when the `wrapped-object` configuration key holds something other than an object: the agents
   * cannot read it, and the product's patch replaces it whole.
   */
  malformedContainer?: { key: string; value: unknown };
}

/** The entries of an object that can be configuration: IoT Hub's own keys start with `$`. */
function configurationKeys(value: Record<string, unknown>): [string, unknown][] {
  return Object.entries(value).filter(([key]) => !key.startsWith('$'));
}

/** Reads the configuration entries out of `properties.desired` (anything that is not an object reads as empty). */
export function configurationEntries(profile: AgentProfile, desired: unknown): ConfiguredEntries {
  if (!isJsonObject(desired)) return { entries: {} };
  if (profile.placement.kind === 'flat') return { entries: Object.fromEntries(configurationKeys(desired)) };
  const key = profile.placement.objectKey;
  const container = desired[key];
  if (container === undefined || container === null) return { entries: {} };
  if (!isJsonObject(container)) return { entries: {}, malformedContainer: { key, value: container } };
  return { entries: Object.fromEntries(configurationKeys(container)) };
}

/** A setting value in its twin form: wrapped as `{ "value": x }` or plain, per the profile's placement. */
export function encodeSettingValue(profile: AgentProfile, value: SettingValue): unknown {
  return profile.placement.kind === 'flat' ? value : { value };
}

/**
 * A twin entry back as a plain value. A `wrapped-object` entry is well formed only as an object whose one
 * key is `value`; anything else (a bare scalar as the pre-2019 format wrote, an object with extra keys) is
 * returned as-is and flagged, so that comparisons never mistake it for the value the agent would read.
 */
export function decodeEntry(profile: AgentProfile, entry: unknown): { value: unknown; wellFormed: boolean } {
  if (profile.placement.kind === 'flat') return { value: entry, wellFormed: true };
  if (isJsonObject(entry)) {
    const keys = Object.keys(entry);
    if (keys.length === 1 && keys[0] === 'value') return { value: entry['value'], wellFormed: true };
  }
  return { value: entry, wellFormed: false };
}

/** Wraps settings in the profile's placement: the configuration as it should stand in `properties.desired`. */
export function desiredConfigurationDocument(profile: AgentProfile, settings: Readonly<Record<string, SettingValue>>): Record<string, unknown> {
  const encoded = Object.fromEntries(Object.entries(settings).map(([key, value]) => [key, encodeSettingValue(profile, value)]));
  return profile.placement.kind === 'flat' ? encoded : { [profile.placement.objectKey]: encoded };
}

/**
 * The `properties.desired` of a twin PATCH after which, by JSON merge-patch, the twin's desired
 * configuration equals exactly `settings`: every setting written; every profile setting the settings lack,
 * and every key currently configured that they lack, set to `null`. Pass the twin's current desired
 * properties when known so unknown keys and malformed entries are cleaned up too; without them the patch
 * still removes every setting the profile knows.
 */
export function desiredConfigurationPatch(
  profile: AgentProfile,
  settings: Readonly<Record<string, SettingValue>>,
  currentDesired?: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const { entries } = configurationEntries(profile, currentDesired);
  const removed = [...Object.keys(profile.settings), ...Object.keys(entries).sort()]
    .filter((key) => !Object.hasOwn(settings, key))
    .map((key): [string, null] => [key, null]);
  const written = Object.entries(settings).map(([key, value]): [string, unknown] => [key, patchValue(profile, value, entries[key])]);
  const patch = Object.fromEntries([...written, ...removed]);
  return profile.placement.kind === 'flat' ? patch : { [profile.placement.objectKey]: patch };
}

/**
 * One setting's patch value. A wrapped value is an object, so merge-patch would keep whatever other keys the
 * current entry has next to `value`: those are removed explicitly. A bare scalar is simply replaced.
 */
function patchValue(profile: AgentProfile, value: SettingValue, current: unknown): unknown {
  if (profile.placement.kind === 'flat') return value;
  const strayKeys = isJsonObject(current) ? configurationKeys(current).filter(([key]) => key !== 'value') : [];
  return { value, ...Object.fromEntries(strayKeys.map(([key]) => [key, null])) };
}

/**
 * The twin's desired configuration as plain `{ setting: value }`: wrapped values unwrapped, malformed
 * entries as they are, `$` keys left out. To decide whether the twin matches a baseline use
 * `diffConfiguration`, which compares twin forms: a bare `"PT7M"` reads as `"PT7M"` here, yet the agent
 * cannot read it, so it differs from a baseline value `"PT7M"`.
 */
export function readConfiguredSettings(profile: AgentProfile, desired: unknown): Record<string, unknown> {
  const { entries } = configurationEntries(profile, desired);
  return Object.fromEntries(Object.entries(entries).map(([key, entry]) => [key, decodeEntry(profile, entry).value]));
}
