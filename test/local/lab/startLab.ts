// The lab: everything the product needs, on one machine, in one process, without Azure — Azurite's
// Table service, the IoT Hub simulator, the local Functions host with the app's real functions, Event Grid
// delivering the simulator's DeviceCreated events to the app's webhook, and the HTTP front on :7071.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EventGridDelivery, LocalFunctionsHost, LocalHttpServer, resolveMainGlob, type EventGridEvent, type HostLogger } from '../functionsHost';
import { startIotHubSimulator, type FaultConfig, type IotHubSimulator, type ThrottleConfig } from '../iothubSimulator';
import { resetServices } from '../../../src/composition';
import { startAzuriteTables, type RunningAzurite } from './azurite';
import type { LabInfo } from './labInfo';

export interface LabOptions {
  /** Repository root; the compiled app (package.json "main") is loaded from here. */
  readonly projectRoot?: string;
  /** Modules registering the app's functions; default: package.json "main", or src/functions/*.ts under vitest. */
  readonly functionModules?: readonly string[];
  /** Port of the Functions host's HTTP front; 7071 as `func start`, 0 for any free port. */
  readonly httpPort?: number;
  readonly hubPort?: number;
  /** Simulated devices to register at start (each raises DeviceCreated). */
  readonly devices?: number;
  /** Every Nth seeded device is an IoT Edge device. */
  readonly edgeEvery?: number;
  readonly throttle?: ThrottleConfig | false;
  readonly faults?: FaultConfig;
  readonly eventGrid?: {
    readonly retrySchedule?: readonly number[];
    readonly maxEventsPerBatch?: number;
    readonly duplicateRate?: number;
    readonly maxDeliveryAttempts?: number;
    readonly seed?: number;
  };
  /** App settings on top of the lab's own (e.g. DEVICE_ID_PATTERN). */
  readonly settings?: Readonly<Record<string, string>>;
  /** Where lab.json and the hub certificate are written; `.lab` under the project root by default. */
  readonly stateDir?: string;
  readonly logger?: HostLogger;
}

