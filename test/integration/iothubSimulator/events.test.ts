// DeviceCreated/DeviceDeleted (Event Grid schema) and twin change notifications (message routing shape).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Registry } from 'azure-iothub';
import {
  connectRegistry,
  startIotHubSimulator,
  type EventGridEvent,
  type IotHubSimulator,
  type TwinChangeNotification,
  type Unsubscribe,
} from '../../local/iothubSimulator';
import { failureOf, rawCall } from './helpers';

// A fixed hub clock makes every timestamp the hub writes predictable.
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const T = '2026-01-02T03:04:05.6780000Z';
let simulator: IotHubSimulator;
let registry: Registry;
const created: EventGridEvent[] = [];
const deleted: EventGridEvent[] = [];
const changes: TwinChangeNotification[] = [];
const subscriptions: Unsubscribe[] = [];

beforeAll(async () => {
  simulator = await startIotHubSimulator({
    hostName: 'contoso-events.azure-devices.net',
    subscriptionId: 'd6a5c0f1-1111-2222-3333-444455556666',
    resourceGroup: 'rg-Fleet',
    throttle: false,
    clock: { now: () => NOW },
  });
  registry = connectRegistry(simulator);
  subscriptions.push(
    simulator.onDeviceCreated((event) => created.push(event)),
    simulator.onDeviceDeleted((event) => deleted.push(event)),
    simulator.onTwinChanged((notification) => changes.push(notification)),
  );
});

afterAll(async () => {
  subscriptions.forEach((unsubscribe) => unsubscribe());
  await simulator.close();
});

beforeEach(() => {
  created.length = 0;
  deleted.length = 0;
  changes.length = 0;
});

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('Event Grid device lifecycle events', () => {
  it('raises Microsoft.Devices.DeviceCreated in the documented Event Grid schema before the create call returns', async () => {
    await registry.create({ deviceId: 'LogicAppTestDevice' });

    expect(created).toHaveLength(1);
    expect(created[0]).toEqual({
      id: expect.stringMatching(uuid),
      topic: '/SUBSCRIPTIONS/D6A5C0F1-1111-2222-3333-444455556666/RESOURCEGROUPS/RG-FLEET/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/CONTOSO-EVENTS',
      subject: 'devices/LogicAppTestDevice',
      eventType: 'Microsoft.Devices.DeviceCreated',
      eventTime: T,
      data: {
        twin: {
          deviceId: 'LogicAppTestDevice',
          etag: 'AAAAAAAAAAE=',
          deviceEtag: 'null',
          status: 'enabled',
          statusUpdateTime: '0001-01-01T00:00:00',
          connectionState: 'Disconnected',
          lastActivityTime: '0001-01-01T00:00:00',
          cloudToDeviceMessageCount: 0,
          authenticationType: 'sas',
          x509Thumbprint: { primaryThumbprint: null, secondaryThumbprint: null },
          version: 2,
          properties: {
            desired: { $metadata: { $lastUpdated: T }, $version: 1 },
            reported: { $metadata: { $lastUpdated: T }, $version: 1 },
          },
        },
        hubName: 'contoso-events',
        deviceId: 'LogicAppTestDevice',
      },
      dataVersion: '1',
      metadataVersion: '1',
    });
  });

  it('raises one event per device for bulk creates, none for failed creates or for modules', async () => {
    await registry.create({ deviceId: 'ev-existing' });
    created.length = 0;

    // One entry fails, so the hub answers 400 with the per-entry result; the others are created all the same.
    await failureOf(registry.addDevices([{ deviceId: 'ev-bulk-1' }, { deviceId: 'ev-existing' }, { deviceId: 'ev-bulk-2' }]));
    await failureOf(registry.create({ deviceId: 'ev-existing' }));
    await registry.addModule({ deviceId: 'ev-existing', moduleId: 'agent' });

    expect(created.map((event) => event.subject)).toEqual(['devices/ev-bulk-1', 'devices/ev-bulk-2']);
    expect(new Set(created.map((event) => event.id)).size).toBe(2);
  });

  it('raises events for seeded devices only when asked to', () => {
    simulator.seedDevices(3, { idPrefix: 'ev-quiet-' });
    simulator.seedDevices(2, { idPrefix: 'ev-loud-', emitEvents: true });

    expect(created.map((event) => event.data.deviceId)).toEqual(['ev-loud-0', 'ev-loud-1']);
  });

  it('raises Microsoft.Devices.DeviceDeleted with the twin as it was', async () => {
    await registry.create({ deviceId: 'ev-doomed' });
    await registry.updateTwin('ev-doomed', { tags: { a: 1 } }, '*');

    await registry.delete('ev-doomed');

    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatchObject({
      subject: 'devices/ev-doomed',
      eventType: 'Microsoft.Devices.DeviceDeleted',
      data: { hubName: 'contoso-events', deviceId: 'ev-doomed', twin: { deviceId: 'ev-doomed', etag: 'AAAAAAAAAAI=', version: 3 } },
      dataVersion: '1',
      metadataVersion: '1',
    });
  });
});

