// Device and module identity documents: what PUT bodies may say and what GET returns, in the JSON shape of
// api-version 2021-04-12 (the `Device`/`Module` models azure-iothub deserializes).
import { createHmac, randomBytes } from 'node:crypto';
import { HubError } from './errors';
import { isJsonObject, type JsonObject, type JsonValue } from './json';
import type { DeviceRecord, DeviceStatus, ModuleRecord } from './registry';
import { hubTimestamp, NEVER_UTC } from './time';

export type AuthenticationType = 'sas' | 'selfSigned' | 'certificateAuthority' | 'none';

/**
 * Authentication as given by the caller. A record whose `auth` is undefined uses SAS with keys the hub
 * generated; those keys are derived from a per-hub secret (KeyDeriver) when someone reads them, so 100k
 * seeded devices don't carry 200k stored key strings.
 */
export interface StoredAuthentication {
  readonly type: AuthenticationType;
  readonly primaryKey: string | null;
  readonly secondaryKey: string | null;
  readonly primaryThumbprint: string | null;
  readonly secondaryThumbprint: string | null;
}

export class KeyDeriver {
  /** Kept with a saved hub state (persistence.ts), so restored identities keep their keys. */
  constructor(readonly secret: Buffer = randomBytes(32)) {}

  /** Deterministic per (identity, generation): a re-created identity (new generation) gets new keys. */
  key(deviceId: string, moduleId: string | undefined, generation: number, which: 'primary' | 'secondary'): string {
    return createHmac('sha256', this.secret)
      .update(`${deviceId}\u0000${moduleId ?? ''}\u0000${generation}\u0000${which}`)
      .digest('base64');
  }
}

export function identityEtag(etagN: number): string {
  return Buffer.from(String(etagN), 'utf8').toString('base64');
}

export function generationId(generation: number): string {
  return `6384${String(generation).padStart(14, '0')}`;
}

const AUTH_TYPES: readonly AuthenticationType[] = ['sas', 'selfSigned', 'certificateAuthority', 'none'];

function optionalString(value: JsonValue | undefined, what: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new HubError('IotHubFormatError', `${what} must be a string`);
  return value;
}

function assertSymmetricKey(key: string | null, what: string): void {
  if (key === null) return;
  // The hub requires base64 keys of 16 to 64 bytes.
  const bytes = Buffer.from(key, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || bytes.length < 16 || bytes.length > 64) {
    throw new HubError('ArgumentInvalid', `${what} must be a base64 encoded key of 16 to 64 bytes`);
  }
}

function assertThumbprint(thumbprint: string | null, what: string): void {
  if (thumbprint !== null && !/^([0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})$/.test(thumbprint)) {
    throw new HubError('ArgumentInvalid', `${what} must be a SHA-1 or SHA-256 hex thumbprint`);
  }
}

/**
 * Reads `authentication` from a PUT body. Returns undefined for "SAS with hub-generated keys"; on update
 * (`previous` given) empty SAS keys keep the previous authentication rather than silently rotating keys.
 */
export function parseAuthentication(
  value: JsonValue | undefined,
  previous: StoredAuthentication | undefined,
  isUpdate: boolean,
): StoredAuthentication | undefined {
  if (value === undefined || value === null) return isUpdate ? previous : undefined;
  if (!isJsonObject(value)) throw new HubError('IotHubFormatError', 'authentication must be an object');
  const symmetricKey = value.symmetricKey;
  const x509 = value.x509Thumbprint;
  if (symmetricKey !== undefined && symmetricKey !== null && !isJsonObject(symmetricKey)) {
    throw new HubError('IotHubFormatError', 'authentication.symmetricKey must be an object');
  }
  if (x509 !== undefined && x509 !== null && !isJsonObject(x509)) {
    throw new HubError('IotHubFormatError', 'authentication.x509Thumbprint must be an object');
  }
  const primaryKey = optionalString(symmetricKey?.primaryKey, 'symmetricKey.primaryKey');
  const secondaryKey = optionalString(symmetricKey?.secondaryKey, 'symmetricKey.secondaryKey');
  const primaryThumbprint = optionalString(x509?.primaryThumbprint, 'x509Thumbprint.primaryThumbprint');
  const secondaryThumbprint = optionalString(x509?.secondaryThumbprint, 'x509Thumbprint.secondaryThumbprint');
  const declared = value.type ?? (primaryThumbprint !== null || secondaryThumbprint !== null ? 'selfSigned' : 'sas');
  const type = AUTH_TYPES.find((candidate) => candidate.toLowerCase() === String(declared).toLowerCase());
  if (type === undefined) throw new HubError('ArgumentInvalid', `authentication.type '${String(declared)}' is not supported`);

  switch (type) {
    case 'sas': {
      assertSymmetricKey(primaryKey, 'symmetricKey.primaryKey');
      assertSymmetricKey(secondaryKey, 'symmetricKey.secondaryKey');
      if (primaryKey === null && secondaryKey === null) return isUpdate && previous?.type === 'sas' ? previous : undefined;
      return { type, primaryKey, secondaryKey, primaryThumbprint: null, secondaryThumbprint: null };
    }
    case 'selfSigned': {
      if (primaryThumbprint === null) {
        throw new HubError('ArgumentInvalid', 'selfSigned authentication requires x509Thumbprint.primaryThumbprint');
      }
      assertThumbprint(primaryThumbprint, 'x509Thumbprint.primaryThumbprint');
      assertThumbprint(secondaryThumbprint, 'x509Thumbprint.secondaryThumbprint');
      return { type, primaryKey: null, secondaryKey: null, primaryThumbprint, secondaryThumbprint };
    }
    case 'certificateAuthority':
    case 'none':
      return { type, primaryKey: null, secondaryKey: null, primaryThumbprint: null, secondaryThumbprint: null };
  }
}

