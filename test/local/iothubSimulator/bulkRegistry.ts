// POST /devices (Bulk Registry - Update Registry, api-version 2021-04-12): an array of ExportImportDevice,
// at most 100, each a device identity or, with `moduleId`, a module identity, optionally with its twin's
// `tags` and `properties.desired`. Import modes as iot-hub-bulk-identity-mgmt.md defines them:
// create, createOrUpdate, createOrUpdateIfMatchETag, update, updateIfMatchETag, delete, deleteIfMatchETag
// (identity; `eTag` is the identity's ETag) and updateTwin, updateTwinIfMatchETag (twin only; `twinETag`,
// "processed independently from the device's ETag"). Each entry succeeds or fails on its own; the answer is a
// BulkRegistryOperationResult, 200 when every entry succeeded and 400 when any failed (the REST reference
// documents both responses with that body).
import { HubError } from './errors';
import type { IotHubCore } from './hubCore';
import { assertValidDeviceId, assertValidModuleId, isSystemModuleId } from './identifiers';
import { identityEtag, parseAuthentication, parseIotEdge, parseStatus } from './identity';
import { isJsonObject, type JsonObject, type JsonValue } from './json';
import type { DeviceRecord } from './registry';
import { applyServiceReplace, parseServiceReplacement, readTwin, twinEtag, type ServiceTwinReplacement } from './twin';
import type { TwinView } from './twinDocument';

/** Bulk registry requests take 1..100 entries (the SDK enforces the same bound). */
const MAX_BULK_DEVICES = 100;

/** Module identities per device (iot-hub-devguide-module-twins.md: "up to 50 module identities"). */
export const MAX_MODULES_PER_DEVICE = 50;

const IMPORT_MODES = [
  'create',
  'createOrUpdate',
  'createOrUpdateIfMatchETag',
  'update',
  'updateIfMatchETag',
  'delete',
  'deleteIfMatchETag',
  'updateTwin',
  'updateTwinIfMatchETag',
] as const;
type ImportMode = (typeof IMPORT_MODES)[number];

export interface BulkResult {
  readonly status: 200 | 400;
  readonly body: JsonObject;
  readonly deviceIds: readonly string[];
}

interface Target {
  readonly deviceId: string;
  readonly moduleId: string | undefined;
}

