import type { Registry } from 'azure-iothub';
import type { Deadline } from '../../app/deadline';
import { isProductError, PermanentError, TransientError, ValidationError } from '../../domain/productError';
import type {
  CreateModuleOutcome,
  DeviceIdentity,
  DevicePage,
  ModuleTwin,
  ModuleTwinPage,
  ModuleTwinPatch,
  PatchModuleTwinOutcome,
  TwinRegistry,
} from '../../app/ports/twinRegistry';
import { retryWithBackoff, type RetryOptions } from '../retryWithBackoff';
import { translateIotHubError } from './translateIotHubError';

/**
 * The ETag of a module twin nobody has written to yet. IoT Hub's twin ETags encode the twin version
 * (base64 of a big-endian int64), and a new twin is version 1 — the docs' DeviceCreated sample shows
 * exactly this value. If a hub ever answered differently, the conditional PATCH gets 412 and provisioning
 * falls back to reading the twin, so correctness never depends on it; only the saved read does.
 */
export const freshTwinEtag = 'AAAAAAAAAAE=';

export interface IotHubTwinRegistryOptions {
  readonly retry: Pick<RetryOptions, 'budgetMs'> & Partial<Omit<RetryOptions, 'budgetMs' | 'isRetryable' | 'deadlineAtMs'>>;
}

/** TwinRegistry over azure-iothub's Registry: translates hub errors and retries transient ones. */
export class IotHubTwinRegistry implements TwinRegistry {
  constructor(
    private readonly registry: Registry,
    private readonly options: IotHubTwinRegistryOptions,
    private readonly deadline?: Deadline,
  ) {}

  /** The same registry, with every call (retries included) bounded by the trigger's deadline. */
  withDeadline(deadline: Deadline): IotHubTwinRegistry {
    return new IotHubTwinRegistry(this.registry, this.options, deadline);
  }

