// REST semantics of IoT Hub api-version 2021-04-12 for the operations azure-iothub's Registry uses:
// request validation, If-Match/ETag rules, status codes and response documents.
import { BulkRegistry, MAX_MODULES_PER_DEVICE } from './bulkRegistry';
import type { ConfigurationStore, ConfigurationWrite } from './configurations';
import { HubError } from './errors';
import type { IotHubCore } from './hubCore';
import { assertValidDeviceId, assertValidModuleId, isSystemModuleId } from './identifiers';
import { identityEtag, parseAuthentication, parseIotEdge, parseStatus, renderDevice, renderModule, type KeyDeriver } from './identity';
import { isJsonObject, type JsonObject, type JsonValue } from './json';
import type { OperationName } from './operations';
import { executeQueryPage } from './queryEngine';
import { parseQuery } from './queryParser';
import type { DeviceRecord, ModuleRecord } from './registry';
import type { RouteMatch } from './routes';
import { parseServicePatch, parseServiceReplacement, readTwin, twinEtag } from './twin';
import { renderTwin, type TwinView } from './twinDocument';
import type { TwinJobs } from './twinJobs';

export interface ApiRequest {
  readonly route: RouteMatch;
  /** Raw If-Match header (quoted, bare or '*'). */
  readonly ifMatch: string | undefined;
  readonly searchParams: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON body; undefined when the request had none. Throws 400 IotHubFormatError if it isn't JSON. */
  readonly body: () => JsonValue | undefined;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: JsonValue | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** Devices the request addressed, for per-device stats. */
  readonly deviceIds: readonly string[];
}

/** Versions the real service accepts that share this surface; anything else is 400 InvalidProtocolVersion. */
export const SUPPORTED_API_VERSIONS: readonly string[] = ['2018-06-30', '2020-09-30', '2021-04-12', '2021-11-30'];

export { MAX_MODULES_PER_DEVICE } from './bulkRegistry';

/** `GET /devices?top=` default and maximum; the REST reference: "values outside 1-1000 mean 1000" (not refused). */
const MAX_LIST_DEVICES = 1000;

export interface QueryPaging {
  /**
   * Page size when the request has no x-ms-max-item-count (100, the service SDKs' default) and the largest
   * size honoured (the service "may use a different value if the value specified is not acceptable"; its
   * real cap is undocumented, the Node SDK's comment claims 10,000). Larger requests are clamped, not refused.
   */
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
}

/** Parses If-Match: `*`, `"etag"`, `W/"etag"` or a bare etag. */
export function parseIfMatch(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  let value = header.trim();
  if (value.startsWith('W/')) value = value.slice(2);
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  return value;
}

function checkIfMatch(ifMatch: string | undefined, current: string, what: string): void {
  const expected = parseIfMatch(ifMatch);
  if (expected === undefined || expected === '*' || expected === current) return;
  throw new HubError('PreconditionFailed', `Precondition failed: the ETag '${expected}' does not match the current ETag '${current}' of ${what}`);
}

function requireObjectBody(body: JsonValue | undefined, what: string): JsonObject {
  if (body === undefined) throw new HubError('ArgumentNull', `The ${what} is missing from the request body`);
  if (!isJsonObject(body)) throw new HubError('IotHubFormatError', `The ${what} must be a JSON object`);
  return body;
}

function optionalReason(value: JsonValue | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new HubError('IotHubFormatError', 'statusReason must be a string');
  return value;
}

/** `GET /configurations?top=`: absent means all; larger than the hub's limit is overridden (the REST reference). */
function configurationsTop(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const top = Number(value);
  if (!Number.isInteger(top) || top < 1) throw new HubError('ArgumentInvalid', `top must be a positive integer, not '${value}'`);
  return top;
}

function quoted(etag: string): string {
  return `"${etag}"`;
}

export class HubRestApi {
  constructor(
    private readonly core: IotHubCore,
    private readonly keys: KeyDeriver,
    private readonly paging: () => QueryPaging,
    private readonly configurations: ConfigurationStore,
    private readonly jobs: TwinJobs,
  ) {
    this.bulk = new BulkRegistry(core);
  }

  private readonly bulk: BulkRegistry;

  execute(request: ApiRequest): ApiResponse {
    const apiVersion = request.searchParams.get('api-version');
    if (apiVersion === null || !SUPPORTED_API_VERSIONS.includes(apiVersion)) {
      throw new HubError('InvalidProtocolVersion', `api-version '${apiVersion ?? ''}' is not supported; use one of ${SUPPORTED_API_VERSIONS.join(', ')}`);
    }
    const handler = this.handlers[request.route.operation];
    return handler(request);
  }

