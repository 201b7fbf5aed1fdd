import type {
  CreateModuleOutcome,
  DeviceIdentity,
  DevicePage,
  ModuleTwin,
  ModuleTwinPage,
  ModuleTwinPatch,
  PatchModuleTwinOutcome,
  TwinRegistry,
} from '../../../src/app/ports/twinRegistry';
import { mergePatch } from '../../local/iothubSimulator/mergePatch';

const etagOf = (version: number) => Buffer.from(new BigUint64Array([BigInt(version)]).buffer).reverse().toString('base64');

interface StoredTwin {
  version: number;
  tags: Record<string, unknown>;
  desired: Record<string, unknown>;
  reported: Record<string, unknown>;
}

/**
 * TwinRegistry fake for use-case tests: the hub's semantics that matter to us (409 on existing module,
 * ETag per twin version, merge-patch with null removal) without HTTP. The contract suite runs the same
 * checks against this fake and the real adapter over the simulator, so the two cannot drift apart.
 */
export class InMemoryTwinRegistry implements TwinRegistry {
  readonly devices = new Map<string, { isEdgeDevice: boolean; modules: Map<string, StoredTwin> }>();
  readonly calls: string[] = [];
  /** Runs before a PATCH is applied: lets a test change the twin "concurrently". */
  beforePatch: ((deviceId: string, moduleId: string) => void) | undefined;

  addDevice(deviceId: string, options: { isEdgeDevice?: boolean } = {}): void {
    this.devices.set(deviceId, { isEdgeDevice: options.isEdgeDevice ?? false, modules: new Map() });
  }

  removeDevice(deviceId: string): void {
    this.devices.delete(deviceId);
  }

  /** Writes a twin directly, as another writer would (bumps the version, changes the ETag). */
  writeTwin(deviceId: string, moduleId: string, patch: ModuleTwinPatch): void {
    const twin = this.devices.get(deviceId)?.modules.get(moduleId);
    if (twin === undefined) throw new Error(`no module ${deviceId}/${moduleId}`);
    applyPatch(twin, patch);
  }

  peekTwin(deviceId: string, moduleId: string): ModuleTwin | undefined {
    const twin = this.devices.get(deviceId)?.modules.get(moduleId);
    return twin === undefined ? undefined : snapshot(deviceId, moduleId, twin);
  }

  async getDevice(deviceId: string): Promise<DeviceIdentity | undefined> {
    this.calls.push(`getDevice ${deviceId}`);
    const device = this.devices.get(deviceId);
    return device === undefined ? undefined : { deviceId, isEdgeDevice: device.isEdgeDevice };
  }

  async createModule(deviceId: string, moduleId: string): Promise<CreateModuleOutcome> {
    this.calls.push(`createModule ${deviceId}/${moduleId}`);
    const device = this.devices.get(deviceId);
    if (device === undefined) return { kind: 'device-not-found' };
    if (device.modules.has(moduleId)) return { kind: 'exists' };
    device.modules.set(moduleId, { version: 1, tags: {}, desired: {}, reported: {} });
    return { kind: 'created', freshTwinEtag: etagOf(1) };
  }

  async getModuleTwin(deviceId: string, moduleId: string): Promise<ModuleTwin | undefined> {
    this.calls.push(`getModuleTwin ${deviceId}/${moduleId}`);
    const twin = this.devices.get(deviceId)?.modules.get(moduleId);
    return twin === undefined ? undefined : snapshot(deviceId, moduleId, twin);
  }

  async patchModuleTwin(deviceId: string, moduleId: string, patch: ModuleTwinPatch, etag: string): Promise<PatchModuleTwinOutcome> {
    this.calls.push(`patchModuleTwin ${deviceId}/${moduleId}`);
    this.beforePatch?.(deviceId, moduleId);
    const twin = this.devices.get(deviceId)?.modules.get(moduleId);
    if (twin === undefined) return { kind: 'not-found' };
    if (etag !== etagOf(twin.version)) return { kind: 'etag-mismatch' };
    applyPatch(twin, patch);
    return { kind: 'patched', twin: snapshot(deviceId, moduleId, twin) };
  }

  async listDevices(options: { readonly pageSize: number; readonly continuationToken?: string }): Promise<DevicePage> {
    this.calls.push('listDevices');
    const all = [...this.devices].map(([deviceId, device]) => ({ deviceId, isEdgeDevice: device.isEdgeDevice }));
    const start = options.continuationToken === undefined ? 0 : Number(options.continuationToken);
    const end = start + options.pageSize;
    return { devices: all.slice(start, end), ...(end < all.length ? { continuationToken: String(end) } : {}) };
  }

  async countDevices(): Promise<number> {
    this.calls.push('countDevices');
    return this.devices.size;
  }

  async listModuleTwins(moduleId: string, options: { readonly pageSize: number; readonly continuationToken?: string }): Promise<ModuleTwinPage> {
    this.calls.push(`listModuleTwins ${moduleId}`);
    const all = [...this.devices].flatMap(([deviceId, device]) => {
      const twin = device.modules.get(moduleId);
      return twin === undefined ? [] : [snapshot(deviceId, moduleId, twin)];
    });
    const start = options.continuationToken === undefined ? 0 : Number(options.continuationToken);
    const end = start + options.pageSize;
    return { twins: all.slice(start, end), ...(end < all.length ? { continuationToken: String(end) } : {}) };
  }
}

function applyPatch(twin: StoredTwin, patch: ModuleTwinPatch): void {
  if (patch.tags !== undefined) twin.tags = mergePatch(twin.tags, patch.tags);
  if (patch.properties?.desired !== undefined) twin.desired = mergePatch(twin.desired, patch.properties.desired);
  twin.version += 1;
}

function snapshot(deviceId: string, moduleId: string, twin: StoredTwin): ModuleTwin {
  return {
    deviceId,
    moduleId,
    etag: etagOf(twin.version),
    version: twin.version,
    tags: structuredClone(twin.tags),
    desired: structuredClone(twin.desired),
    reported: structuredClone(twin.reported),
  };
}
