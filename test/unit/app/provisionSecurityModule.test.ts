import { beforeEach, describe, expect, it } from 'vitest';
import { provisionSecurityModule, type ProvisioningDependencies } from '../../../src/app/provisionSecurityModule';
import { assignmentAuditId } from '../../../src/app/assignmentAuditId';
import { getAgentProfile } from '../../../src/domain/agentProfiles';
import { compileDeviceSelector, type DeviceSelector } from '../../../src/domain/deviceSelector';
import { readConfiguredSettings } from '../../../src/domain/desiredConfiguration';
import { InMemoryTwinRegistry } from '../../support/fakes/inMemoryTwinRegistry';
import { InMemoryAuditSink } from '../../support/fakes/inMemoryAuditSink';
import { FixedClock } from '../../support/fakes/fixedClock';
import { testBaseline } from '../../support/baselines';

const profile = getAgentProfile('asc-classic');
const moduleId = profile.moduleId;
const baseline = testBaseline({ version: 3, changedSettings: { eventPriorityLogin: 'Low' } });

function setup(selector: DeviceSelector = { includeEdgeDevices: true }) {
  const registry = new InMemoryTwinRegistry();
  const audit = new InMemoryAuditSink();
  const clock = new FixedClock();
  const compiled = compileDeviceSelector(selector);
  if (!compiled.ok) throw new Error('bad selector in test');
  const stored = new Map([[`${baseline.name} v${baseline.version}`, baseline]]);
  const deps: ProvisioningDependencies = {
    registry,
    audit,
    clock,
    profile,
    selector: compiled.value,
    baseline: async (name, version) => stored.get(`${name} v${version}`),
    defaultBaseline: async () => baseline,
  };
  return { registry, audit, clock, deps };
}