  private readonly handlers: Readonly<Record<OperationName, (request: ApiRequest) => ApiResponse>> = {
    createDevice: (request) => this.createDevice(request),
    updateDevice: (request) => this.updateDevice(request),
    getDevice: (request) => {
      const device = this.device(request);
      return this.ok(renderDevice(device, this.keys), [device.deviceId], identityEtag(device.etagN));
    },
    deleteDevice: (request) => {
      const device = this.device(request);
      checkIfMatch(request.ifMatch, identityEtag(device.etagN), `device '${device.deviceId}'`);
      this.core.deleteDevice(device);
      return { status: 204, body: undefined, headers: {}, deviceIds: [device.deviceId] };
    },
    listDevices: (request) => this.listDevices(request),
    bulkDevices: (request) => this.bulkDevices(request),
    getRegistryStatistics: () => {
      let enabled = 0;
      for (const device of this.core.store.values()) if (device.status === 'enabled') enabled += 1;
      const total = this.core.store.size;
      return this.ok({ totalDeviceCount: total, enabledDeviceCount: enabled, disabledDeviceCount: total - enabled }, []);
    },
    // The hub counts device connections; the simulator has no device transports, so none is ever connected.
    getServiceStatistics: () => this.ok({ connectedDeviceCount: 0 }, []),
    createOrUpdateModule: (request) => this.createOrUpdateModule(request),
    getModule: (request) => {
      const { device, module } = this.module(request);
      return this.ok(renderModule(module, this.keys), [device.deviceId], identityEtag(module.etagN));
    },
    deleteModule: (request) => {
      const { device, module } = this.module(request);
      checkIfMatch(request.ifMatch, identityEtag(module.etagN), `module '${module.moduleId}' on device '${device.deviceId}'`);
      this.core.deleteModule(device, module);
      return { status: 204, body: undefined, headers: {}, deviceIds: [device.deviceId] };
    },
    listModules: (request) => {
      const device = this.device(request);
      return this.ok((device.modules ?? []).map((module) => renderModule(module, this.keys)), [device.deviceId]);
    },
    getTwin: (request) => this.twinResponse({ device: this.device(request), module: undefined }),
    updateTwin: (request) => this.updateTwin(request, { device: this.device(request), module: undefined }),
    replaceTwin: (request) => this.replaceTwin(request, { device: this.device(request), module: undefined }),
    getModuleTwin: (request) => this.twinResponse(this.module(request)),
    updateModuleTwin: (request) => this.updateTwin(request, this.module(request)),
    replaceModuleTwin: (request) => this.replaceTwin(request, this.module(request)),
    queryTwins: (request) => this.queryTwins(request),
    putConfiguration: (request) => this.configurationResponse(this.configurations.put(request.route.configurationId!, request.body(), parseIfMatch(request.ifMatch))),
    getConfiguration: (request) => this.configurationResponse(this.configurations.get(request.route.configurationId!)),
    deleteConfiguration: (request) => {
      this.configurations.delete(request.route.configurationId!, parseIfMatch(request.ifMatch));
      return { status: 204, body: undefined, headers: {}, deviceIds: [] };
    },
    listConfigurations: (request) => this.ok(this.configurations.list(configurationsTop(request.searchParams.get('top'))), []),
    testConfigurationQueries: (request) => this.ok(this.configurations.testQueries(request.body()), []),
    applyConfigurationContent: (request) => {
      const deviceId = this.deviceId(request);
      this.configurations.applyOnDevice(deviceId, request.body());
      return { status: 204, body: undefined, headers: {}, deviceIds: [deviceId] };
    },
    createTwinJob: (request) => this.ok(this.jobs.create(request.route.jobId!, request.body()), []),
    getTwinJob: (request) => this.ok(this.jobs.get(request.route.jobId!), []),
    cancelTwinJob: (request) => this.ok(this.jobs.cancel(request.route.jobId!), []),
    queryTwinJobs: (request) => this.queryTwinJobs(request),
    unsupported: () => {
      throw new HubError('NotImplementedBySimulator', 'This route is not part of the IoT Hub surface the simulator implements');
    },
  };

  private configurationResponse(write: ConfigurationWrite): ApiResponse {
    return { status: write.status, body: write.body, headers: { etag: quoted(write.etag) }, deviceIds: [] };
  }

  private ok(body: JsonValue, deviceIds: readonly string[], etag?: string): ApiResponse {
    return { status: 200, body, headers: etag === undefined ? {} : { etag: quoted(etag) }, deviceIds };
  }

  // -------------------------------------------------------------------------------------------------------
  // Lookups

  private deviceId(request: ApiRequest): string {
    const deviceId = request.route.deviceId!;
    assertValidDeviceId(deviceId);
    return deviceId;
  }

