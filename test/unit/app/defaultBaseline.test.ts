import { describe, expect, it } from 'vitest';
import { defaultBaselineProvider } from '../../../src/app/defaultBaseline';
import { getAgentProfile } from '../../../src/domain/agentProfiles';
import { defaultSettings } from '../../../src/domain/defaultSettings';
import { InMemoryBaselineStore } from '../../support/fakes/inMemoryBaselineStore';
import { FixedClock } from '../../support/fakes/fixedClock';

const options = { name: 'default', profile: 'asc-classic' as const, initialSettings: { eventPriorityLogin: 'Low' }, cacheMs: 60_000 };

describe('defaultBaselineProvider', () => {
  it('creates version 1 from the configured settings on a fresh store and marks it default', async () => {
    const store = new InMemoryBaselineStore();
    const baseline = await defaultBaselineProvider(store, new FixedClock(), options)();
    expect(baseline).toMatchObject({ name: 'default', version: 1, profile: 'asc-classic' });
    expect(baseline.settings).toEqual({ ...defaultSettings(getAgentProfile('asc-classic')), eventPriorityLogin: 'Low' });
    expect(store.defaults.get('default')).toBe(1);
  });

  it('uses the stored default and does not recreate it when another worker won the race', async () => {
    const store = new InMemoryBaselineStore();
    const first = await defaultBaselineProvider(store, new FixedClock(), options)();
    const second = await defaultBaselineProvider(store, new FixedClock(new Date('2027-01-01T00:00:00Z')), { ...options, initialSettings: {} })();
    expect(second).toEqual(first);
    expect(store.versions.size).toBe(1);
  });

  it('caches for cacheMs and shares one read among concurrent callers', async () => {
    const store = new InMemoryBaselineStore();
    const clock = new FixedClock();
    const provide = defaultBaselineProvider(store, clock, options);
    await Promise.all([provide(), provide(), provide()]);
    const readsAfterFirst = store.reads;
    await provide();
    expect(store.reads).toBe(readsAfterFirst);
    clock.advance(60_001);
    await provide();
    expect(store.reads).toBeGreaterThan(readsAfterFirst);
  });

  it('refuses a default baseline written for another agent profile', async () => {
    const store = new InMemoryBaselineStore();
    await defaultBaselineProvider(store, new FixedClock(), options)();
    const micro = defaultBaselineProvider(store, new FixedClock(), { ...options, profile: 'defender-micro-agent', initialSettings: {} });
    await expect(micro()).rejects.toMatchObject({ kind: 'permanent', code: 'ProfileMismatch' });
  });

  it('refuses invalid initial settings with the validation message', async () => {
    const provide = defaultBaselineProvider(new InMemoryBaselineStore(), new FixedClock(), { ...options, initialSettings: { eventPriorityLogin: 'Loud' } });
    await expect(provide()).rejects.toMatchObject({ kind: 'permanent', code: 'InvalidBaseline', message: expect.stringContaining('eventPriorityLogin') });
  });
});