describe('provisionSecurityModule', () => {
  let env: ReturnType<typeof setup>;
  beforeEach(() => {
    env = setup();
  });

  it('reads the device twin, creates the module and writes the complete baseline and its tag in one PATCH (3 hub calls)', async () => {
    env.registry.addDevice('d1');

    const outcome = await provisionSecurityModule(env.deps, { deviceId: 'd1', eventId: 'e1' });

    expect(outcome).toEqual({ kind: 'provisioned', baseline: { name: 'default', version: 3 }, twinVersion: 2 });
    expect(env.registry.calls).toEqual(['getDevice d1', `createModule d1/${moduleId}`, `patchModuleTwin d1/${moduleId}`]);
    const twin = env.registry.peekTwin('d1', moduleId)!;
    expect(readConfiguredSettings(profile, twin.desired)).toEqual(baseline.settings);
    expect(twin.tags).toEqual({ securityBaseline: { name: 'default', version: 3, mode: 'enforce', assignedAt: '2026-11-27T12:00:00.000Z' } });
    const records = await env.audit.listForDevice('d1');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      id: assignmentAuditId('d1', moduleId, '2026-11-27T12:00:00.000Z'),
      action: 'provisioned',
      baselineName: 'default',
      baselineVersion: 3,
      correlationId: 'e1',
      twinVersion: 2,
    });
    expect(records[0]!.changes.length).toBe(Object.keys(baseline.settings).length);
  });

  it('is idempotent: a re-delivered event finds the assignment and changes nothing', async () => {
    env.registry.addDevice('d1');
    await provisionSecurityModule(env.deps, { deviceId: 'd1', eventId: 'e1' });
    const before = env.registry.peekTwin('d1', moduleId);
    env.clock.advance(60_000);

    const outcome = await provisionSecurityModule(env.deps, { deviceId: 'd1', eventId: 'e1' });

    expect(outcome.kind).toBe('already-assigned');
    expect(env.registry.peekTwin('d1', moduleId)).toEqual(before);
    expect(env.audit.records.size).toBe(1);
  });

  it('treats a device deleted before the event arrived as done', async () => {
    expect(await provisionSecurityModule(env.deps, { deviceId: 'gone', eventId: 'e1' })).toEqual({ kind: 'device-gone' });
    expect(env.audit.records.size).toBe(0);
  });

  it('treats a device deleted between module creation and the PATCH as done', async () => {
    env.registry.addDevice('d1');
    env.registry.beforePatch = (deviceId) => env.registry.removeDevice(deviceId);
    expect(await provisionSecurityModule(env.deps, { deviceId: 'd1', eventId: 'e1' })).toEqual({ kind: 'device-gone' });
    expect(env.audit.records.size).toBe(0);
  });

  it('reports, and does not guess, an assignment naming a baseline version that does not exist', async () => {
    env.registry.addDevice('d1');
    await env.registry.createModule('d1', moduleId);
    const assignment = { name: 'strict', version: 7, mode: 'enforce', assignedAt: '2026-01-01T00:00:00.000Z', rolloutId: 'r9' };
    env.registry.writeTwin('d1', moduleId, { tags: { securityBaseline: assignment }, properties: { desired: { custom: 1 } } });

    const outcome = await provisionSecurityModule(env.deps, { deviceId: 'd1', eventId: 'e1' });

    expect(outcome).toEqual({ kind: 'baseline-missing', assignment, problem: 'baseline strict v7 does not exist' });
    expect(env.registry.peekTwin('d1', moduleId)!.desired).toEqual({ custom: 1 });
    const [record, ...others] = await env.audit.listForDevice('d1');
    expect(others).toEqual([]);
    expect(record).toMatchObject({ action: 'baseline-missing', findings: ['baseline strict v7 does not exist'], changes: [], assignment, twinVersion: 2 });
  });

  it('corrects a forged or stale tag whose twin lacks the configuration, audited with the real from → to', async () => {
    env.registry.addDevice('d1');
    await env.registry.createModule('d1', moduleId);
    const forged = { name: 'default', version: 3, mode: 'enforce', assignedAt: '2026-11-27T12:00:00.000Z' };
    const container = 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration';
    env.registry.writeTwin('d1', moduleId, { tags: { securityBaseline: forged }, properties: { desired: { [container]: { eventPriorityLogin: { value: 'Off' } } } } });

    const outcome = await provisionSecurityModule(env.deps, { deviceId: 'd1', eventId: 'e1' });

    const settingCount = Object.keys(baseline.settings).length;
    expect(outcome).toEqual({ kind: 'corrected', assignment: forged, twinVersion: 3, changedSettings: settingCount });
    const twin = env.registry.peekTwin('d1', moduleId)!;
    expect(readConfiguredSettings(profile, twin.desired)).toEqual(baseline.settings);
    expect(twin.tags).toEqual({ securityBaseline: forged });
    const records = await env.audit.listForDevice('d1');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ action: 'corrected', twinVersion: 3, correlationId: 'e1', baselineName: 'default', baselineVersion: 3 });
    expect(records[0]!.recovered).toBeUndefined();
    expect(records[0]!.changes).toContainEqual({ setting: 'eventPriorityLogin', kind: 'changed', from: 'Off', to: 'Low' });
    expect(records[0]!.changes.filter((change) => change.kind === 'added')).toHaveLength(settingCount - 1);
  });

  it('records drift on a twin in audit mode and leaves it as it is', async () => {
    env.registry.addDevice('d1');
    await env.registry.createModule('d1', moduleId);
    const assignment = { name: 'default', version: 3, mode: 'audit', assignedAt: '2026-11-27T12:00:00.000Z' };
    env.registry.writeTwin('d1', moduleId, { tags: { securityBaseline: assignment } });

    const outcome = await provisionSecurityModule(env.deps, { deviceId: 'd1', eventId: 'e1' });

    expect(outcome).toMatchObject({ kind: 'drift-observed', assignment });
    expect(env.registry.peekTwin('d1', moduleId)!.desired).toEqual({});
    expect(await env.audit.listForDevice('d1')).toEqual([expect.objectContaining({ action: 'drift-observed', mode: 'audit', twinVersion: 2 })]);
  });

  it('leaves a twin exempt until a later time as it is, recording the drift it sees', async () => {
    env.registry.addDevice('d1');
    await env.registry.createModule('d1', moduleId);
    const assignment = { name: 'default', version: 3, mode: 'enforce', assignedAt: '2026-11-27T12:00:00.000Z', exemptUntil: '2026-12-01T00:00:00.000Z', exemptReason: 'field test' };
    env.registry.writeTwin('d1', moduleId, { tags: { securityBaseline: assignment } });

    expect(await provisionSecurityModule(env.deps, { deviceId: 'd1', eventId: 'e1' })).toEqual({ kind: 'exempt', assignment });
    expect(env.registry.peekTwin('d1', moduleId)!.desired).toEqual({});
    const records = await env.audit.listForDevice('d1');
    expect(records).toEqual([expect.objectContaining({ action: 'drift-observed', reason: expect.stringContaining('exempt until 2026-12-01T00:00:00.000Z (field test)') })]);
  });

  it('does not overwrite an unreadable assignment tag, and records it as a finding once', async () => {
    env.registry.addDevice('d1');
    await env.registry.createModule('d1', moduleId);
    env.registry.writeTwin('d1', moduleId, { tags: { securityBaseline: { name: 42 } } });

    const outcome = await provisionSecurityModule(env.deps, { deviceId: 'd1', eventId: 'e1' });
    await provisionSecurityModule(env.deps, { deviceId: 'd1', eventId: 'e1' });

    expect(outcome.kind).toBe('assignment-unreadable');
    expect(env.registry.peekTwin('d1', moduleId)!.tags).toEqual({ securityBaseline: { name: 42 } });
    const records = await env.audit.listForDevice('d1');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ action: 'assignment-unreadable', changes: [], assignment: { name: 42 }, twinVersion: 2, correlationId: 'e1' });
    expect(records[0]!.findings!.join(' ')).toContain('tags.securityBaseline.name');
  });

  it('provisions a module that exists without an assignment, removing keys the baseline lacks', async () => {
    env.registry.addDevice('d1');
    await env.registry.createModule('d1', moduleId);
    env.registry.writeTwin('d1', moduleId, {
      properties: { desired: { 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration': { legacyKey: { value: 1 }, eventPriorityLogin: { value: 'Off' } } } },
    });

    const outcome = await provisionSecurityModule(env.deps, { deviceId: 'd1', eventId: 'e1' });

    expect(outcome.kind).toBe('provisioned');
    expect(readConfiguredSettings(profile, env.registry.peekTwin('d1', moduleId)!.desired)).toEqual(baseline.settings);
    const [record] = await env.audit.listForDevice('d1');
    expect(record!.changes).toContainEqual({ setting: 'legacyKey', kind: 'removed', from: 1 });
    expect(record!.changes).toContainEqual({ setting: 'eventPriorityLogin', kind: 'changed', from: 'Off', to: 'Low' });
  });

  it('re-reads and yields when another writer assigns the twin between create and PATCH', async () => {
    env.registry.addDevice('d1');
    const other = { name: 'other', version: 1, mode: 'enforce', assignedAt: '2026-11-27T11:59:59.000Z' };
    env.registry.beforePatch = (deviceId, module) => {
      env.registry.beforePatch = undefined;
      env.registry.writeTwin(deviceId, module, { tags: { securityBaseline: other } });
    };

    const outcome = await provisionSecurityModule(env.deps, { deviceId: 'd1', eventId: 'e1' });

    // The other writer's baseline does not exist here: reported, not overwritten.
    expect(outcome).toMatchObject({ kind: 'baseline-missing', assignment: other });
    expect(env.registry.calls).toEqual(['getDevice d1', `createModule d1/${moduleId}`, `patchModuleTwin d1/${moduleId}`, `getModuleTwin d1/${moduleId}`]);
  });

  it('gives up with a transient error when the twin keeps changing under it', async () => {
    env.registry.addDevice('d1');
    env.registry.beforePatch = (deviceId, module) => env.registry.writeTwin(deviceId, module, { properties: { desired: { churn: Math.random() } } });

    await expect(provisionSecurityModule(env.deps, { deviceId: 'd1', eventId: 'e1' })).rejects.toMatchObject({ kind: 'transient', code: 'PreconditionFailed' });
    expect(env.audit.records.size).toBe(0);
  });

  it('recovers the audit record on re-delivery when the first audit write failed after the PATCH', async () => {
    env.registry.addDevice('d1');
    env.audit.failNextWrites = 1;
    await expect(provisionSecurityModule(env.deps, { deviceId: 'd1', eventId: 'e1' })).rejects.toThrow('audit storage unavailable');
    expect(env.audit.records.size).toBe(0);

    const outcome = await provisionSecurityModule(env.deps, { deviceId: 'd1', eventId: 'e1' });

    expect(outcome.kind).toBe('already-assigned');
    const records = await env.audit.listForDevice('d1');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ recovered: true, correlationId: 'e1', id: assignmentAuditId('d1', moduleId, '2026-11-27T12:00:00.000Z') });
  });

  it('writes no recovered record for a twin that holds the default tag but not exactly the default baseline', async () => {
    env.registry.addDevice('d1');
    await env.registry.createModule('d1', moduleId);
    const forged = { name: 'default', version: 3, mode: 'enforce', assignedAt: '2026-11-27T12:00:00.000Z' };
    env.registry.writeTwin('d1', moduleId, { tags: { securityBaseline: forged } });

    await provisionSecurityModule(env.deps, { deviceId: 'd1', eventId: 'e1' });

    const records = await env.audit.listForDevice('d1');
    expect(records.map((record) => record.action)).toEqual(['corrected']);
    expect(records.some((record) => record.recovered === true)).toBe(false);
  });

  it('skips devices whose ID does not match the pattern without calling the hub', async () => {
    env = setup({ includeEdgeDevices: true, deviceIdPattern: 'sensor-.*' });
    env.registry.addDevice('camera-1');
    expect((await provisionSecurityModule(env.deps, { deviceId: 'camera-1', eventId: 'e1' })).kind).toBe('not-selected');
    expect(env.registry.calls).toEqual([]);
  });

  it('reads the device twin once to exclude IoT Edge devices, then provisions in two more calls', async () => {
    env = setup({ includeEdgeDevices: false });
    env.registry.addDevice('edge-1', { isEdgeDevice: true });
    env.registry.addDevice('leaf-1');

    expect((await provisionSecurityModule(env.deps, { deviceId: 'edge-1', eventId: 'e1' })).kind).toBe('not-selected');
    expect((await provisionSecurityModule(env.deps, { deviceId: 'leaf-1', eventId: 'e2' })).kind).toBe('provisioned');
    expect(env.registry.calls).toEqual(['getDevice edge-1', 'getDevice leaf-1', `createModule leaf-1/${moduleId}`, `patchModuleTwin leaf-1/${moduleId}`]);
    expect(env.registry.peekTwin('edge-1', moduleId)).toBeUndefined();
  });

  it('treats a device the registry no longer knows as done, without spending an identity operation', async () => {
    for (const includeEdgeDevices of [false, true]) {
      env = setup({ includeEdgeDevices });
      expect(await provisionSecurityModule(env.deps, { deviceId: 'gone', eventId: 'e1' })).toEqual({ kind: 'device-gone' });
      expect(env.registry.calls).toEqual(['getDevice gone']);
    }
  });
});