  private device(request: ApiRequest): DeviceRecord {
    const deviceId = this.deviceId(request);
    const device = this.core.store.get(deviceId);
    if (device === undefined) throw new HubError('DeviceNotFound', deviceId);
    return device;
  }

  private module(request: ApiRequest): { device: DeviceRecord; module: ModuleRecord } {
    const device = this.device(request);
    const moduleId = request.route.moduleId!;
    assertValidModuleId(moduleId);
    const module = this.core.store.findModule(device, moduleId);
    if (module === undefined) throw new HubError('ModuleNotFound', `Module '${moduleId}' on device '${device.deviceId}' not found`);
    return { device, module };
  }

  // -------------------------------------------------------------------------------------------------------
  // Devices

  private createDevice(request: ApiRequest): ApiResponse {
    const deviceId = this.deviceId(request);
    const body = requireObjectBody(request.body(), 'device');
    if (body.deviceId !== undefined && body.deviceId !== deviceId) {
      throw new HubError('ArgumentInvalid', `The deviceId in the body ('${String(body.deviceId)}') does not match the one in the URL ('${deviceId}')`);
    }
    if (this.core.store.get(deviceId) !== undefined) {
      throw new HubError('DeviceAlreadyExists', `A device with ID '${deviceId}' is already registered`);
    }
    const device = this.core.createDevice({
      deviceId,
      status: parseStatus(body.status, 'enabled'),
      statusReason: optionalReason(body.statusReason),
      iotEdge: parseIotEdge(body.capabilities, false),
      auth: parseAuthentication(body.authentication, undefined, false),
    });
    return this.ok(renderDevice(device, this.keys), [deviceId], identityEtag(device.etagN));
  }

  private updateDevice(request: ApiRequest): ApiResponse {
    const device = this.device(request);
    const body = requireObjectBody(request.body(), 'device');
    if (body.deviceId !== undefined && body.deviceId !== device.deviceId) {
      throw new HubError('ArgumentInvalid', `The deviceId in the body ('${String(body.deviceId)}') does not match the one in the URL ('${device.deviceId}')`);
    }
    checkIfMatch(request.ifMatch, identityEtag(device.etagN), `device '${device.deviceId}'`);
    this.core.updateDevice(device, {
      status: parseStatus(body.status, device.status),
      statusReason: body.statusReason === undefined ? device.statusReason : optionalReason(body.statusReason),
      iotEdge: parseIotEdge(body.capabilities, device.iotEdge),
      auth: parseAuthentication(body.authentication, device.auth, true),
    });
    return this.ok(renderDevice(device, this.keys), [device.deviceId], identityEtag(device.etagN));
  }

  private listDevices(request: ApiRequest): ApiResponse {
    const topParam = request.searchParams.get('top');
    const requested = topParam === null ? Number.NaN : Number(topParam);
    if (topParam !== null && topParam.trim() !== '' && Number.isNaN(requested)) {
      throw new HubError('ArgumentInvalid', `top must be an integer, not '${topParam}'`);
    }
    const top = Number.isInteger(requested) && requested >= 1 && requested <= MAX_LIST_DEVICES ? requested : MAX_LIST_DEVICES;
    const devices: JsonObject[] = [];
    for (const device of this.core.store.devicesAfter(0)) {
      if (devices.length >= top) break;
      devices.push(renderDevice(device, this.keys));
    }
    return this.ok(devices, []);
  }

  /** POST /devices: Registry.addDevices/updateDevices/removeDevices (bulkRegistry.ts). */
  private bulkDevices(request: ApiRequest): ApiResponse {
    const result = this.bulk.execute(request.body());
    return { status: result.status, body: result.body, headers: {}, deviceIds: result.deviceIds };
  }

  // -------------------------------------------------------------------------------------------------------
  // Modules