export interface Lab {
  readonly info: LabInfo;
  readonly simulator: IotHubSimulator;
  readonly host: LocalFunctionsHost;
  readonly http: LocalHttpServer;
  readonly deviceCreated: EventGridDelivery;
  readonly azurite: RunningAzurite;
  /** The app settings the lab gave the Functions host. */
  readonly settings: Readonly<Record<string, string>>;
  /** Hold DeviceCreated events back (as a slow Event Grid would) until release(). */
  holdDeviceCreatedEvents(): void;
  releaseDeviceCreatedEvents(): void;
  /** Resolves when Event Grid has nothing queued or in flight. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export const labDefaultRetrySchedule: readonly number[] = [200, 500, 1_000, 2_000, 4_000];
const labHubName = 'smt-lab';

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const started = performance.now();
  const projectRoot = options.projectRoot ?? resolve(__dirname, __filename.endsWith('.ts') ? '../../..' : '../../../..');
  const stateDir = options.stateDir ?? join(projectRoot, '.lab');
  mkdirSync(stateDir, { recursive: true });
  const throttle = options.throttle ?? { tier: 'S1', units: 1 };

  const cleanups: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const azurite = await startAzuriteTables();
    cleanups.push(() => azurite.close());

    const simulator = await startIotHubSimulator({
      hubName: labHubName,
      hostName: `${labHubName}.azure-devices.net`,
      port: options.hubPort ?? 0,
      throttle,
      ...(options.faults === undefined ? {} : { faults: options.faults }),
    });
    cleanups.push(() => simulator.close());
    const caCertPath = join(stateDir, 'iothub-ca.pem');
    writeFileSync(caCertPath, simulator.caCertificatePem);

    const settings: Record<string, string> = {
      FUNCTIONS_WORKER_RUNTIME: 'node',
      AzureWebJobsStorage: azurite.connectionString,
      DURABLE_TASK_HUB_NAME: 'smtlab',
      IOTHUB_CREDENTIAL: 'connectionString',
      IOTHUB_CONNECTION_STRING: simulator.connectionString,
      IOTHUB_CONNECT_ADDRESS: `127.0.0.1:${simulator.port}`,
      IOTHUB_CA_CERTIFICATE_PATH: caCertPath,
      IOTHUB_TIER: throttle === false ? 'S3' : throttle.tier,
      IOTHUB_UNITS: String(throttle === false ? 10 : throttle.units),
      PRODUCT_STORAGE_CONNECTION_STRING: azurite.connectionString,
      ...options.settings,
    };
    const restoreEnvironment = applySettings(settings);
    cleanups.push(restoreEnvironment);

    const host = await LocalFunctionsHost.load({
      functionModules: options.functionModules ?? defaultFunctionModules(projectRoot),
      settings,
      functionAppDirectory: projectRoot,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    cleanups.push(() => host.close());
    // The app builds its clients once per worker from the environment; a later lab in this process must
    // not inherit this lab's hub and storage.
    cleanups.push(resetServices);

    const http = new LocalHttpServer({ host, port: options.httpPort ?? 7071 });
    const { baseUrl: hostUrl } = await http.start();
    cleanups.push(() => http.close());

    const webhookUrl = `${hostUrl}/runtime/webhooks/eventgrid?functionName=onDeviceCreated`;
    const eventGrid = options.eventGrid ?? {};
    const deviceCreated = new EventGridDelivery({
      target: { url: webhookUrl },
      subscriptionName: 'device-created-to-functions',
      retrySchedule: eventGrid.retrySchedule ?? labDefaultRetrySchedule,
      maxEventsPerBatch: eventGrid.maxEventsPerBatch ?? 1,
      duplicateRate: eventGrid.duplicateRate ?? 0,
      maxDeliveryAttempts: eventGrid.maxDeliveryAttempts ?? 30,
      seed: eventGrid.seed ?? 1,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    cleanups.push(() => deviceCreated.close());

    let held: EventGridEvent[] | undefined;
    const unsubscribe = simulator.onDeviceCreated((event) => {
      if (held !== undefined) held.push(event);
      else deviceCreated.publish([event]);
    });
    cleanups.push(unsubscribe);

    const info: LabInfo = {
      startedAt: new Date().toISOString(),
      pid: process.pid,
      startupMs: Math.round(performance.now() - started),
      iotHub: {
        hubName: simulator.hubName,
        hostName: simulator.hostName,
        port: simulator.port,
        connectionString: simulator.connectionString,
        caCertPath,
        tier: throttle === false ? 'unthrottled' : throttle.tier,
        units: throttle === false ? 0 : throttle.units,
      },
      http: { baseUrl: `${hostUrl}/api`, hostUrl },
      eventGrid: { webhookUrl },
      storage: { connectionString: azurite.connectionString, tableEndpoint: azurite.tableEndpoint },
      functions: host.functions().map((registration) => registration.name),
    };
    writeFileSync(join(stateDir, 'lab.json'), `${JSON.stringify(info, null, 2)}\n`);

    if (options.devices !== undefined && options.devices > 0) {
      simulator.seedDevices(options.devices, { idPrefix: 'lab-device-', emitEvents: true, ...(options.edgeEvery === undefined ? {} : { edgeEvery: options.edgeEvery }) });
    }

    let stopped = false;
    return {
      info,
      simulator,
      host,
      http,
      deviceCreated,
      azurite,
      settings,
      holdDeviceCreatedEvents: () => {
        held ??= [];
      },
      releaseDeviceCreatedEvents: () => {
        const events = held ?? [];
        held = undefined;
        if (events.length > 0) deviceCreated.publish(events);
      },
      settle: () => deviceCreated.drain(),
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Compiled: package.json "main", as the real worker loads it. Under vitest: the TypeScript sources. */
function defaultFunctionModules(projectRoot: string): string[] {
  if (!__filename.endsWith('.ts')) return resolveMainGlob(projectRoot);
  const folder = join(projectRoot, 'src', 'functions');
  return readdirSync(folder)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file));
}

/**
 * Sets the lab's settings in the environment (the host keeps values already defined, as Core Tools does,
 * so a previous lab's values must go) and returns how to put the environment back as it was.
 */
function applySettings(settings: Readonly<Record<string, string>>): () => void {
  const previous = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(settings)) {
    previous.set(key, process.env[key]);
    process.env[key] = value;
  }
  return () => {
    for (const [key, value] of previous) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
