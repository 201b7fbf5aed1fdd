// What the hub tells the outside world: Event Grid device lifecycle events (Microsoft.Devices.DeviceCreated /
// DeviceDeleted, Event Grid schema, domain.md §2 and Appendix D) and twin change notifications as message
// routing delivers them to an Event Hub (domain.md §3.1, Appendix C). Listeners run synchronously after the
// change is committed and before the HTTP response is sent, so a test sees the event by the time the SDK call
// resolves; a listener that throws (or rejects) is reported to onListenerError and never affects the request.
import { randomBytes, randomUUID } from 'node:crypto';
import { authenticationType, renderX509 } from './identity';
import type { JsonObject } from './json';
import type { DeviceRecord } from './registry';
import { hubTimestamp } from './time';
import { readTwin, sectionUpdatedAt, twinEtag, type TwinSection } from './twin';

export type DeviceLifecycleEventType = 'Microsoft.Devices.DeviceCreated' | 'Microsoft.Devices.DeviceDeleted';

export interface EventGridEvent {
  readonly id: string;
  readonly topic: string;
  readonly subject: string;
  readonly eventType: DeviceLifecycleEventType;
  readonly eventTime: string;
  readonly data: { readonly twin: JsonObject; readonly hubName: string; readonly deviceId: string };
  readonly dataVersion: string;
  readonly metadataVersion: string;
}

export interface TwinChangeNotification {
  /** Update: version plus only the changed parts (patch-like, with $metadata/$version). Replace: the full twin. */
  readonly body: JsonObject;
  /** Application properties: hubName, deviceId, moduleId (modules only), operationTimestamp, iothub-message-schema, opType. */
  readonly properties: Record<string, string>;
  /** System properties / annotations: iothub-connection-device-id, iothub-connection-module-id (modules only), iothub-message-source, iothub-enqueuedtime, content-type, content-encoding, correlation-id, user-id. */
  readonly systemProperties: Record<string, unknown>;
}

export type ListenerErrorSource = 'deviceCreated' | 'deviceDeleted' | 'twinChanged';
export type ListenerErrorHook = (error: unknown, source: ListenerErrorSource) => void;
export type Unsubscribe = () => void;

export interface HubIdentity {
  readonly hubName: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
}

function eventSection(section: TwinSection): JsonObject {
  return { $metadata: { $lastUpdated: hubTimestamp(sectionUpdatedAt(section)) }, $version: section.version };
}

/**
 * The twin inside DeviceCreated/DeviceDeleted, shaped as the documented sample: a reduced twin with no
 * capabilities (docs: "a default configuration", IoT Edge devices can't be told apart) and deviceEtag as the
 * literal string "null".
 */
function eventTwin(device: DeviceRecord): JsonObject {
  const twin = readTwin(device);
  return {
    deviceId: device.deviceId,
    etag: twinEtag(twin),
    deviceEtag: 'null',
    status: device.status,
    statusUpdateTime: '0001-01-01T00:00:00',
    connectionState: 'Disconnected',
    lastActivityTime: '0001-01-01T00:00:00',
    cloudToDeviceMessageCount: 0,
    authenticationType: authenticationType(device.auth),
    x509Thumbprint: renderX509(device.auth),
    version: twin.version,
    properties: { desired: eventSection(twin.desired), reported: eventSection(twin.reported) },
  };
}

export function buildLifecycleEvent(hub: HubIdentity, type: DeviceLifecycleEventType, device: DeviceRecord, at: number): EventGridEvent {
  return {
    id: randomUUID(),
    // Resource IDs in IoT Hub's Event Grid topics are upper case, including subscription and group.
    topic: `/SUBSCRIPTIONS/${hub.subscriptionId}/RESOURCEGROUPS/${hub.resourceGroup}/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/${hub.hubName}`.toUpperCase(),
    subject: `devices/${device.deviceId}`,
    eventType: type,
    eventTime: hubTimestamp(at),
    data: { twin: eventTwin(device), hubName: hub.hubName, deviceId: device.deviceId },
    dataVersion: '1',
    metadataVersion: '1',
  };
}

