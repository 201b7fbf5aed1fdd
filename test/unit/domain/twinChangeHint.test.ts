import { describe, expect, it } from 'vitest';
import { assignmentTagPatch } from '../../../src/domain/assignment';
import { getAgentProfile } from '../../../src/domain/agentProfiles';
import { provisioningPatch } from '../../../src/domain/provisioningPatch';
import { isEchoOf, readTwinChangeHint, type TwinChangeNotice } from '../../../src/domain/twinChangeHint';
import { testBaseline } from '../../support/baselines';

const classic = getAgentProfile('asc-classic');
const micro = getAgentProfile('defender-micro-agent');
const container = 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration';
const baseline = testBaseline({ version: 2, changedSettings: { eventPriorityLogin: 'Low' } });
const assignment = { name: 'default', version: 2, mode: 'enforce' as const, assignedAt: '2026-11-01T00:00:00.000Z' };
const metadata = { $metadata: { $lastUpdated: '2026-11-29T12:00:00.0000000Z', $lastUpdatedVersion: 3 }, $version: 3 };

const notice = (body: Record<string, unknown>, extra: Partial<TwinChangeNotice> = {}): TwinChangeNotice => ({
  deviceId: 'd1',
  moduleId: classic.moduleId,
  opType: 'updateTwin',
  version: 7,
  body,
  ...extra,
});

/** The notification body IoT Hub sends for the product's own PATCH: the patch as written, with $metadata. */
function echoBody(patch = provisioningPatch(classic, baseline, assignment, { [container]: { legacy: { value: 1 } } })) {
  return { version: 7, tags: patch.tags, properties: { desired: { ...patch.properties.desired, ...metadata } } };
}

describe('readTwinChangeHint', () => {
  it('settles notifications of other twins without looking further', () => {
    const { moduleId: _moduleId, ...deviceTwin } = notice(echoBody());
    expect(readTwinChangeHint(classic, deviceTwin)).toEqual({ kind: 'other-twin' });
    expect(readTwinChangeHint(classic, notice(echoBody(), { moduleId: 'someOtherModule' }))).toEqual({ kind: 'other-twin' });
  });

  it('settles an agent answering back in reported properties', () => {
    expect(readTwinChangeHint(classic, notice({ version: 7, properties: { reported: { [container]: { eventPriorityLogin: { value: 'low' } } } } }))).toEqual({ kind: 'reported-only' });
  });

  it('settles changes to other tags and to desired properties outside the configuration', () => {
    expect(readTwinChangeHint(classic, notice({ version: 7, tags: { location: 'hall 3' } }))).toEqual({ kind: 'unrelated-change' });
    expect(readTwinChangeHint(classic, notice({ version: 7, properties: { desired: { telemetryInterval: 30, ...metadata } } }))).toEqual({ kind: 'unrelated-change' });
  });

  it('passes on what the product writes, with nulls read as removals', () => {
    const hint = readTwinChangeHint(classic, notice(echoBody()));
    expect(hint).toEqual({ kind: 'may-be-drift', written: { assignment, desired: { [container]: expect.not.objectContaining({ legacy: expect.anything() }) } } });
    expect(hint.kind === 'may-be-drift' && hint.written !== undefined && isEchoOf(classic, hint.written, baseline)).toBe(true);
  });

  it('takes a changed setting, a removed configuration or a touched tag for possible drift', () => {
    const changed = readTwinChangeHint(classic, notice({ version: 8, properties: { desired: { [container]: { eventPriorityLogin: { value: 'Off' } }, ...metadata } } }));
    expect(changed).toEqual({ kind: 'may-be-drift' });
    expect(readTwinChangeHint(classic, notice({ version: 8, properties: { desired: { [container]: null, ...metadata } } }))).toEqual({ kind: 'may-be-drift' });
    expect(readTwinChangeHint(classic, notice({ version: 8, tags: { securityBaseline: null } }))).toEqual({ kind: 'may-be-drift' });
    expect(readTwinChangeHint(classic, notice({ version: 8, tags: { securityBaseline: { ...assignment, version: 1 } } }))).toEqual({ kind: 'may-be-drift' });
  });

  it('takes a replaced twin for possible drift even when it carries nothing', () => {
    expect(readTwinChangeHint(classic, notice({ version: 9 }, { opType: 'replaceTwin' }))).toEqual({ kind: 'may-be-drift' });
  });

  it('reads the flat profile: any desired key is configuration', () => {
    const patch = provisioningPatch(micro, testBaseline({ profile: 'defender-micro-agent', version: 2 }), assignment);
    const body = { version: 4, tags: patch.tags, properties: { desired: { ...patch.properties.desired, ...metadata } } };
    const hint = readTwinChangeHint(micro, notice(body, { moduleId: micro.moduleId }));
    expect(hint.kind === 'may-be-drift' && hint.written !== undefined && isEchoOf(micro, hint.written, testBaseline({ profile: 'defender-micro-agent', version: 2 }))).toBe(true);
    expect(readTwinChangeHint(micro, notice({ version: 5, properties: { desired: { anything: 1, ...metadata } } }, { moduleId: micro.moduleId }))).toEqual({ kind: 'may-be-drift' });
    expect(readTwinChangeHint(micro, notice({ version: 5, properties: { desired: { ...metadata } } }, { moduleId: micro.moduleId }))).toEqual({ kind: 'unrelated-change' });
  });
});

describe('isEchoOf', () => {
  const written = (patch = provisioningPatch(classic, baseline, assignment)) => {
    const hint = readTwinChangeHint(classic, notice({ version: 7, tags: patch.tags, properties: { desired: patch.properties.desired } }));
    if (hint.kind !== 'may-be-drift' || hint.written === undefined) throw new Error('expected a complete write');
    return hint.written;
  };

  it('is true only for exactly the assigned baseline', () => {
    expect(isEchoOf(classic, written(), baseline)).toBe(true);
    expect(isEchoOf(classic, written(), testBaseline({ version: 3 }))).toBe(false);
    expect(isEchoOf(classic, written(), testBaseline({ name: 'strict', version: 2 }))).toBe(false);
    const other = provisioningPatch(classic, testBaseline({ version: 2 }), assignment);
    expect(isEchoOf(classic, written(other), baseline)).toBe(false);
  });

  it('is not fooled by a human patch that writes the tag again with a partial configuration', () => {
    const partial = { tags: assignmentTagPatch(assignment), properties: { desired: { [container]: { eventPriorityLogin: { value: 'Low' } } } } };
    const hint = readTwinChangeHint(classic, notice({ version: 8, ...partial }));
    expect(hint.kind === 'may-be-drift' && hint.written !== undefined && isEchoOf(classic, hint.written, baseline)).toBe(false);
  });
});
