import { beforeEach, describe, expect, it } from 'vitest';
import { readDeviceCompliance, type ComplianceDependencies } from '../../../src/app/deviceCompliance';
import type { Baseline } from '../../../src/domain/baseline';
import { desiredConfigurationDocument } from '../../../src/domain/desiredConfiguration';
import { ValidationError } from '../../../src/domain/productError';
import { ascClassic } from '../../../src/domain/profiles/ascClassic';
import { testBaseline } from '../../support/baselines';
import { FixedClock } from '../../support/fakes/fixedClock';
import { InMemoryTwinRegistry } from '../../support/fakes/inMemoryTwinRegistry';

const MODULE = 'azureiotsecurity';
const v1 = testBaseline();
const assignment = { name: 'default', version: 1, mode: 'enforce', assignedAt: '2026-11-27T10:00:00Z' };

let registry: InMemoryTwinRegistry;
let contestedAsked: string[];
let contestedUntil: string | undefined;
let deps: ComplianceDependencies & { registry: InMemoryTwinRegistry };

beforeEach(() => {
  registry = new InMemoryTwinRegistry();
  contestedAsked = [];
  contestedUntil = undefined;
  const baselines = new Map<string, Baseline>([['default v1', v1]]);
  deps = {
    registry,
    profile: ascClassic,
    clock: new FixedClock(),
    baseline: async (name, version) => baselines.get(`${name} v${version}`),
    contestedUntil: async (deviceId, moduleId) => {
      contestedAsked.push(`${deviceId}/${moduleId}`);
      return contestedUntil;
    },
  };
});

/** A device whose module twin holds `desired` under the default assignment, and reports `reported`. */
async function twin(deviceId: string, desired: Record<string, unknown>, reported: Record<string, unknown> = {}, tags: Record<string, unknown> = { securityBaseline: assignment }) {
  registry.addDevice(deviceId);
  await registry.createModule(deviceId, MODULE);
  registry.writeTwin(deviceId, MODULE, { tags, properties: { desired } });
  registry.devices.get(deviceId)!.modules.get(MODULE)!.reported = reported;
}

describe('readDeviceCompliance', () => {
  it('answers a twin holding its baseline that the agent confirmed, with the assignment and baseline, and asks nothing about contests', async () => {
    await twin('sensor-1', desiredConfigurationDocument(ascClassic, v1.settings), desiredConfigurationDocument(ascClassic, v1.settings));

    expect(await readDeviceCompliance(deps, 'sensor-1')).toEqual({
      deviceId: 'sensor-1',
      state: 'compliant',
      reason: 'the agent reports default v1: 25 settings agree',
      assignment,
      baseline: { name: 'default', version: 1, profile: 'asc-classic', description: 'test baseline' },
    });
    expect(registry.calls).toEqual([`createModule sensor-1/${MODULE}`, `getModuleTwin sensor-1/${MODULE}`]);
    expect(contestedAsked).toEqual([]);
  });

  it('answers unmanaged for a device without the module, with no assignment or baseline', async () => {
    expect(await readDeviceCompliance(deps, 'nowhere')).toEqual({
      deviceId: 'nowhere',
      state: 'unmanaged',
      reason: 'the device has no azureiotsecurity module (or the device does not exist)',
    });
  });

  it('answers unmanaged with the assignment when the baseline it names does not exist', async () => {
    await twin('sensor-2', {}, {}, { securityBaseline: { ...assignment, version: 9 } });
    expect(await readDeviceCompliance(deps, 'sensor-2')).toEqual({
      deviceId: 'sensor-2',
      state: 'unmanaged',
      reason: 'the assigned baseline default v9 does not exist',
      assignment: { ...assignment, version: 9 },
    });
  });

  it('asks about a contest only for a drifted twin, and answers contested while corrections back off', async () => {
    await twin('sensor-3', {});
    expect((await readDeviceCompliance(deps, 'sensor-3')).state).toBe('drifted');
    contestedUntil = new Date(deps.clock.now().getTime() + 60_000).toISOString();
    expect((await readDeviceCompliance(deps, 'sensor-3')).state).toBe('contested');
    expect(contestedAsked).toEqual([`sensor-3/${MODULE}`, `sensor-3/${MODULE}`]);
  });

  it.each([
    ['no device id', '', 0],
    ['a device id longer than IoT Hub allows', 'd'.repeat(129), 129],
  ])('refuses %s without reading the hub', async (_what, deviceId, length) => {
    await expect(readDeviceCompliance(deps, deviceId)).rejects.toThrow(new ValidationError('InvalidDeviceId', `deviceId must be 1-128 characters, got ${length}`));
    expect(registry.calls).toEqual([]);
  });
});
