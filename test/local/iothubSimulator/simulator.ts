// The IoT Hub simulator: an HTTPS server on loopback speaking the IoT Hub REST surface azure-iothub's
// Registry uses, plus a test-side API to seed, inspect, steer (throttle, faults) and listen to it.
import { HubAuthenticator, defaultPolicies, type SharedAccessPolicy } from './auth';
import { createServerCertificate, type ServerCertificate } from './certificate';
import { ConfigurationStore, type ConfigurationOptions } from './configurations';
import type { SimulatorConnectionInfo } from './client';
import { HubError } from './errors';
import { HubEvents, type EventGridEvent, type ListenerErrorHook, type TwinChangeNotification, type Unsubscribe } from './events';
import { FaultInjector, type FaultConfig } from './faults';
import { IotHubCore } from './hubCore';
import { assertValidDeviceId, assertValidModuleId, isSystemModuleId } from './identifiers';
import { KeyDeriver, renderDevice, renderModule } from './identity';
import { isJsonObject, type JsonObject } from './json';
import { restoreHubState, reusableCertificate, saveHubState, type SavedHubState } from './persistence';
import type { DeviceRecord, ModuleRecord } from './registry';
import { HubRestApi, MAX_MODULES_PER_DEVICE, type QueryPaging } from './restApi';
import { HubServer } from './server';
import { StatsCollector, type RejectionReason, type SimulatorStats } from './stats';
import { ThrottleModel, throttleLimits, type ThrottleConfig, type ThrottleLimits } from './throttle';
import { systemClock, type Clock } from './time';
import { renderTwin, type TwinView } from './twinDocument';
import { TwinJobs } from './twinJobs';

export interface IotHubSimulatorOptions {
  /** Host name in the connection string, TLS certificate and expected Host header. Default smt-lab.azure-devices.net. */
  readonly hostName?: string;
  /** Loopback port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Default: the first label of hostName. */
  readonly hubName?: string;
  /** For the Event Grid topic. */
  readonly subscriptionId?: string;
  readonly resourceGroup?: string;
  /** Default: one policy `iothubowner` with random keys and all rights; the first policy makes the connection string. */
  readonly sharedAccessPolicies?: readonly SharedAccessPolicy[];
  /** Decides whether an Entra ID bearer token is valid. Default: reject all. */
  readonly acceptBearerToken?: (token: string) => boolean;
  /** Default S1 with 1 unit; false disables throttling (standard-tier features without limits). */
  readonly throttle?: ThrottleConfig | false;
  readonly faults?: FaultConfig;
  /** Drives throttle buckets and the timestamps the hub writes. SAS expiry is always checked against real time. */
  readonly clock?: Clock;
  /** Largest query page served (default 1000); x-ms-max-item-count above it is clamped. */
  readonly maxPageSize?: number;
  /**
   * Start as a hub saved earlier with saveState(): its devices, modules, twins, shared access policies, key
   * secret and certificate (explicit sharedAccessPolicies still win).
   */
  readonly savedState?: SavedHubState;
  /**
   * Automatic device management: how often configurations are applied (`applyEveryMs`, default 5 minutes as
   * the service; 0 only on applyConfigurationsNow()) and how many the hub holds (default 100).
   */
  readonly configurations?: ConfigurationOptions;
}

/** One device as moduleInventory() lists it: read-only, no copies. */
export interface DeviceModuleEntry {
  readonly deviceId: string;
  readonly iotEdge: boolean;
  /** The module twin's tags ({} for a module whose twin was never written); undefined when the device lacks the module. */
  readonly moduleTags: Readonly<JsonObject> | undefined;
}

export interface SeedDevicesOptions {
  /** Default 'device-'; IDs are `${idPrefix}${n}` with n counting up from the first free number. */
  readonly idPrefix?: string;
  /** Every N-th seeded device (the N-th, 2N-th, …) is an IoT Edge device (with $edgeAgent/$edgeHub). */
  readonly edgeEvery?: number;
  /** Raise DeviceCreated for each seeded device (default false). */
  readonly emitEvents?: boolean;
}

export interface SeedModulesOptions {
  /** Devices to give the module; default every device. Devices that already have it are skipped. */
  readonly deviceIds?: Iterable<string>;
  readonly desired?: JsonObject;
  readonly reported?: JsonObject;
  readonly tags?: JsonObject;
}

const DEFAULT_HOST_NAME = 'smt-lab.azure-devices.net';
const DEFAULT_PAGE_SIZE = 100;
const DEFAULT_MAX_PAGE_SIZE = 1000;

