import { describe, expect, it } from 'vitest';
import { Pacer } from '../../../src/app/pacer';
import { provisionSecurityModule } from '../../../src/app/provisionSecurityModule';
import { reconcileModuleTwin, type ReconcileDependencies } from '../../../src/app/reconcileModuleTwin';
import { sweepFleet, type SweepDependencies } from '../../../src/app/sweepFleet';
import { getAgentProfile } from '../../../src/domain/agentProfiles';
import { readConfiguredSettings } from '../../../src/domain/desiredConfiguration';
import { compileDeviceSelector } from '../../../src/domain/deviceSelector';
import { TransientError } from '../../../src/domain/productError';
import { provisioningPatch } from '../../../src/domain/provisioningPatch';
import { testBaseline } from '../../support/baselines';
import { FixedClock } from '../../support/fakes/fixedClock';
import { InMemoryAuditSink } from '../../support/fakes/inMemoryAuditSink';
import { InMemorySweepStateStore } from '../../support/fakes/inMemorySweepStateStore';
import { InMemoryTwinRegistry } from '../../support/fakes/inMemoryTwinRegistry';

const profile = getAgentProfile('asc-classic');
const moduleId = profile.moduleId;
const container = 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration';
const v1 = testBaseline({ version: 1 });
const assignment = { name: 'default', version: 1, mode: 'enforce' as const, assignedAt: '2026-11-01T00:00:00.000Z' };
const hour = 3_600_000;

function setup() {
  const registry = new InMemoryTwinRegistry();
  const audit = new InMemoryAuditSink();
  const clock = new FixedClock();
  const store = new InMemorySweepStateStore();
  const selector = compileDeviceSelector({ includeEdgeDevices: false });
  if (!selector.ok) throw new Error('selector');
  const reconcileDeps: ReconcileDependencies = { registry, audit, clock, profile, baseline: async (name, version) => (name === 'default' && version === 1 ? v1 : undefined), defaultBaseline: async () => v1 };
  const unlimited = new Pacer(1_000_000, clock, async (ms) => clock.advance(ms));
  let seed = 0;
  const deps: SweepDependencies = {
    registry,
    store,
    clock,
    profile,
    selector: selector.value,
    baseline: reconcileDeps.baseline,
    reconcile: (twin, cause) => reconcileModuleTwin(reconcileDeps, twin, cause, twin),
    provision: (notice) => provisionSecurityModule({ ...reconcileDeps, selector: selector.value }, notice),
    pace: { queries: unlimited, writes: unlimited },
    audit,
    newSeed: () => ++seed,
  };
  return { registry, audit, clock, store, deps };
}

type Env = ReturnType<typeof setup>;

async function withModule(env: Env, deviceId: string, patch = provisioningPatch(profile, v1, assignment)): Promise<void> {
  env.registry.addDevice(deviceId);
  await env.registry.createModule(deviceId, moduleId);
  env.registry.writeTwin(deviceId, moduleId, patch);
}

/** 3 in line, 1 drifted, 1 without its tag, 1 exempt and drifted, 2 without the module, 1 IoT Edge without it. */
async function fleet(env: Env): Promise<void> {
  for (const id of ['ok-1', 'ok-2', 'ok-3']) await withModule(env, id);
  await withModule(env, 'drifted');
  env.registry.writeTwin('drifted', moduleId, { properties: { desired: { [container]: { eventPriorityLogin: { value: 'Off' } } } } });
  await withModule(env, 'untagged');
  env.registry.writeTwin('untagged', moduleId, { tags: { securityBaseline: null } });
  await withModule(env, 'exempt', provisioningPatch(profile, v1, { ...assignment, exemptUntil: '2027-01-01T00:00:00.000Z', exemptReason: 'field test' }));
  env.registry.writeTwin('exempt', moduleId, { properties: { desired: { [container]: null } } });
  env.registry.addDevice('new-1');
  env.registry.addDevice('new-2');
  env.registry.addDevice('edge-1', { isEdgeDevice: true });
}