export function buildTwinChangeNotification(
  hub: HubIdentity,
  opType: 'updateTwin' | 'replaceTwin',
  deviceId: string,
  moduleId: string | undefined,
  body: JsonObject,
  at: number,
): TwinChangeNotification {
  const properties: Record<string, string> = { hubName: hub.hubName, deviceId };
  if (moduleId !== undefined) properties.moduleId = moduleId;
  properties.operationTimestamp = hubTimestamp(at);
  properties['iothub-message-schema'] = 'twinChangeNotification';
  properties.opType = opType;
  const systemProperties: Record<string, unknown> = { 'iothub-connection-device-id': deviceId };
  if (moduleId !== undefined) systemProperties['iothub-connection-module-id'] = moduleId;
  systemProperties['iothub-message-source'] = 'twinChangeEvents';
  systemProperties['iothub-enqueuedtime'] = at;
  systemProperties['content-type'] = 'application/json';
  systemProperties['content-encoding'] = 'utf-8';
  systemProperties['correlation-id'] = randomBytes(6).toString('hex');
  systemProperties['user-id'] = hub.hubName;
  return { body, properties, systemProperties };
}

type Listener<T> = (event: T) => unknown;

/** Listener registry; emit never throws. */
export class HubEvents {
  private readonly deviceCreated = new Set<Listener<EventGridEvent>>();
  private readonly deviceDeleted = new Set<Listener<EventGridEvent>>();
  private readonly twinChanged = new Set<Listener<TwinChangeNotification>>();
  private readonly errorHooks = new Set<ListenerErrorHook>();

  onDeviceCreated(listener: Listener<EventGridEvent>): Unsubscribe {
    return this.add(this.deviceCreated, listener);
  }

  onDeviceDeleted(listener: Listener<EventGridEvent>): Unsubscribe {
    return this.add(this.deviceDeleted, listener);
  }

  onTwinChanged(listener: Listener<TwinChangeNotification>): Unsubscribe {
    return this.add(this.twinChanged, listener);
  }

  onListenerError(hook: ListenerErrorHook): Unsubscribe {
    return this.add(this.errorHooks, hook);
  }

  hasLifecycleListeners(type: DeviceLifecycleEventType): boolean {
    return (type === 'Microsoft.Devices.DeviceCreated' ? this.deviceCreated : this.deviceDeleted).size > 0;
  }

  hasTwinListeners(): boolean {
    return this.twinChanged.size > 0;
  }

  emitLifecycle(event: EventGridEvent): void {
    const created = event.eventType === 'Microsoft.Devices.DeviceCreated';
    this.emit(created ? this.deviceCreated : this.deviceDeleted, event, created ? 'deviceCreated' : 'deviceDeleted');
  }

  emitTwinChanged(notification: TwinChangeNotification): void {
    this.emit(this.twinChanged, notification, 'twinChanged');
  }

  private add<T>(set: Set<T>, item: T): Unsubscribe {
    set.add(item);
    return () => {
      set.delete(item);
    };
  }

  private emit<T>(listeners: Set<Listener<T>>, event: T, source: ListenerErrorSource): void {
    for (const listener of [...listeners]) {
      try {
        const result = listener(event);
        if (result instanceof Promise) result.catch((error: unknown) => this.reportListenerError(error, source));
      } catch (error) {
        this.reportListenerError(error, source);
      }
    }
  }

  private reportListenerError(error: unknown, source: ListenerErrorSource): void {
    if (this.errorHooks.size === 0) {
      // Nobody asked to hear about it: say so on stderr rather than lose it silently.
      console.error(`iothubSimulator: a ${source} listener failed`, error);
      return;
    }
    for (const hook of [...this.errorHooks]) {
      try {
        hook(error, source);
      } catch (hookError) {
        console.error('iothubSimulator: the onListenerError hook itself failed', hookError);
      }
    }
  }
}