interface SimulatorParts {
  readonly hostName: string;
  readonly hubName: string;
  readonly caCertificatePem: string;
  readonly connectionString: string;
  readonly policies: readonly SharedAccessPolicy[];
  readonly certificate: ServerCertificate;
  readonly core: IotHubCore;
  readonly events: HubEvents;
  readonly stats: StatsCollector;
  readonly throttle: ThrottleModel;
  readonly faults: FaultInjector;
  readonly keys: KeyDeriver;
  readonly server: HubServer;
  readonly configurations: ConfigurationStore;
  readonly jobs: TwinJobs;
}

export class IotHubSimulator implements SimulatorConnectionInfo {
  readonly hostName: string;
  readonly hubName: string;
  /** PEM of the self-signed server certificate; clients trust it as their CA. */
  readonly caCertificatePem: string;
  /** `HostName=…;SharedAccessKeyName=…;SharedAccessKey=…` for the first shared access policy. */
  readonly connectionString: string;
  private readonly parts: SimulatorParts;
  private readonly seedCounters = new Map<string, number>();

  private constructor(parts: SimulatorParts) {
    this.parts = parts;
    this.hostName = parts.hostName;
    this.hubName = parts.hubName;
    this.caCertificatePem = parts.caCertificatePem;
    this.connectionString = parts.connectionString;
  }

  /** Starts a simulator; see IotHubSimulatorOptions for the defaults. */
  static async start(options: IotHubSimulatorOptions = {}): Promise<IotHubSimulator> {
    const hostName = options.hostName ?? DEFAULT_HOST_NAME;
    const hubName = options.hubName ?? hostName.split('.')[0]!;
    const clock = options.clock ?? systemClock;
    const saved = options.savedState;
    const policies = options.sharedAccessPolicies ?? saved?.sharedAccessPolicies ?? defaultPolicies();
    const owner = policies[0];
    if (owner === undefined) throw new RangeError('sharedAccessPolicies needs at least one policy');
    const maxPageSize = options.maxPageSize ?? DEFAULT_MAX_PAGE_SIZE;
    if (!Number.isInteger(maxPageSize) || maxPageSize < 1) throw new RangeError(`maxPageSize must be a positive integer, not ${maxPageSize}`);
    const paging: QueryPaging = { defaultPageSize: Math.min(DEFAULT_PAGE_SIZE, maxPageSize), maxPageSize };

    const events = new HubEvents();
    const stats = new StatsCollector();
    const throttle = new ThrottleModel(options.throttle ?? { tier: 'S1', units: 1 }, clock);
    const faults = new FaultInjector(options.faults);
    const keys = new KeyDeriver(saved === undefined ? undefined : Buffer.from(saved.keySecret, 'base64'));
    const core = new IotHubCore(
      {
        hubName,
        subscriptionId: options.subscriptionId ?? '00000000-0000-0000-0000-000000000000',
        resourceGroup: options.resourceGroup ?? `${hubName}-rg`,
      },
      clock,
      events,
    );
    if (saved !== undefined) restoreHubState(core, saved);
    const configurations = new ConfigurationStore(core, options.configurations);
    const jobs = new TwinJobs(core, clock, throttle);
    const certificate = (saved === undefined ? undefined : reusableCertificate(saved, hostName, new Date())) ?? (await createServerCertificate(hostName));
    const server = await HubServer.start(options.port ?? 0, certificate, {
      hostName,
      clock,
      authenticator: new HubAuthenticator(hostName, policies, options.acceptBearerToken ?? (() => false), () => Date.now()),
      faults,
      throttle,
      stats,
      api: new HubRestApi(core, keys, () => paging, configurations, jobs),
    });
    return new IotHubSimulator({
      hostName,
      hubName,
      caCertificatePem: certificate.certificatePem,
      connectionString: `HostName=${hostName};SharedAccessKeyName=${owner.keyName};SharedAccessKey=${owner.primaryKey}`,
      policies,
      certificate,
      core,
      events,
      stats,
      throttle,
      faults,
      keys,
      server,
      configurations,
      jobs,
    });
  }

  /** The loopback port the simulator listens on (127.0.0.1). */
  get port(): number {
    return this.parts.server.port;
  }

  /** Plain connection data, e.g. to write into a file for another process. */
  get info(): SimulatorConnectionInfo {
    return { hostName: this.hostName, port: this.port, caCertificatePem: this.caCertificatePem, connectionString: this.connectionString };
  }

  /** Closes the server and every connection (keep-alive included); pending injected delays end unanswered. */
  close(): Promise<void> {
    this.parts.configurations.stop();
    this.parts.jobs.close();
    return this.parts.server.close();
  }

