import { describe, expect, it } from 'vitest';
import { parseDeviceEvent } from '../../../src/adapters/inbound/parseDeviceEvent';
import { deviceCreatedCloudEvent, deviceCreatedEvent } from '../../support/events/deviceCreatedEvent';

// The documented samples' identifiers (iot-hub-event-grid.md for the Event Grid schema, event-schema-iot-hub.md for CloudEvents).
const eventGridDeviceCreated = deviceCreatedEvent('LogicAppTestDevice', { id: '56afc886-767b-d359-d59e-0da7877166b2', hubName: 'egtesthub1' });
const cloudEventDeviceCreated = deviceCreatedCloudEvent('dev#1', { id: 'ce-1', hubName: 'egtesthub1' });

describe('parseDeviceEvent', () => {
  it('reads a DeviceCreated event in the Event Grid schema', () => {
    expect(parseDeviceEvent(eventGridDeviceCreated)).toEqual({
      kind: 'device-created',
      notice: { deviceId: 'LogicAppTestDevice', eventId: eventGridDeviceCreated.id },
      hubName: 'egtesthub1',
      schema: 'EventGridSchema',
    });
  });

  it('reads a DeviceCreated event in the CloudEvents 1.0 schema', () => {
    expect(parseDeviceEvent(cloudEventDeviceCreated)).toMatchObject({ kind: 'device-created', notice: { deviceId: 'dev#1', eventId: 'ce-1' }, schema: 'CloudEventSchemaV1_0' });
  });

  it('ignores other event types', () => {
    expect(parseDeviceEvent({ ...eventGridDeviceCreated, eventType: 'Microsoft.Devices.DeviceDeleted' })).toEqual({
      kind: 'ignored',
      eventId: eventGridDeviceCreated.id,
      eventType: 'Microsoft.Devices.DeviceDeleted',
    });
  });

  it.each([
    [null, /expected one event object, got object/],
    [[eventGridDeviceCreated], /got an array/],
    ['text', /got string/],
    [{ ...eventGridDeviceCreated, id: '' }, /has no id/],
    [{ ...eventGridDeviceCreated, eventType: undefined }, /has no eventType/],
    [{ ...cloudEventDeviceCreated, type: 7 }, /has no type/],
    [{ ...eventGridDeviceCreated, data: 'x' }, /has no data object/],
    [{ ...eventGridDeviceCreated, data: { deviceId: 'has space' } }, /no valid data.deviceId \(got "has space"\)/],
    [{ ...eventGridDeviceCreated, data: { deviceId: 'x'.repeat(129) } }, /no valid data.deviceId/],
    [{ ...eventGridDeviceCreated, subject: 'devices/other' }, /subject "devices\/other" does not name device LogicAppTestDevice/],
  ])('rejects a malformed event with its reason: %j', (input, reason) => {
    const parsed = parseDeviceEvent(input);
    expect(parsed.kind).toBe('malformed');
    expect(parsed.kind === 'malformed' && parsed.reason).toMatch(reason);
  });
});