const options = { deadline: { atMs: Number.MAX_SAFE_INTEGER }, pageSize: 3, intervalMs: hour, filterSaveEveryPages: 2 };

describe('sweepFleet', () => {
  it('reconciles what is not as assigned, provisions selected devices without the module, and leaves the rest untouched', async () => {
    const env = setup();
    await fleet(env);
    env.registry.calls.length = 0;

    const run = await sweepFleet(env.deps, options);

    expect(run).toMatchObject({ phase: 'done', counts: { 'in-line': 3, corrected: 1, assigned: 1, exempt: 1, 'module-created': 2, 'twin-pages': 2, 'device-pages': 3 } });
    expect(run.stoppedBy).toBeUndefined();
    for (const id of ['drifted', 'untagged', 'new-1', 'new-2']) {
      expect(readConfiguredSettings(profile, env.registry.peekTwin(id, moduleId)!.desired), id).toEqual(v1.settings);
    }
    expect(env.registry.peekTwin('exempt', moduleId)!.desired).toEqual({});
    expect(env.registry.peekTwin('edge-1', moduleId)).toBeUndefined();
    // In-line and exempt twins cost nothing beyond the query pages.
    const writes = env.registry.calls.filter((call) => call.startsWith('patchModuleTwin'));
    expect(writes.map((call) => call.split(' ')[1]!.split('/')[0]).sort()).toEqual(['drifted', 'new-1', 'new-2', 'untagged']);
  });

  it('is idle until the interval has passed since the last sweep started, then sweeps again with a new filter', async () => {
    const env = setup();
    await fleet(env);
    const first = await sweepFleet(env.deps, options);
    env.clock.advance(hour / 2);
    expect(await sweepFleet(env.deps, options)).toMatchObject({ idle: true, sweepId: first.sweepId });
    env.clock.advance(hour / 2);
    const second = await sweepFleet(env.deps, options);
    expect(second.sweepId).not.toBe(first.sweepId);
    expect(second.counts).toMatchObject({ 'in-line': 7, exempt: 1 });
    expect(second.counts['module-created']).toBeUndefined();
  });

  it('stops at its deadline and resumes where it stopped, checking each twin once', async () => {
    const env = setup();
    await fleet(env);
    // Each page read moves the clock a minute: the first run may read one page.
    const listModuleTwins = env.registry.listModuleTwins.bind(env.registry);
    env.registry.listModuleTwins = async (module, paging) => {
      env.clock.advance(60_000);
      return listModuleTwins(module, paging);
    };
    const first = await sweepFleet(env.deps, { ...options, deadline: { atMs: env.clock.now().getTime() + 30_000 } });
    expect(first).toMatchObject({ phase: 'twins', stoppedBy: 'deadline', counts: { 'twin-pages': 1 } });

    const rest = await sweepFleet(env.deps, options);
    expect(rest.phase).toBe('done');
    const checked = (counts: Record<string, number>) => ['in-line', 'corrected', 'assigned', 'exempt'].reduce((sum, key) => sum + (counts[key] ?? 0), 0);
    expect(checked(first.counts) + checked(rest.counts)).toBe(6);
    expect(rest.counts['module-created']).toBe(2);
  });

  it('ends the run on a throttled hub, keeping its place, and fails loudly on a bug', async () => {
    const env = setup();
    await fleet(env);
    const listDevices = env.registry.listDevices.bind(env.registry);
    let throttled = true;
    env.registry.listDevices = async (paging) => {
      if (throttled) throw new TransientError('ThrottlingException', 'slow down');
      return listDevices(paging);
    };
    const first = await sweepFleet(env.deps, options);
    expect(first).toMatchObject({ phase: 'devices', stoppedBy: 'transient-failure' });
    throttled = false;
    expect(await sweepFleet(env.deps, options)).toMatchObject({ phase: 'done', counts: { 'module-created': 2 } });

    const broken = setup();
    broken.registry.listModuleTwins = async () => {
      throw new TypeError('undefined is not a function');
    };
    await expect(sweepFleet(broken.deps, options)).rejects.toThrow(TypeError);
  });
});
