// How far provisioning has come, counted the way the README's hub query counts it: devices the app's
// selector provisions (M), and those among them whose security module twin carries tags.securityBaseline
// (N). Counted from the simulator's memory, without HTTP or throttling, and only again once the hub has
// changed: walking 100,000 devices takes a few milliseconds, so a display polling once a second stays cheap.
import { getAgentProfile, isProfileId } from '../../../src/domain/agentProfiles';
import { compileDeviceSelector } from '../../../src/domain/deviceSelector';
import type { IotHubSimulator } from '../iothubSimulator';

interface FleetCounts {
  /** Devices the selector provisions whose module twin carries tags.securityBaseline. */
  readonly secured: number;
  /** Devices the selector provisions (matching DEVICE_ID_PATTERN; IoT Edge devices only with INCLUDE_EDGE_DEVICES=true). */
  readonly selected: number;
}

interface FleetTally {
  counts(): FleetCounts;
}

type HubView = Pick<IotHubSimulator, 'revision' | 'moduleInventory'>;

/** Reads the profile and selector from the app settings the lab gave the host, as the app reads them. */
export function fleetTally(simulator: HubView, settings: Readonly<Record<string, string>>): FleetTally {
  const profile = settings['SECURITY_AGENT_PROFILE'];
  // An unknown profile fails the app's configuration check; the default profile's module is the best guess meanwhile.
  const moduleId = getAgentProfile(isProfileId(profile) ? profile : 'asc-classic').moduleId;
  const pattern = settings['DEVICE_ID_PATTERN'];
  const compiled = compileDeviceSelector({
    ...(pattern === undefined || pattern === '' ? {} : { deviceIdPattern: pattern }),
    includeEdgeDevices: /^true$/i.test(settings['INCLUDE_EDGE_DEVICES'] ?? ''),
  });
  // An invalid pattern fails the app's configuration check too; until it is fixed no device is provisioned.
  const selects = compiled.ok ? (deviceId: string, iotEdge: boolean) => compiled.value.matchesDevice({ deviceId, isEdgeDevice: iotEdge }) : () => false;

  let countedAt: number | undefined;
  let counts: FleetCounts = { secured: 0, selected: 0 };
  return {
    counts() {
      if (simulator.revision === countedAt) return counts;
      countedAt = simulator.revision;
      let secured = 0;
      let selected = 0;
      for (const device of simulator.moduleInventory(moduleId)) {
        if (!selects(device.deviceId, device.iotEdge)) continue;
        selected += 1;
        if (device.moduleTags !== undefined && Object.hasOwn(device.moduleTags, 'securityBaseline')) secured += 1;
      }
      counts = { secured, selected };
      return counts;
    },
  };
}