describe('twin change notifications', () => {
  beforeAll(async () => {
    await registry.create({ deviceId: 'contoso-device-3' });
    await registry.addModule({ deviceId: 'contoso-device-3', moduleId: 'module-1' });
  });

  it('describes a desired+tags update of a module twin as IoT Hub routes it (body, application and system properties)', async () => {
    const { responseBody: twin } = await registry.getModuleTwin('contoso-device-3', 'module-1');

    await registry.updateModuleTwin('contoso-device-3', 'module-1', { tags: { tag1: 'new value' }, properties: { desired: { property1: 'new value' } } }, twin.etag);

    expect(changes).toEqual([
      {
        body: {
          version: 3,
          tags: { tag1: 'new value' },
          properties: {
            desired: {
              property1: 'new value',
              $metadata: { $lastUpdated: T, $lastUpdatedVersion: 2, property1: { $lastUpdated: T, $lastUpdatedVersion: 2 } },
              $version: 2,
            },
          },
        },
        properties: {
          hubName: 'contoso-events',
          deviceId: 'contoso-device-3',
          moduleId: 'module-1',
          operationTimestamp: T,
          'iothub-message-schema': 'twinChangeNotification',
          opType: 'updateTwin',
        },
        systemProperties: {
          'iothub-connection-device-id': 'contoso-device-3',
          'iothub-connection-module-id': 'module-1',
          'iothub-message-source': 'twinChangeEvents',
          'iothub-enqueuedtime': NOW,
          'content-type': 'application/json',
          'content-encoding': 'utf-8',
          'correlation-id': expect.stringMatching(/^[0-9a-f]{12}$/),
          'user-id': 'contoso-events',
        },
      },
    ]);
  });

  it('carries removals as nulls (patch-like) and only the changed parts', async () => {
    await registry.updateModuleTwin('contoso-device-3', 'module-1', { properties: { desired: { nested: { keep: 1, drop: 2 }, other: true } } }, '*');
    changes.length = 0;

    await registry.updateModuleTwin('contoso-device-3', 'module-1', { properties: { desired: { nested: { drop: null } } } }, '*');

    expect(changes).toHaveLength(1);
    expect(changes[0]!.body).toEqual({
      version: 5,
      properties: {
        desired: {
          nested: { drop: null },
          $metadata: { $lastUpdated: T, $lastUpdatedVersion: 4, nested: { $lastUpdated: T, $lastUpdatedVersion: 4 } },
          $version: 4,
        },
      },
    });
  });

  it('sends the full twin with opType replaceTwin for a replace', async () => {
    await rawCall(registry, 'PUT', '/twins/contoso-device-3/modules/module-1?api-version=2021-04-12', { 'Content-Type': 'application/json; charset=utf-8', 'If-Match': '*' }, { tags: { replaced: true } });

    expect(changes).toHaveLength(1);
    expect(changes[0]!.properties.opType).toBe('replaceTwin');
    expect(changes[0]!.body).toEqual(simulator.peekModuleTwin('contoso-device-3', 'module-1'));
  });

  it('notifies reported-property updates, and device-twin changes without module properties', async () => {
    simulator.reportProperties('contoso-device-3', 'module-1', { state: 'ok' });
    await registry.updateTwin('contoso-device-3', { properties: { desired: { interval: 5 } } }, '*');

    expect(changes).toHaveLength(2);
    expect(changes[0]!.body).toEqual({ version: 7, properties: { reported: { state: 'ok', $metadata: { $lastUpdated: T, state: { $lastUpdated: T } }, $version: 2 } } });
    expect(changes[1]!.properties).not.toHaveProperty('moduleId');
    expect(changes[1]!.systemProperties).not.toHaveProperty('iothub-connection-module-id');
    expect(changes[1]!.properties.deviceId).toBe('contoso-device-3');
  });

  it('sends nothing for rejected updates', async () => {
    await failureOf(registry.updateModuleTwin('contoso-device-3', 'module-1', { tags: { x: 1 } }, 'AAAAAAAAAAE='));
    await failureOf(registry.updateModuleTwin('contoso-device-3', 'module-1', { tags: { 'bad key': 1 } }, '*'));

    expect(changes).toEqual([]);
  });
});

describe('listeners', () => {
  it('cannot break a request: thrown errors and rejections go to onListenerError, other listeners still run', async () => {
    const reported: Array<{ error: unknown; source: string }> = [];
    const seen: string[] = [];
    const off = [
      simulator.onListenerError((error, source) => reported.push({ error, source })),
      simulator.onDeviceCreated(() => {
        throw new Error('listener exploded');
      }),
      simulator.onTwinChanged(() => Promise.reject(new Error('async listener failed'))),
      simulator.onDeviceCreated((event) => seen.push(event.data.deviceId)),
    ];

    const { httpResponse } = await registry.create({ deviceId: 'ev-robust' });
    await registry.updateTwin('ev-robust', { tags: { a: 1 } }, '*');
    await new Promise((resolve) => setImmediate(resolve));
    off.forEach((unsubscribe) => unsubscribe());

    expect(httpResponse.statusCode).toBe(200);
    expect(seen).toEqual(['ev-robust']);
    expect(reported.map(({ source, error }) => [source, (error as Error).message])).toEqual([
      ['deviceCreated', 'listener exploded'],
      ['twinChanged', 'async listener failed'],
    ]);
  });

  it('stops delivering after unsubscribe', async () => {
    const seen: string[] = [];
    const unsubscribe = simulator.onDeviceCreated((event) => seen.push(event.data.deviceId));

    await registry.create({ deviceId: 'ev-sub-1' });
    unsubscribe();
    await registry.create({ deviceId: 'ev-sub-2' });

    expect(seen).toEqual(['ev-sub-1']);
  });
});