  // -------------------------------------------------------------------------------------------------------
  // Steering

  /** Changes tier/units (buckets start full) or turns throttling off with `false`. */
  setThrottle(config: ThrottleConfig | false): void {
    this.parts.throttle.configure(config);
  }

  throttleConfig(): ThrottleConfig | false {
    return this.parts.throttle.current();
  }

  /** The documented limits of the current tier (undefined where the tier lacks the feature); undefined when throttling is off. */
  throttleLimits(): ThrottleLimits | undefined {
    const config = this.parts.throttle.current();
    return config === false ? undefined : throttleLimits(config);
  }

  /** Replaces the fault configuration (and restarts its PRNG from the seed); undefined turns faults off. */
  setFaults(config: FaultConfig | undefined): void {
    this.parts.faults.configure(config);
  }

  /**
   * Runs automatic device management now, as the hub does on its cadence: every configuration's content is
   * written to the twins it wins (through the normal twin-write path, raising twin-change notifications) and
   * its system and custom metrics are recomputed.
   */
  applyConfigurationsNow(): void {
    this.parts.configurations.applyNow();
  }

  // -------------------------------------------------------------------------------------------------------
  // Events

  onDeviceCreated(listener: (event: EventGridEvent) => unknown): Unsubscribe {
    return this.parts.events.onDeviceCreated(listener);
  }

  onDeviceDeleted(listener: (event: EventGridEvent) => unknown): Unsubscribe {
    return this.parts.events.onDeviceDeleted(listener);
  }

  onTwinChanged(listener: (notification: TwinChangeNotification) => unknown): Unsubscribe {
    return this.parts.events.onTwinChanged(listener);
  }

  /** Where errors thrown (or rejections returned) by listeners go; without a hook they are printed to stderr. */
  onListenerError(hook: ListenerErrorHook): Unsubscribe {
    return this.parts.events.onListenerError(hook);
  }

  // -------------------------------------------------------------------------------------------------------
  // Instrumentation and read-only inspection (no HTTP, not counted, not throttled)

  stats(): SimulatorStats {
    return this.parts.stats.snapshot();
  }

  /** Requests turned away so far, by reason (stats().rejected summed over operations), without copying per-device counts. */
  rejectionTotals(): Record<RejectionReason, number> {
    return this.parts.stats.rejectionTotals();
  }

  resetStats(): void {
    this.parts.stats.reset();
  }

  /** Changes to identities and twins so far: compare two readings to tell whether anything changed in between. */
  get revision(): number {
    return this.parts.core.revision;
  }

  /** Every device, in creation order, with the tags of its module `moduleId`: cheap enough to walk 100k devices once a second. */
  *moduleInventory(moduleId: string): Generator<DeviceModuleEntry> {
    const store = this.parts.core.store;
    for (const device of store.devicesAfter(0)) {
      const module = store.findModule(device, moduleId);
      yield { deviceId: device.deviceId, iotEdge: device.iotEdge, moduleTags: module === undefined ? undefined : (module.twin?.tags ?? {}) };
    }
  }

  /** The hub as it is now, to start an equal one later (options.savedState); see persistence.ts. */
  saveState(): SavedHubState {
    const { core, policies, certificate, keys } = this.parts;
    return saveHubState(core, { hostName: this.hostName, sharedAccessPolicies: policies, keySecret: keys.secret.toString('base64'), certificate }, new Date());
  }

  peekDevice(deviceId: string): JsonObject | undefined {
    const device = this.parts.core.store.get(deviceId);
    return device === undefined ? undefined : renderDevice(device, this.parts.keys);
  }

  peekModule(deviceId: string, moduleId: string): JsonObject | undefined {
    const found = this.find(deviceId, moduleId);
    return found?.module === undefined ? undefined : renderModule(found.module, this.parts.keys);
  }

  peekTwin(deviceId: string): JsonObject | undefined {
    const device = this.parts.core.store.get(deviceId);
    return device === undefined ? undefined : renderTwin({ device, module: undefined });
  }

  peekModuleTwin(deviceId: string, moduleId: string): JsonObject | undefined {
    const found = this.find(deviceId, moduleId);
    return found?.module === undefined ? undefined : renderTwin(found);
  }

  /** Device IDs in creation order. */
  listDeviceIds(): string[] {
    return this.parts.core.store.ids();
  }

  deviceCount(): number {
    return this.parts.core.store.size;
  }

  moduleCount(): number {
    return this.parts.core.store.moduleCount;
  }

