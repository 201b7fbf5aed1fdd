import type { ProfileId, SettingValue } from '../domain/agentProfile';
import type { Baseline } from '../domain/baseline';
import { PermanentError } from '../domain/productError';
import { getAgentProfile } from '../domain/agentProfiles';
import { defaultSettings } from '../domain/defaultSettings';
import { validateBaseline } from '../domain/validateBaseline';
import type { BaselineStore } from './ports/baselineStore';
import type { Clock } from './ports/clock';

export interface DefaultBaselineOptions {
  readonly name: string;
  readonly profile: ProfileId;
  /**
   * Settings of version 1 on top of the profile's defaults, written only when the store has no default
   * for `name` yet. A baseline is always explicit: every setting the agent knows gets a value.
   */
  readonly initialSettings: Readonly<Record<string, SettingValue>>;
  readonly cacheMs: number;
}

/**
 * Returns a function that yields the default version of the configured baseline, creating version 1 from
 * the configured settings on a fresh deployment. Concurrent workers may race to create it: creation never
 * overwrites (409 = someone else did it) and the default pointer is set conditionally, so all agree.
 * The result is cached for `cacheMs` so provisioning does not read storage for every device.
 */
export function defaultBaselineProvider(store: BaselineStore, clock: Clock, options: DefaultBaselineOptions): () => Promise<Baseline> {
  let cached: { baseline: Baseline; until: number } | undefined;
  let inFlight: Promise<Baseline> | undefined;

  const load = async (): Promise<Baseline> => {
    const current = await store.getDefault(options.name);
    if (current !== undefined) return checkProfile(current, options);

    const candidate = validateBaseline({
      name: options.name,
      version: 1,
      profile: options.profile,
      settings: { ...defaultSettings(getAgentProfile(options.profile)), ...options.initialSettings },
      createdAt: clock.now().toISOString(),
      createdBy: 'security-module-twins (first start)',
      description: 'Created from DEFAULT_BASELINE_SETTINGS on first start.',
    });
    if (!candidate.ok) {
      throw new PermanentError('InvalidBaseline', `initial baseline ${options.name} is invalid: ${candidate.issues.map((i) => i.message).join('; ')}`);
    }
    await store.create(candidate.value);
    await store.setDefault(options.name, 1, undefined);
    const settled = await store.getDefault(options.name);
    if (settled === undefined) {
      throw new PermanentError('BaselineMissing', `baseline ${options.name} has no default version after creating version 1`);
    }
    return checkProfile(settled, options);
  };

  return async () => {
    const now = clock.now().getTime();
    if (cached !== undefined && now < cached.until) return cached.baseline;
    inFlight ??= load().finally(() => {
      inFlight = undefined;
    });
    const baseline = await inFlight;
    cached = { baseline, until: now + options.cacheMs };
    return baseline;
  };
}

function checkProfile(baseline: Baseline, options: DefaultBaselineOptions): Baseline {
  // A baseline written for the other agent would put the wrong document on every new module.
  if (baseline.profile !== options.profile) {
    throw new PermanentError(
      'ProfileMismatch',
      `default baseline ${baseline.name} v${baseline.version} is for profile ${baseline.profile}, but SECURITY_AGENT_PROFILE is ${options.profile}`,
    );
  }
  return baseline;
}