export function authenticationType(auth: StoredAuthentication | undefined): AuthenticationType {
  return auth?.type ?? 'sas';
}

export function renderX509(auth: StoredAuthentication | undefined): JsonObject {
  return { primaryThumbprint: auth?.primaryThumbprint ?? null, secondaryThumbprint: auth?.secondaryThumbprint ?? null };
}

function renderAuthentication(
  auth: StoredAuthentication | undefined,
  keys: KeyDeriver,
  deviceId: string,
  moduleId: string | undefined,
  generation: number,
): JsonObject {
  const type = authenticationType(auth);
  const derived = type === 'sas' && (auth === undefined || auth.primaryKey === null || auth.secondaryKey === null);
  const primaryKey = auth?.primaryKey ?? (derived ? keys.key(deviceId, moduleId, generation, 'primary') : null);
  const secondaryKey = auth?.secondaryKey ?? (derived ? keys.key(deviceId, moduleId, generation, 'secondary') : null);
  return { symmetricKey: { primaryKey, secondaryKey }, x509Thumbprint: renderX509(auth), type };
}

export function renderDevice(device: DeviceRecord, keys: KeyDeriver): JsonObject {
  const json: JsonObject = {
    deviceId: device.deviceId,
    generationId: generationId(device.generation),
    etag: identityEtag(device.etagN),
    connectionState: 'Disconnected',
    status: device.status,
    statusReason: device.statusReason,
    connectionStateUpdatedTime: NEVER_UTC,
    statusUpdatedTime: device.statusUpdatedAt === 0 ? NEVER_UTC : hubTimestamp(device.statusUpdatedAt),
    lastActivityTime: NEVER_UTC,
    cloudToDeviceMessageCount: 0,
    authentication: renderAuthentication(device.auth, keys, device.deviceId, undefined, device.generation),
    capabilities: { iotEdge: device.iotEdge },
  };
  if (device.iotEdge) json.deviceScope = edgeDeviceScope(device);
  return json;
}

export function edgeDeviceScope(device: DeviceRecord): string {
  return `ms-azure-iot-edge://${device.deviceId}-${generationId(device.generation)}`;
}

export function renderModule(module: ModuleRecord, keys: KeyDeriver): JsonObject {
  return {
    moduleId: module.moduleId,
    managedBy: module.managedBy,
    deviceId: module.deviceId,
    generationId: generationId(module.generation),
    etag: identityEtag(module.etagN),
    connectionState: 'Disconnected',
    connectionStateUpdatedTime: NEVER_UTC,
    lastActivityTime: NEVER_UTC,
    cloudToDeviceMessageCount: 0,
    authentication: renderAuthentication(module.auth, keys, module.deviceId, module.moduleId, module.generation),
  };
}

export function parseStatus(value: JsonValue | undefined, fallback: DeviceStatus): DeviceStatus {
  if (value === undefined || value === null) return fallback;
  if (value === 'enabled' || value === 'disabled') return value;
  throw new HubError('ArgumentInvalid', `status must be 'enabled' or 'disabled', not '${String(value)}'`);
}

export function parseIotEdge(value: JsonValue | undefined, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (!isJsonObject(value)) throw new HubError('IotHubFormatError', 'capabilities must be an object');
  const iotEdge = value.iotEdge;
  if (iotEdge === undefined || iotEdge === null) return fallback;
  if (typeof iotEdge !== 'boolean') throw new HubError('IotHubFormatError', 'capabilities.iotEdge must be a boolean');
  return iotEdge;
}