  async getDevice(deviceId: string): Promise<DeviceIdentity | undefined> {
    try {
      // The device twin, not the identity: twin reads have their own budget (100/s per S1 unit) where
      // identity reads share 100/min with module creation, and the twin carries capabilities.iotEdge too.
      const { responseBody } = await this.call('get device twin', () => this.registry.getTwin(deviceId));
      const capabilities = (responseBody as { capabilities?: { iotEdge?: unknown } }).capabilities;
      return { deviceId, isEdgeDevice: capabilities?.iotEdge === true };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async createModule(deviceId: string, moduleId: string): Promise<CreateModuleOutcome> {
    try {
      // No If-Match: the hub then creates or answers 409, and never replaces an existing module's keys.
      await this.call('create module', () => this.registry.addModule({ deviceId, moduleId }));
      return { kind: 'created', freshTwinEtag };
    } catch (error) {
      if (hasCode(error, 'ModuleAlreadyExistsOnDevice', 'Http409')) return { kind: 'exists' };
      if (isNotFound(error)) return { kind: 'device-not-found' };
      throw error;
    }
  }

  async getModuleTwin(deviceId: string, moduleId: string): Promise<ModuleTwin | undefined> {
    try {
      const { responseBody } = await this.call('get module twin', () => this.registry.getModuleTwin(deviceId, moduleId));
      return toModuleTwin(responseBody, deviceId, moduleId);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async patchModuleTwin(deviceId: string, moduleId: string, patch: ModuleTwinPatch, etag: string): Promise<PatchModuleTwinOutcome> {
    if (etag === '' || etag === '*') {
      // The SDK would turn an empty ETag into '*' (last writer wins); every write of ours must be conditional.
      throw new PermanentError('UnconditionalWrite', `refusing an unconditional PATCH of ${deviceId}/${moduleId}`);
    }
    try {
      const { responseBody } = await this.call('patch module twin', () => this.registry.updateModuleTwin(deviceId, moduleId, patch, etag));
      return { kind: 'patched', twin: toModuleTwin(responseBody, deviceId, moduleId) };
    } catch (error) {
      if (hasCode(error, 'PreconditionFailed')) return { kind: 'etag-mismatch' };
      if (isNotFound(error)) return { kind: 'not-found' };
      throw error;
    }
  }

  async listModuleTwins(moduleId: string, options: { readonly pageSize: number; readonly continuationToken?: string }): Promise<ModuleTwinPage> {
    if (!/^[A-Za-z0-9\-.+%_#*?!(),=@$]{1,128}$/.test(moduleId)) {
      // Module IDs may contain a quote, which would end the query's string literal early: refuse those.
      throw new ValidationError('InvalidModuleId', `cannot query module ID ${JSON.stringify(moduleId)}`);
    }
    const query = this.registry.createQuery(`SELECT * FROM devices.modules WHERE moduleId = '${moduleId}'`, options.pageSize);
    // Always pass the token explicitly: the SDK's next() without one does not send the query's own token.
    const { result } = await this.call('query module twins', () => query.next(options.continuationToken as string));
    const rows = Array.isArray(result) ? (result as RawTwin[]) : [];
    const twins = rows.map((row) => toModuleTwin(row, String(row.deviceId), String(row.moduleId)));
    const next = query.continuationToken;
    return { twins, ...(typeof next === 'string' && next !== '' ? { continuationToken: next } : {}) };
  }

  async listDevices(options: { readonly pageSize: number; readonly continuationToken?: string }): Promise<DevicePage> {
    // Only SELECT * is served for non-aggregate twin queries; the device twin carries capabilities.iotEdge.
    const query = this.registry.createQuery('SELECT * FROM devices', options.pageSize);
    const { result } = await this.call('query devices', () => query.next(options.continuationToken as string));
    const rows = Array.isArray(result) ? (result as Array<{ deviceId?: unknown; capabilities?: { iotEdge?: unknown } }>) : [];
    const devices = rows.map((row) => ({ deviceId: String(row.deviceId), isEdgeDevice: row.capabilities?.iotEdge === true }));
    const next = query.continuationToken;
    return { devices, ...(typeof next === 'string' && next !== '' ? { continuationToken: next } : {}) };
  }

  async countDevices(): Promise<number> {
    const { responseBody } = await this.call('get registry statistics', () => this.registry.getRegistryStatistics());
    return typeof responseBody.totalDeviceCount === 'number' ? responseBody.totalDeviceCount : 0;
  }

  private call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    return retryWithBackoff(
      async () => {
        try {
          return await request();
        } catch (error) {
          throw translateIotHubError(error, operation);
        }
      },
      {
        baseDelayMs: 250,
        maxDelayMs: 8_000,
        ...this.options.retry,
        ...(this.deadline === undefined ? {} : { deadlineAtMs: this.deadline.atMs }),
        isRetryable: (error) => error instanceof TransientError && error.retryNow,
      },
    );
  }
}

function hasCode(error: unknown, ...codes: string[]): boolean {
  return isProductError(error) && codes.includes(error.code);
}

function isNotFound(error: unknown): boolean {
  return hasCode(error, 'DeviceNotFound', 'ModuleNotFound', 'Http404');
}

interface RawTwin {
  deviceId?: unknown;
  moduleId?: unknown;
  etag?: unknown;
  version?: unknown;
  tags?: unknown;
  properties?: { desired?: unknown; reported?: unknown };
}

function toModuleTwin(raw: unknown, deviceId: string, moduleId: string): ModuleTwin {
  const twin = raw as RawTwin;
  if (typeof twin.etag !== 'string' || twin.etag === '' || twin.etag === '*') {
    // The SDK's Twin defaults a missing ETag to '*'; taking that at face value would make our next write unconditional.
    throw new PermanentError('MalformedTwin', `module twin ${deviceId}/${moduleId} came back without an ETag`);
  }
  return {
    deviceId,
    moduleId,
    etag: twin.etag,
    version: typeof twin.version === 'number' ? twin.version : 0,
    tags: asRecord(twin.tags),
    desired: asRecord(twin.properties?.desired),
    reported: asRecord(twin.properties?.reported),
  };
}

function asRecord(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
