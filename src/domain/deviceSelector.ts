import { errorIssue, type Validated } from './validationIssue';

/**
 * Which devices the product manages. `deviceIdPattern` is a JavaScript regular expression that must match
 * the *whole* device ID (it is anchored, so `sensor-` does not select `old-sensor-1`); without it every
 * device ID matches. Edge devices run their own security module arrangement and can be left out.
 */
export interface DeviceSelector {
  deviceIdPattern?: string;
  includeEdgeDevices: boolean;
}

export interface CompiledDeviceSelector {
  readonly selector: DeviceSelector;
  /**
   * True when the decision needs the device identity from the registry: edge devices are excluded, and
   * the twin in a DeviceCreated event is documented as unreliable and carries no `capabilities`, so
   * whether a device is an edge device can only be read from its identity.
   */
  readonly needsRegistry: boolean;
  matchesDeviceId(deviceId: string): boolean;
  matchesDevice(device: { deviceId: string; isEdgeDevice: boolean }): boolean;
}

/**
 * Compiles a selector once (a pattern is compiled per configuration, not per event). The pattern gets no
 * flags: device IDs are ASCII, and the `u` flag would reject escapes such as `\-` that operators write.
 */
export function compileDeviceSelector(selector: DeviceSelector): Validated<CompiledDeviceSelector> {
  const { deviceIdPattern, includeEdgeDevices } = selector;
  let pattern: RegExp | undefined;
  if (deviceIdPattern !== undefined) {
    if (deviceIdPattern === '') {
      return {
        ok: false,
        issues: [errorIssue('deviceIdPattern', 'device-pattern', 'deviceIdPattern is empty and would match no device: leave it out to select every device')],
      };
    }
    try {
      // Compiled alone first: a pattern such as `a)|(b` is invalid alone but would compile once wrapped,
      // escaping the anchors. A pattern valid alone has balanced groups, so wrapping it is safe.
      new RegExp(deviceIdPattern);
      pattern = new RegExp(`^(?:${deviceIdPattern})$`);
    } catch (error) {
      // The RegExp constructor throws a SyntaxError, whose message names the problem.
      const reason = (error as SyntaxError).message;
      return {
        ok: false,
        issues: [errorIssue('deviceIdPattern', 'device-pattern', `deviceIdPattern ${JSON.stringify(deviceIdPattern)} is not a valid JavaScript regular expression: ${reason}`)],
      };
    }
  }
  const matchesDeviceId = (deviceId: string): boolean => pattern === undefined || pattern.test(deviceId);
  const compiled: CompiledDeviceSelector = {
    selector,
    needsRegistry: !includeEdgeDevices,
    matchesDeviceId,
    matchesDevice: (device) => matchesDeviceId(device.deviceId) && (includeEdgeDevices || !device.isEdgeDevice),
  };
  return { ok: true, value: compiled, warnings: [] };
}
