// IoT Hub's Microsoft.Devices.DeviceCreated as Event Grid delivers it to a webhook, in both schemas a
// subscription can choose (iot-hub-event-grid.md, event-schema-iot-hub.md), and the subscription handshake
// that precedes deliveries. One place for their shape, so every test sends what Event Grid sends.
import type { CloudEventV1, EventGridEvent } from '../../local/functionsHost/eventGridEvent';

export interface DeviceCreatedEventOptions {
  /** The event's id (Event Grid's are GUIDs); by default derived from the device, so each device's event is told apart. */
  readonly id?: string;
  readonly hubName?: string;
  readonly eventTime?: string;
  /** More members of `data`, e.g. a flag a test handler reacts to. */
  readonly data?: Readonly<Record<string, unknown>>;
}

export interface DeviceCreatedData {
  readonly twin: Readonly<Record<string, unknown>>;
  readonly hubName: string;
  readonly deviceId: string;
  readonly [extra: string]: unknown;
}

export type DeviceCreatedEvent = EventGridEvent & { readonly topic: string; readonly data: DeviceCreatedData; readonly metadataVersion: string };
export type DeviceCreatedCloudEvent = CloudEventV1 & { readonly subject: string; readonly data: DeviceCreatedData };

export const testHubName = 'smt-test-hub';
const defaultEventTime = '2026-11-27T12:00:00.0000000Z';

/** The hub's resource id, the `topic` (Event Grid schema) or `source` (CloudEvents) of its events; IoT Hub writes it upper case. */
export function hubResourceId(hubName: string): string {
  return `/SUBSCRIPTIONS/SUB/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/${hubName}`.toUpperCase();
}

/** DeviceCreated in the Event Grid schema, as in the documented sample (its twin is a placeholder the product ignores). */
export function deviceCreatedEvent(deviceId: string, options: DeviceCreatedEventOptions = {}): DeviceCreatedEvent {
  const hubName = options.hubName ?? testHubName;
  return {
    id: options.id ?? `evt-${deviceId}`,
    topic: hubResourceId(hubName),
    subject: `devices/${deviceId}`,
    eventType: 'Microsoft.Devices.DeviceCreated',
    eventTime: options.eventTime ?? defaultEventTime,
    data: deviceCreatedData(deviceId, hubName, options.data),
    dataVersion: '1',
    metadataVersion: '1',
  };
}

/** The same event for a subscription with the CloudEvents 1.0 schema. */
export function deviceCreatedCloudEvent(deviceId: string, options: DeviceCreatedEventOptions = {}): DeviceCreatedCloudEvent {
  const hubName = options.hubName ?? testHubName;
  return {
    specversion: '1.0',
    id: options.id ?? `evt-${deviceId}`,
    source: hubResourceId(hubName),
    type: 'Microsoft.Devices.DeviceCreated',
    subject: `devices/${deviceId}`,
    time: options.eventTime ?? defaultEventTime,
    data: deviceCreatedData(deviceId, hubName, options.data),
  };
}

/** Event Grid's SubscriptionValidationEvent (Event Grid schema), sent with `aeg-event-type: SubscriptionValidation`. */
export function subscriptionValidationEvent(validationCode: string): EventGridEvent & { readonly data: { readonly validationCode: string; readonly validationUrl: string } } {
  return {
    id: `validation-${validationCode}`,
    topic: hubResourceId(testHubName),
    subject: '',
    eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
    eventTime: defaultEventTime,
    data: { validationCode, validationUrl: `https://rp-westeurope.eventgrid.azure.net/api/subscriptions/validate?code=${validationCode}` },
    dataVersion: '1',
    metadataVersion: '1',
  };
}

function deviceCreatedData(deviceId: string, hubName: string, extra: Readonly<Record<string, unknown>> = {}): DeviceCreatedData {
  return { twin: { deviceId, etag: 'AAAAAAAAAAE=', deviceEtag: 'null', status: 'enabled' }, hubName, deviceId, ...extra };
}