function stringField(entry: JsonObject, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = entry[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

function parseImportMode(value: JsonValue | undefined): ImportMode {
  if (value === undefined || value === null) return 'createOrUpdate';
  const mode = IMPORT_MODES.find((candidate) => candidate.toLowerCase() === String(value).toLowerCase());
  if (mode === undefined) throw new HubError('ArgumentInvalid', `importMode '${String(value)}' is not supported`);
  return mode;
}

function checkEtag(expected: string | undefined, current: string, what: string): void {
  const bare = expected?.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  if (bare === undefined || bare === '') throw new HubError('PreconditionFailed', `The entry for ${what} needs an ETag for this import mode`);
  if (bare !== '*' && bare !== current) {
    throw new HubError('PreconditionFailed', `Precondition failed: the ETag '${bare}' does not match the current ETag '${current}' of ${what}`);
  }
}

function optionalReason(value: JsonValue | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new HubError('IotHubFormatError', 'statusReason must be a string');
  return value;
}

/** The twin part of an entry, validated up front so a refused twin leaves the identity untouched. */
function twinOf(entry: JsonObject, required: boolean): ServiceTwinReplacement | undefined {
  const hasTwin = (entry.tags !== undefined && entry.tags !== null) || (entry.properties !== undefined && entry.properties !== null);
  if (!hasTwin) {
    if (required) throw new HubError('ArgumentNull', 'updateTwin entries need tags or properties.desired');
    return undefined;
  }
  const replacement = parseServiceReplacement({ tags: entry.tags ?? null, properties: entry.properties ?? null });
  applyServiceReplace({ twin: undefined, createdAt: 0 }, replacement, 0);
  return replacement;
}

export class BulkRegistry {
  constructor(private readonly core: IotHubCore) {}

  execute(body: JsonValue | undefined): BulkResult {
    if (body === undefined) throw new HubError('ArgumentNull', 'The device list is missing from the request body');
    if (!Array.isArray(body)) throw new HubError('IotHubFormatError', 'The bulk request body must be a JSON array');
    if (body.length === 0 || body.length > MAX_BULK_DEVICES) {
      throw new HubError('ArgumentInvalid', `A bulk request takes 1 to ${MAX_BULK_DEVICES} devices, not ${body.length}`);
    }
    const seen = new Set<string>();
    const errors: JsonObject[] = [];
    const deviceIds: string[] = [];
    for (const entry of body) {
      const target: Target = isJsonObject(entry)
        ? { deviceId: stringField(entry, 'id', 'deviceId') ?? '', moduleId: stringField(entry, 'moduleId') }
        : { deviceId: '', moduleId: undefined };
      if (target.deviceId !== '' && !deviceIds.includes(target.deviceId)) deviceIds.push(target.deviceId);
      let operation = '';
      try {
        if (!isJsonObject(entry)) throw new HubError('IotHubFormatError', 'Each bulk entry must be a JSON object');
        const mode = parseImportMode(entry.importMode);
        operation = mode;
        const key = `${target.deviceId}\u0000${target.moduleId ?? ''}`;
        // "A device identity can be specified only once in the list."
        if (seen.has(key)) throw new HubError('ArgumentInvalid', `'${target.deviceId}${target.moduleId === undefined ? '' : `/${target.moduleId}`}' appears more than once in the request`);
        seen.add(key);
        assertValidDeviceId(target.deviceId);
        if (target.moduleId === undefined) this.deviceEntry(target.deviceId, mode, entry);
        else this.moduleEntry(target.deviceId, target.moduleId, mode, entry);
      } catch (error) {
        if (!(error instanceof HubError)) throw error;
        const failure: JsonObject = { deviceId: target.deviceId, errorCode: error.errorCode, errorStatus: error.description, operation };
        if (target.moduleId !== undefined) failure.moduleId = target.moduleId;
        errors.push(failure);
      }
    }
    return { status: errors.length === 0 ? 200 : 400, body: { isSuccessful: errors.length === 0, errors, warnings: [] }, deviceIds };
  }

  private deviceEntry(deviceId: string, mode: ImportMode, entry: JsonObject): void {
    const existing = this.core.store.get(deviceId);
    const what = `device '${deviceId}'`;
    if (mode === 'updateTwin' || mode === 'updateTwinIfMatchETag') {
      if (existing === undefined) throw new HubError('DeviceNotFound', deviceId);
      this.updateTwin({ device: existing, module: undefined }, mode, entry, `the twin of ${what}`);
      return;
    }
    if (mode === 'delete' || mode === 'deleteIfMatchETag') {
      if (existing === undefined) throw new HubError('DeviceNotFound', deviceId);
      if (mode === 'deleteIfMatchETag') checkEtag(stringField(entry, 'eTag', 'etag'), identityEtag(existing.etagN), what);
      this.core.deleteDevice(existing);
      return;
    }
    if (existing === undefined && (mode === 'update' || mode === 'updateIfMatchETag')) throw new HubError('DeviceNotFound', deviceId);
    if (existing !== undefined && mode === 'create') throw new HubError('DeviceAlreadyExists', `A device with ID '${deviceId}' is already registered`);
    const spec = (previous: DeviceRecord | undefined) => ({
      status: parseStatus(entry.status, previous?.status ?? 'enabled'),
      statusReason: entry.statusReason === undefined ? (previous?.statusReason ?? null) : optionalReason(entry.statusReason),
      iotEdge: parseIotEdge(entry.capabilities, previous?.iotEdge ?? false),
      auth: parseAuthentication(entry.authentication, previous?.auth, previous !== undefined),
    });
    const twin = twinOf(entry, false);
    if (existing === undefined) {
      const device = this.core.createDevice({ deviceId, ...spec(undefined) });
      if (twin !== undefined) this.core.replaceTwin({ device, module: undefined }, twin);
      return;
    }
    if (mode.endsWith('IfMatchETag')) checkEtag(stringField(entry, 'eTag', 'etag'), identityEtag(existing.etagN), what);
    this.core.updateDevice(existing, spec(existing));
    if (twin !== undefined) this.core.replaceTwin({ device: existing, module: undefined }, twin);
  }

  private moduleEntry(deviceId: string, moduleId: string, mode: ImportMode, entry: JsonObject): void {
    assertValidModuleId(moduleId);
    const device = this.core.store.get(deviceId);
    if (device === undefined) throw new HubError('DeviceNotFound', deviceId);
    const existing = this.core.store.findModule(device, moduleId);
    const what = `module '${moduleId}' on device '${deviceId}'`;
    const notFound = () => new HubError('ModuleNotFound', `Module '${moduleId}' on device '${deviceId}' not found`);
    if (mode === 'updateTwin' || mode === 'updateTwinIfMatchETag') {
      if (existing === undefined) throw notFound();
      this.updateTwin({ device, module: existing }, mode, entry, `the twin of ${what}`);
      return;
    }
    if (mode === 'delete' || mode === 'deleteIfMatchETag') {
      if (existing === undefined) throw notFound();
      if (mode === 'deleteIfMatchETag') checkEtag(stringField(entry, 'eTag', 'etag'), identityEtag(existing.etagN), what);
      this.core.deleteModule(device, existing);
      return;
    }
    if (existing === undefined && (mode === 'update' || mode === 'updateIfMatchETag')) throw notFound();
    if (existing !== undefined && mode === 'create') {
      throw new HubError('ModuleAlreadyExistsOnDevice', `A module with ID '${moduleId}' is already registered on device '${deviceId}'`);
    }
    const managedBy = entry.managedBy === undefined || entry.managedBy === null ? (existing?.managedBy ?? null) : String(entry.managedBy);
    const twin = twinOf(entry, false);
    if (existing === undefined) {
      if (isSystemModuleId(moduleId)) throw new HubError('ArgumentInvalid', `Module IDs starting with '$' are reserved for the hub ('${moduleId}')`);
      if ((device.modules?.length ?? 0) >= MAX_MODULES_PER_DEVICE) {
        throw new HubError('TooManyModulesOnDevice', `Device '${deviceId}' already has the maximum of ${MAX_MODULES_PER_DEVICE} modules`);
      }
      const module = this.core.createModule(device, { moduleId, auth: parseAuthentication(entry.authentication, undefined, false), managedBy });
      if (twin !== undefined) this.core.replaceTwin({ device, module }, twin);
      return;
    }
    if (mode.endsWith('IfMatchETag')) checkEtag(stringField(entry, 'eTag', 'etag'), identityEtag(existing.etagN), what);
    this.core.updateModule(existing, { auth: parseAuthentication(entry.authentication, existing.auth, true), managedBy });
    if (twin !== undefined) this.core.replaceTwin({ device, module: existing }, twin);
  }

  private updateTwin(view: TwinView, mode: 'updateTwin' | 'updateTwinIfMatchETag', entry: JsonObject, what: string): void {
    const twin = twinOf(entry, true)!;
    if (mode === 'updateTwinIfMatchETag') checkEtag(stringField(entry, 'twinETag', 'twinEtag'), twinEtag(readTwin(view.module ?? view.device)), what);
    this.core.replaceTwin(view, twin);
  }
}
