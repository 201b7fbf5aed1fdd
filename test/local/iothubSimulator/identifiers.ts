// Identity naming rules of the identity registry (iot-hub-devguide-identity-registry.md; domain.md §2, §4).
import { HubError } from './errors';

// Device IDs: case-sensitive, ≤128 ASCII 7-bit alphanumerics plus - : . + % _ # * ? ! ( ) , = @ ; $ '
const DEVICE_ID = /^[A-Za-z0-9\-:.+%_#*?!(),=@;$']{1,128}$/;
// Module IDs: the same set without ':' and ';'.
const MODULE_ID = /^[A-Za-z0-9\-.+%_#*?!(),=@$']{1,128}$/;

export function assertValidDeviceId(deviceId: string): void {
  if (!DEVICE_ID.test(deviceId)) {
    throw new HubError(
      'ArgumentInvalid',
      `Device ID '${deviceId}' is invalid: it must be 1-128 ASCII alphanumeric characters or - : . + % _ # * ? ! ( ) , = @ $ ' (and semicolon)`,
    );
  }
}

export function assertValidModuleId(moduleId: string): void {
  if (!MODULE_ID.test(moduleId)) {
    throw new HubError(
      'ArgumentInvalid',
      `Module ID '${moduleId}' is invalid: it must be 1-128 ASCII alphanumeric characters or - . + % _ # * ? ! ( ) , = @ $ '`,
    );
  }
}

/** Module IDs starting with '$' are reserved for the modules the hub itself creates ($edgeAgent, $edgeHub). */
export function isSystemModuleId(moduleId: string): boolean {
  return moduleId.startsWith('$');
}

/** The modules IoT Hub creates with every IoT Edge device identity. */
export const EDGE_SYSTEM_MODULES: readonly string[] = ['$edgeAgent', '$edgeHub'];
