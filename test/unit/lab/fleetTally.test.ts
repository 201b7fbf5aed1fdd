import { describe, expect, it } from 'vitest';
import type { DeviceModuleEntry } from '../../local/iothubSimulator';
import { fleetTally } from '../../local/lab/fleetTally';

const tag = { securityBaseline: { name: 'default', version: 1 } };

/** A hub view whose devices and revision the test sets; counts how often it was walked. */
function hub(devices: DeviceModuleEntry[]) {
  const view = {
    revision: 1,
    walks: 0,
    devices,
    *moduleInventory(moduleId: string): Generator<DeviceModuleEntry> {
      view.walks += 1;
      view.lastModuleId = moduleId;
      yield* view.devices;
    },
    lastModuleId: '',
  };
  return view;
}

const fleet: DeviceModuleEntry[] = [
  { deviceId: 'sensor-1', iotEdge: false, moduleTags: tag },
  { deviceId: 'sensor-2', iotEdge: false, moduleTags: {} },
  { deviceId: 'sensor-3', iotEdge: false, moduleTags: undefined },
  { deviceId: 'gateway-1', iotEdge: true, moduleTags: tag },
  { deviceId: 'camera-1', iotEdge: false, moduleTags: tag },
];

describe('counting secured devices', () => {
  it('counts the devices the selector provisions, and those whose module twin carries the assignment tag', () => {
    expect(fleetTally(hub(fleet), {}).counts()).toEqual({ secured: 2, selected: 4 });
    expect(fleetTally(hub(fleet), { INCLUDE_EDGE_DEVICES: 'true' }).counts()).toEqual({ secured: 3, selected: 5 });
    expect(fleetTally(hub(fleet), { DEVICE_ID_PATTERN: 'sensor-.*' }).counts()).toEqual({ secured: 1, selected: 3 });
    expect(fleetTally(hub(fleet), { DEVICE_ID_PATTERN: '' }).counts()).toEqual({ secured: 2, selected: 4 });
    // An invalid pattern stops the app from provisioning anything.
    expect(fleetTally(hub(fleet), { DEVICE_ID_PATTERN: '(' }).counts()).toEqual({ secured: 0, selected: 0 });
  });

  it("looks at the profile's security module", () => {
    const classic = hub(fleet);
    fleetTally(classic, {}).counts();
    expect(classic.lastModuleId).toBe('azureiotsecurity');
    const defender = hub(fleet);
    fleetTally(defender, { SECURITY_AGENT_PROFILE: 'defender-micro-agent' }).counts();
    expect(defender.lastModuleId).toBe('DefenderIotMicroAgent');
  });

  it('walks the fleet again only after the hub changed', () => {
    const view = hub([...fleet]);
    const tally = fleetTally(view, {});
    tally.counts();
    tally.counts();
    expect(view.walks).toBe(1);
    view.devices.push({ deviceId: 'sensor-4', iotEdge: false, moduleTags: tag });
    expect(tally.counts()).toEqual({ secured: 2, selected: 4 });
    view.revision += 1;
    expect(tally.counts()).toEqual({ secured: 3, selected: 5 });
    expect(view.walks).toBe(2);
  });
});