  // -------------------------------------------------------------------------------------------------------
  // Test-side writes (no HTTP, not counted, not throttled)

  /**
   * Adds `count` devices in memory (SAS, hub-generated keys, fresh twins). IDs continue from earlier seeding
   * with the same prefix and skip IDs that already exist. Returns the new IDs.
   */
  seedDevices(count: number, options: SeedDevicesOptions = {}): string[] {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, not ${count}`);
    const prefix = options.idPrefix ?? 'device-';
    const edgeEvery = options.edgeEvery;
    if (edgeEvery !== undefined && (!Number.isInteger(edgeEvery) || edgeEvery < 1)) throw new RangeError(`edgeEvery must be a positive integer, not ${edgeEvery}`);
    const store = this.parts.core.store;
    const created: string[] = [];
    let next = this.seedCounters.get(prefix) ?? 0;
    while (created.length < count) {
      const deviceId = `${prefix}${next}`;
      next += 1;
      if (store.get(deviceId) !== undefined) continue;
      assertValidDeviceId(deviceId);
      const iotEdge = edgeEvery !== undefined && (created.length + 1) % edgeEvery === 0;
      this.parts.core.createDevice({ deviceId, status: 'enabled', statusReason: null, iotEdge, auth: undefined }, options.emitEvents === true);
      created.push(deviceId);
    }
    this.seedCounters.set(prefix, next);
    return created;
  }

  /**
   * Gives devices a module identity (and optionally twin content) in memory. Devices that already have the
   * module, or have no room for another, are skipped. Returns how many modules were created.
   */
  seedModules(moduleId: string, options: SeedModulesOptions = {}): number {
    assertValidModuleId(moduleId);
    if (isSystemModuleId(moduleId)) throw new RangeError(`'${moduleId}' is reserved for the hub`);
    const core = this.parts.core;
    const devices: Iterable<DeviceRecord> =
      options.deviceIds === undefined ? [...core.store.values()] : [...options.deviceIds].map((deviceId) => this.requireDevice(deviceId));
    let created = 0;
    for (const device of devices) {
      if (core.store.findModule(device, moduleId) !== undefined || (device.modules?.length ?? 0) >= MAX_MODULES_PER_DEVICE) continue;
      const module = core.createModule(device, { moduleId, auth: undefined, managedBy: null });
      const view: TwinView = { device, module };
      try {
        if (options.tags !== undefined || options.desired !== undefined) core.patchTwin(view, { tags: options.tags, desired: options.desired });
        if (options.reported !== undefined) core.reportProperties(view, options.reported);
      } catch (error) {
        // Twin content the hub would refuse: don't leave a half-seeded module behind.
        core.deleteModule(device, module);
        throw error;
      }
      created += 1;
    }
    return created;
  }

  /**
   * Updates reported properties as the device (moduleId undefined) or module client would: JSON merge-patch,
   * null removes, twin limits enforced (throws the HubError the hub would answer with). Raises a twin change
   * notification. Returns the twin afterwards.
   */
  reportProperties(deviceId: string, moduleId: string | undefined, patch: JsonObject): JsonObject {
    if (!isJsonObject(patch)) throw new HubError('IotHubFormatError', 'Reported properties must be a JSON object');
    const view = moduleId === undefined ? { device: this.requireDevice(deviceId), module: undefined } : this.requireModule(deviceId, moduleId);
    this.parts.core.reportProperties(view, patch);
    return renderTwin(view);
  }

  private find(deviceId: string, moduleId: string): { device: DeviceRecord; module: ModuleRecord | undefined } | undefined {
    const device = this.parts.core.store.get(deviceId);
    return device === undefined ? undefined : { device, module: this.parts.core.store.findModule(device, moduleId) };
  }

  private requireDevice(deviceId: string): DeviceRecord {
    const device = this.parts.core.store.get(deviceId);
    if (device === undefined) throw new HubError('DeviceNotFound', deviceId);
    return device;
  }

  private requireModule(deviceId: string, moduleId: string): { device: DeviceRecord; module: ModuleRecord } {
    const device = this.requireDevice(deviceId);
    const module = this.parts.core.store.findModule(device, moduleId);
    if (module === undefined) throw new HubError('ModuleNotFound', `Module '${moduleId}' on device '${deviceId}' not found`);
    return { device, module };
  }
}

/** Starts an IoT Hub simulator (HTTPS on 127.0.0.1). Close it with `simulator.close()`. */
export function startIotHubSimulator(options: IotHubSimulatorOptions = {}): Promise<IotHubSimulator> {
  return IotHubSimulator.start(options);
}
