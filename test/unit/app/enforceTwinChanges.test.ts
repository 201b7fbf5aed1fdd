import { beforeEach, describe, expect, it } from 'vitest';
import { lastAssignmentFrom } from '../../../src/app/auditHistory';
import { contestedTwins } from '../../../src/app/contestedTwins';
import { enforceTwinChanges } from '../../../src/app/enforceTwinChanges';
import type { ReconcileDependencies } from '../../../src/app/reconcileModuleTwin';
import { getAgentProfile } from '../../../src/domain/agentProfiles';
import type { Baseline } from '../../../src/domain/baseline';
import { readConfiguredSettings } from '../../../src/domain/desiredConfiguration';
import { provisioningPatch } from '../../../src/domain/provisioningPatch';
import type { TwinChangeNotice } from '../../../src/domain/twinChangeHint';
import { testBaseline } from '../../support/baselines';
import { FixedClock } from '../../support/fakes/fixedClock';
import { InMemoryAuditSink } from '../../support/fakes/inMemoryAuditSink';
import { InMemoryTwinRegistry } from '../../support/fakes/inMemoryTwinRegistry';

const profile = getAgentProfile('asc-classic');
const moduleId = profile.moduleId;
const container = 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration';
const v1 = testBaseline({ version: 1 });
const v2 = testBaseline({ version: 2, changedSettings: { eventPriorityLogin: 'Low' } });
const stored = new Map<string, Baseline>([['default v1', v1], ['default v2', v2]]);
const assignmentV2 = { name: 'default', version: 2, mode: 'enforce' as const, assignedAt: '2026-11-01T00:00:00.000Z' };

function setup() {
  const registry = new InMemoryTwinRegistry();
  const audit = new InMemoryAuditSink();
  const clock = new FixedClock();
  const deps: ReconcileDependencies = {
    registry,
    audit,
    clock,
    profile,
    baseline: async (name, version) => stored.get(`${name} v${version}`),
    defaultBaseline: async () => v1,
    lastAssignment: lastAssignmentFrom(audit),
  };
  return { registry, audit, clock, deps };
}

/** A device whose module holds exactly v2, as the product wrote it; returns the notice of that write. */
async function provisioned(env: ReturnType<typeof setup>, deviceId: string): Promise<TwinChangeNotice> {
  env.registry.addDevice(deviceId);
  await env.registry.createModule(deviceId, moduleId);
  const patch = provisioningPatch(profile, v2, assignmentV2);
  env.registry.writeTwin(deviceId, moduleId, patch);
  return { deviceId, moduleId, opType: 'updateTwin', version: 2, body: { version: 2, tags: patch.tags, properties: { desired: patch.properties.desired } } };
}

function tamper(env: ReturnType<typeof setup>, deviceId: string, body: Record<string, unknown>): TwinChangeNotice {
  env.registry.writeTwin(deviceId, moduleId, body as never);
  const version = env.registry.peekTwin(deviceId, moduleId)!.version;
  return { deviceId, moduleId, opType: 'updateTwin', version, body: { version, ...body } };
}