  private createOrUpdateModule(request: ApiRequest): ApiResponse {
    const device = this.device(request);
    const moduleId = request.route.moduleId!;
    assertValidModuleId(moduleId);
    const body = requireObjectBody(request.body(), 'module');
    for (const [field, expected] of [['deviceId', device.deviceId], ['moduleId', moduleId]] as const) {
      if (body[field] !== undefined && body[field] !== expected) {
        throw new HubError('ArgumentInvalid', `The ${field} in the body ('${String(body[field])}') does not match the one in the URL ('${expected}')`);
      }
    }
    const managedBy = body.managedBy === undefined || body.managedBy === null ? null : String(body.managedBy);
    const existing = this.core.store.findModule(device, moduleId);
    if (request.ifMatch === undefined) {
      // The SDK's addModule sends no If-Match: create only (the swagger: If-Match "should not be set when creating").
      if (existing !== undefined) {
        throw new HubError('ModuleAlreadyExistsOnDevice', `A module with ID '${moduleId}' is already registered on device '${device.deviceId}'`);
      }
      if (isSystemModuleId(moduleId)) throw new HubError('ArgumentInvalid', `Module IDs starting with '$' are reserved for the hub ('${moduleId}')`);
      if ((device.modules?.length ?? 0) >= MAX_MODULES_PER_DEVICE) {
        throw new HubError('TooManyModulesOnDevice', `Device '${device.deviceId}' already has the maximum of ${MAX_MODULES_PER_DEVICE} modules`);
      }
      const module = this.core.createModule(device, { moduleId, auth: parseAuthentication(body.authentication, undefined, false), managedBy });
      return this.ok(renderModule(module, this.keys), [device.deviceId], identityEtag(module.etagN));
    }
    if (existing === undefined) throw new HubError('ModuleNotFound', `Module '${moduleId}' on device '${device.deviceId}' not found`);
    checkIfMatch(request.ifMatch, identityEtag(existing.etagN), `module '${moduleId}' on device '${device.deviceId}'`);
    this.core.updateModule(existing, { auth: parseAuthentication(body.authentication, existing.auth, true), managedBy });
    return this.ok(renderModule(existing, this.keys), [device.deviceId], identityEtag(existing.etagN));
  }

  // -------------------------------------------------------------------------------------------------------
  // Twins

  private twinResponse(view: TwinView): ApiResponse {
    return this.ok(renderTwin(view), [view.device.deviceId], twinEtag(readTwin(view.module ?? view.device)));
  }

  private twinName(view: TwinView): string {
    return view.module === undefined ? `the twin of device '${view.device.deviceId}'` : `the twin of module '${view.module.moduleId}' on device '${view.device.deviceId}'`;
  }

  private updateTwin(request: ApiRequest, view: TwinView): ApiResponse {
    const patch = parseServicePatch(request.body());
    checkIfMatch(request.ifMatch, twinEtag(readTwin(view.module ?? view.device)), this.twinName(view));
    this.core.patchTwin(view, patch);
    return this.twinResponse(view);
  }

  private replaceTwin(request: ApiRequest, view: TwinView): ApiResponse {
    const replacement = parseServiceReplacement(request.body());
    checkIfMatch(request.ifMatch, twinEtag(readTwin(view.module ?? view.device)), this.twinName(view));
    this.core.replaceTwin(view, replacement);
    return this.twinResponse(view);
  }

  // -------------------------------------------------------------------------------------------------------
  // Query

  private queryTwins(request: ApiRequest): ApiResponse {
    const body = requireObjectBody(request.body(), 'query specification');
    if (typeof body.query !== 'string') throw new HubError('ArgumentNull', 'The request body needs a "query" string');
    const query = parseQuery(body.query);
    const { pageSize, token } = this.queryPaging(request);
    const page = executeQueryPage(this.core.store, query, token === undefined || token === '' ? undefined : token, pageSize);
    const headers: Record<string, string> = { 'x-ms-item-type': page.itemType };
    if (page.continuationToken !== undefined) headers['x-ms-continuation'] = page.continuationToken;
    return { status: 200, body: page.items, headers, deviceIds: [] };
  }

  private queryPaging(request: ApiRequest): { pageSize: number; token: string | undefined } {
    const paging = this.paging();
    const header = request.headers['x-ms-max-item-count'];
    const requested = header === undefined ? undefined : Number(Array.isArray(header) ? header[0] : header);
    if (requested !== undefined && (!Number.isInteger(requested) || requested < 1)) {
      throw new HubError('ArgumentInvalid', 'x-ms-max-item-count must be a positive integer');
    }
    const pageSize = Math.min(requested ?? paging.defaultPageSize, paging.maxPageSize);
    const continuation = request.headers['x-ms-continuation'];
    return { pageSize, token: Array.isArray(continuation) ? continuation[0] : continuation };
  }

  /** GET /jobs/v2/query (JobClient.createQuery): a QueryResult of JobResponse items, paged like twin queries. */
  private queryTwinJobs(request: ApiRequest): ApiResponse {
    const { pageSize, token } = this.queryPaging(request);
    const page = this.jobs.query(request.searchParams.get('jobType'), request.searchParams.get('jobStatus'), pageSize, token === '' ? undefined : token);
    const body: JsonObject = { type: 'jobResponse', items: page.items };
    const headers: Record<string, string> = {};
    if (page.continuationToken !== undefined) {
      body.continuationToken = page.continuationToken;
      headers['x-ms-continuation'] = page.continuationToken;
    }
    return { status: 200, body, headers, deviceIds: [] };
  }
}
