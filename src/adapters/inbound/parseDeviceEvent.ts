import type { DeviceCreatedNotice } from '../../app/provisionSecurityModule';

export type ParsedDeviceEvent =
  | { readonly kind: 'device-created'; readonly notice: DeviceCreatedNotice; readonly hubName?: string; readonly schema: 'EventGridSchema' | 'CloudEventSchemaV1_0' }
  | { readonly kind: 'ignored'; readonly eventId: string; readonly eventType: string }
  | { readonly kind: 'malformed'; readonly reason: string };

const deviceCreatedType = 'Microsoft.Devices.DeviceCreated';
/** IoT Hub device IDs: ≤128 ASCII characters from this set (identity registry docs). */
const deviceIdPattern = /^[A-Za-z0-9\-:.+%_#*?!(),=@;$']{1,128}$/;

/**
 * Reads an IoT Hub device event delivered by Event Grid in either the Event Grid schema
 * (`eventType`, `data.deviceId`) or CloudEvents 1.0 (`type`, `specversion`). Never throws: a malformed
 * event is reported with the reason, so the caller can log it and let the rest of the batch proceed.
 * Only identifiers are taken from the event; its embedded twin is documented as a placeholder.
 */
export function parseDeviceEvent(input: unknown): ParsedDeviceEvent {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { kind: 'malformed', reason: `expected one event object, got ${Array.isArray(input) ? 'an array' : typeof input}` };
  }
  const event = input as Record<string, unknown>;
  const isCloudEvent = typeof event['specversion'] === 'string';
  const eventType = isCloudEvent ? event['type'] : event['eventType'];
  const id = event['id'];

  if (typeof id !== 'string' || id === '') return { kind: 'malformed', reason: 'the event has no id' };
  if (typeof eventType !== 'string' || eventType === '') {
    return { kind: 'malformed', reason: `event ${id} has no ${isCloudEvent ? 'type' : 'eventType'}` };
  }
  if (eventType !== deviceCreatedType) return { kind: 'ignored', eventId: id, eventType };

  const data = event['data'];
  if (typeof data !== 'object' || data === null) return { kind: 'malformed', reason: `event ${id} (${eventType}) has no data object` };
  const deviceId = (data as Record<string, unknown>)['deviceId'];
  if (typeof deviceId !== 'string' || !deviceIdPattern.test(deviceId)) {
    return { kind: 'malformed', reason: `event ${id} (${eventType}) has no valid data.deviceId (got ${JSON.stringify(deviceId)})` };
  }
  const subject = event['subject'];
  if (subject !== undefined && subject !== `devices/${deviceId}`) {
    return { kind: 'malformed', reason: `event ${id}: subject ${JSON.stringify(subject)} does not name device ${deviceId}` };
  }
  const hubName = (data as Record<string, unknown>)['hubName'];
  return {
    kind: 'device-created',
    notice: { deviceId, eventId: id },
    schema: isCloudEvent ? 'CloudEventSchemaV1_0' : 'EventGridSchema',
    ...(typeof hubName === 'string' ? { hubName } : {}),
  };
}