describe('enforceTwinChanges', () => {
  let env: ReturnType<typeof setup>;
  beforeEach(() => {
    env = setup();
  });

  it('settles echoes, reported-property updates and other twins without a hub call', async () => {
    const echo = await provisioned(env, 'd1');
    env.registry.calls.length = 0;
    const report = await enforceTwinChanges(
      env.deps,
      [
        echo,
        { deviceId: 'd1', moduleId, opType: 'updateTwin', version: 3, body: { version: 3, properties: { reported: { [container]: {} } } } },
        { deviceId: 'd1', opType: 'updateTwin', version: 5, body: { version: 5, properties: { desired: { x: 1 } } } },
        { deviceId: 'd1', moduleId: 'other', opType: 'updateTwin', version: 5, body: { version: 5, tags: { a: 1 } } },
      ],
      { concurrency: 4 },
    );
    expect(report.notices).toEqual(['echo', 'reported-only', 'other-twin', 'other-twin']);
    expect(report.twins).toEqual([]);
    expect(env.registry.calls).toEqual([]);
  });

  it('spends no hub call on 9,500 of 10,000 notifications that are reported-property updates or echoes', async () => {
    const echo = await provisioned(env, 'd0');
    env.registry.calls.length = 0;
    const notices: TwinChangeNotice[] = Array.from({ length: 10_000 }, (_, i) => {
      const deviceId = `d${i}`;
      if (i % 20 === 0) return { deviceId, moduleId, opType: 'updateTwin', version: 9, body: { version: 9, properties: { desired: { [container]: null } } } };
      if (i % 2 === 0) return { ...echo, deviceId };
      return { deviceId, moduleId, opType: 'updateTwin', version: 9, body: { version: 9, properties: { reported: { [container]: {} } } } };
    });

    const report = await enforceTwinChanges(env.deps, notices, { concurrency: 16 });

    expect(report.notices.filter((outcome) => outcome === 'reconciled')).toHaveLength(500);
    // Only the 500 that may be drift were read (these devices do not exist here: one read each, nothing else).
    expect(env.registry.calls).toHaveLength(500);
    expect(env.registry.calls.every((call) => call.startsWith('getModuleTwin'))).toBe(true);
  });

  it('corrects a changed value, audits it, and recognises its own correction as an echo (no loop)', async () => {
    await provisioned(env, 'd1');
    const change = tamper(env, 'd1', { properties: { desired: { [container]: { eventPriorityLogin: { value: 'Off' } } } } });

    const first = await enforceTwinChanges(env.deps, [change], { concurrency: 2 });

    expect(first.notices).toEqual(['reconciled']);
    expect(first.twins).toEqual([expect.objectContaining({ status: 'done', outcome: expect.objectContaining({ kind: 'corrected' }) })]);
    const twin = env.registry.peekTwin('d1', moduleId)!;
    expect(readConfiguredSettings(profile, twin.desired)).toEqual(v2.settings);
    const [record] = await env.audit.listForDevice('d1');
    expect(record).toMatchObject({ action: 'corrected', changes: [{ setting: 'eventPriorityLogin', kind: 'changed', from: 'Off', to: 'Low' }] });

    // The notification of the correction itself: the patch as written, tag and complete configuration.
    const patch = provisioningPatch(profile, v2, assignmentV2, {});
    const echo: TwinChangeNotice = { deviceId: 'd1', moduleId, opType: 'updateTwin', version: twin.version, body: { version: twin.version, ...patch } };
    env.registry.calls.length = 0;
    expect((await enforceTwinChanges(env.deps, [echo], { concurrency: 2 })).notices).toEqual(['echo']);
    expect(env.registry.calls).toEqual([]);
  });

  it('reconciles a twin once for many notifications, and the newest decides', async () => {
    const echo = await provisioned(env, 'd1');
    const a = tamper(env, 'd1', { properties: { desired: { [container]: { eventPriorityLogin: { value: 'Off' } } } } });
    const b = tamper(env, 'd1', { properties: { desired: { [container]: { eventPriorityLogin: { value: 'High' } } } } });

    const report = await enforceTwinChanges(env.deps, [b, echo, a], { concurrency: 2 });

    expect(report.notices).toEqual(['reconciled', 'superseded', 'superseded']);
    expect(report.twins).toHaveLength(1);
    expect(env.registry.calls.filter((call) => call.startsWith('patchModuleTwin'))).toHaveLength(1);
  });

  it('skips a twin whose newest notification is the echo of a complete write after a change', async () => {
    await provisioned(env, 'd1');
    const change = tamper(env, 'd1', { properties: { desired: { [container]: { eventPriorityLogin: { value: 'Off' } } } } });
    const patch = provisioningPatch(profile, v2, assignmentV2, {});
    env.registry.writeTwin('d1', moduleId, patch);
    const version = env.registry.peekTwin('d1', moduleId)!.version;
    const echo: TwinChangeNotice = { deviceId: 'd1', moduleId, opType: 'updateTwin', version, body: { version, ...patch } };
    env.registry.calls.length = 0;

    const report = await enforceTwinChanges(env.deps, [echo, change], { concurrency: 1 });

    expect(report.notices).toEqual(['echo', 'superseded']);
    expect(env.registry.calls).toEqual([]);
  });

  it('restores a removed assignment tag from the audit history, not today\'s default', async () => {
    await provisioned(env, 'd1');
    await env.audit.record({
      id: 'p1', at: '2026-11-01T00:00:00.000Z', action: 'provisioned', deviceId: 'd1', moduleId, baselineName: 'default', baselineVersion: 2, mode: 'enforce',
      changes: [], assignment: assignmentV2, reason: 'test', correlationId: 'e1',
    });
    const removed = tamper(env, 'd1', { tags: { securityBaseline: null }, properties: { desired: { [container]: null } } });

    const report = await enforceTwinChanges(env.deps, [removed], { concurrency: 1 });

    expect(report.twins[0]).toMatchObject({ status: 'done', outcome: { kind: 'corrected', assignment: assignmentV2 } });
    const twin = env.registry.peekTwin('d1', moduleId)!;
    expect(twin.tags).toEqual({ securityBaseline: assignmentV2 });
    expect(readConfiguredSettings(profile, twin.desired)).toEqual(v2.settings);
  });

  it.each([
    ['forged to another baseline version', { securityBaseline: { ...assignmentV2, version: 1 } }, 'named default v1'],
    ['made unreadable', { securityBaseline: { name: 42 } }, 'could not be read'],
  ])('puts back an assignment tag %s, from the audit history', async (_what, tags, said) => {
    await provisioned(env, 'd1');
    await env.audit.record({
      id: 'p1', at: '2026-11-01T00:00:00.000Z', action: 'provisioned', deviceId: 'd1', moduleId, baselineName: 'default', baselineVersion: 2, mode: 'enforce',
      changes: [], assignment: assignmentV2, reason: 'test', correlationId: 'e1',
    });
    const forged = tamper(env, 'd1', { tags });

    const report = await enforceTwinChanges(env.deps, [forged], { concurrency: 1 });

    expect(report.twins[0]).toMatchObject({ status: 'done', outcome: { kind: 'corrected', assignment: assignmentV2 } });
    expect(env.registry.peekTwin('d1', moduleId)!.tags).toEqual({ securityBaseline: assignmentV2 });
    const corrected = (await env.audit.listForDevice('d1')).find((record) => record.action === 'corrected');
    expect(corrected!.reason).toContain(`tags.securityBaseline ${said}`);
  });

  it('lets an operator set audit mode or an exemption on the same baseline', async () => {
    await provisioned(env, 'd1');
    await env.audit.record({
      id: 'p1', at: '2026-11-01T00:00:00.000Z', action: 'provisioned', deviceId: 'd1', moduleId, baselineName: 'default', baselineVersion: 2, mode: 'enforce',
      changes: [], assignment: assignmentV2, reason: 'test', correlationId: 'e1',
    });
    const audited = tamper(env, 'd1', { tags: { securityBaseline: { ...assignmentV2, mode: 'audit' } }, properties: { desired: { [container]: { eventPriorityLogin: { value: 'Off' } } } } });

    const report = await enforceTwinChanges(env.deps, [audited], { concurrency: 1 });

    expect(report.twins[0]).toMatchObject({ status: 'done', outcome: { kind: 'drift-observed' } });
    expect(env.registry.peekTwin('d1', moduleId)!.tags).toEqual({ securityBaseline: { ...assignmentV2, mode: 'audit' } });
  });

  it('assigns the default baseline to a twin that never had an assignment', async () => {
    env.registry.addDevice('d1');
    await env.registry.createModule('d1', moduleId);
    const change = tamper(env, 'd1', { properties: { desired: { [container]: { eventPriorityLogin: { value: 'Off' } } } } });

    const report = await enforceTwinChanges(env.deps, [change], { concurrency: 1 });

    expect(report.twins[0]).toMatchObject({ status: 'done', outcome: { kind: 'assigned', assignment: { name: 'default', version: 1 } } });
    expect((await env.audit.listForDevice('d1')).map((record) => record.action)).toEqual(['assigned']);
  });

  it('reports a failed reconcile per twin and goes on with the others', async () => {
    await provisioned(env, 'd1');
    await provisioned(env, 'd2');
    const c1 = tamper(env, 'd1', { properties: { desired: { [container]: null } } });
    const c2 = tamper(env, 'd2', { properties: { desired: { [container]: null } } });
    env.registry.beforePatch = (deviceId) => {
      if (deviceId === 'd1') throw new Error('hub unavailable');
    };

    const report = await enforceTwinChanges(env.deps, [c1, c2], { concurrency: 2 });

    expect(report.twins.map((twin) => [twin.deviceId, twin.status])).toEqual([['d1', 'failed'], ['d2', 'done']]);
  });
});

