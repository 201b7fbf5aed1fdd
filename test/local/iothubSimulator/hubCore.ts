// The hub's state transitions, shared by the REST API and the test-side API (seeding, reported properties):
// every identity or twin change goes through here, so events are raised the same way whoever made it.
import { buildLifecycleEvent, buildTwinChangeNotification, type HubEvents, type HubIdentity } from './events';
import { EDGE_SYSTEM_MODULES } from './identifiers';
import type { StoredAuthentication } from './identity';
import type { JsonObject } from './json';
import { DeviceStore, type DeviceRecord, type DeviceStatus, type ModuleRecord } from './registry';
import type { Clock } from './time';
import {
  applyReportedPatch,
  applyServicePatch,
  applyServiceReplace,
  type ServiceTwinPatch,
  type ServiceTwinReplacement,
  type TwinChangeBody,
} from './twin';
import { renderTwin, type TwinView } from './twinDocument';

export interface DeviceSpec {
  readonly deviceId: string;
  readonly status: DeviceStatus;
  readonly statusReason: string | null;
  readonly iotEdge: boolean;
  readonly auth: StoredAuthentication | undefined;
}

export interface ModuleSpec {
  readonly moduleId: string;
  readonly auth: StoredAuthentication | undefined;
  readonly managedBy: string | null;
}

export class IotHubCore {
  readonly store = new DeviceStore();
  /** Counts changes to identities and twins: whoever saves or summarises the hub can skip work when it has not moved. */
  revision = 0;

  constructor(
    readonly hub: HubIdentity,
    readonly clock: Clock,
    readonly events: HubEvents,
  ) {}

  createDevice(spec: DeviceSpec, emitEvent = true): DeviceRecord {
    this.revision += 1;
    const now = this.clock.now();
    const device = this.store.addDevice({ ...spec, createdAt: now });
    // IoT Hub creates the edge runtime's module identities together with every IoT Edge device.
    if (spec.iotEdge) this.ensureEdgeModules(device);
    if (emitEvent && this.events.hasLifecycleListeners('Microsoft.Devices.DeviceCreated')) {
      this.events.emitLifecycle(buildLifecycleEvent(this.hub, 'Microsoft.Devices.DeviceCreated', device, now));
    }
    return device;
  }

  updateDevice(device: DeviceRecord, changes: Omit<DeviceSpec, 'deviceId'>): void {
    this.revision += 1;
    if (changes.status !== device.status) device.statusUpdatedAt = this.clock.now();
    device.status = changes.status;
    device.statusReason = changes.statusReason;
    device.auth = changes.auth;
    if (changes.iotEdge && !device.iotEdge) {
      device.iotEdge = true;
      this.ensureEdgeModules(device);
    } else {
      device.iotEdge = changes.iotEdge;
    }
    device.etagN = this.store.nextIdentityEtag();
  }

  /** Deleting a device deletes its modules (and with them their twins). */
  deleteDevice(device: DeviceRecord): void {
    this.revision += 1;
    this.store.removeDevice(device);
    if (this.events.hasLifecycleListeners('Microsoft.Devices.DeviceDeleted')) {
      this.events.emitLifecycle(buildLifecycleEvent(this.hub, 'Microsoft.Devices.DeviceDeleted', device, this.clock.now()));
    }
  }

  createModule(device: DeviceRecord, spec: ModuleSpec): ModuleRecord {
    this.revision += 1;
    return this.store.addModule(device, { ...spec, createdAt: this.clock.now() });
  }

  updateModule(module: ModuleRecord, changes: Omit<ModuleSpec, 'moduleId'>): void {
    this.revision += 1;
    module.auth = changes.auth;
    module.managedBy = changes.managedBy;
    module.etagN = this.store.nextIdentityEtag();
  }

  deleteModule(device: DeviceRecord, module: ModuleRecord): void {
    this.revision += 1;
    this.store.removeModule(device, module);
  }

  patchTwin(view: TwinView, patch: ServiceTwinPatch): void {
    this.revision += 1;
    const now = this.clock.now();
    const body = applyServicePatch(view.module ?? view.device, patch, now);
    if (body !== undefined) this.notifyTwinChange(view, 'updateTwin', body, now);
  }

  replaceTwin(view: TwinView, replacement: ServiceTwinReplacement): void {
    this.revision += 1;
    const now = this.clock.now();
    applyServiceReplace(view.module ?? view.device, replacement, now);
    this.notifyTwinChange(view, 'replaceTwin', () => renderTwin(view), now);
  }

  reportProperties(view: TwinView, patch: JsonObject): void {
    this.revision += 1;
    const now = this.clock.now();
    const body = applyReportedPatch(view.module ?? view.device, patch, now);
    if (body !== undefined) this.notifyTwinChange(view, 'updateTwin', body, now);
  }

  /** The body is only built when someone listens: rendering it is the costliest part of a write. */
  private notifyTwinChange(view: TwinView, opType: 'updateTwin' | 'replaceTwin', body: TwinChangeBody, at: number): void {
    if (!this.events.hasTwinListeners()) return;
    this.events.emitTwinChanged(buildTwinChangeNotification(this.hub, opType, view.device.deviceId, view.module?.moduleId, body(), at));
  }

  private ensureEdgeModules(device: DeviceRecord): void {
    for (const moduleId of EDGE_SYSTEM_MODULES) {
      if (this.store.findModule(device, moduleId) === undefined) this.createModule(device, { moduleId, auth: undefined, managedBy: null });
    }
  }
}