describe('contested twins', () => {
  it('backs off exponentially after too many corrections, recording each back-off once', async () => {
    const env = setup();
    const contest = contestedTwins(env, { maxCorrections: 2, windowMs: 3_600_000, backoffMs: 60_000 });
    const deps: ReconcileDependencies = { ...env.deps, correctionGate: contest.gate };
    await provisioned(env, 'd1');
    const fight = () => tamper(env, 'd1', { properties: { desired: { [container]: { eventPriorityLogin: { value: 'Off' } } } } });

    const kinds: string[] = [];
    for (let round = 0; round < 4; round++) {
      const report = await enforceTwinChanges(deps, [fight()], { concurrency: 1 });
      kinds.push((report.twins[0] as { outcome: { kind: string } }).outcome.kind);
      env.clock.advance(1_000);
    }
    // Two corrections are allowed; the third correction waits 1 min after the last one.
    expect(kinds).toEqual(['corrected', 'corrected', 'contested', 'contested']);
    expect(await contest.contestedUntil('d1', moduleId)).toBeDefined();
    const contestedRecords = (await env.audit.listForDevice('d1')).filter((record) => record.action === 'contested');
    expect(contestedRecords).toHaveLength(1);
    expect(contestedRecords[0]!.findings![0]).toContain('corrected 2 times');

    env.clock.advance(60_000);
    const afterBackoff = await enforceTwinChanges(deps, [fight()], { concurrency: 1 });
    expect(afterBackoff.twins[0]).toMatchObject({ outcome: { kind: 'corrected' } });
    // Now 3 corrections: the next back-off is twice as long (2 min).
    env.clock.advance(61_000);
    expect((await enforceTwinChanges(deps, [fight()], { concurrency: 1 })).twins[0]).toMatchObject({ outcome: { kind: 'contested' } });
    env.clock.advance(60_000);
    expect((await enforceTwinChanges(deps, [fight()], { concurrency: 1 })).twins[0]).toMatchObject({ outcome: { kind: 'corrected' } });
  });
});
