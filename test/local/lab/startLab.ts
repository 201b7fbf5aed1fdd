// The lab: everything the product needs, on one machine, in one process, without Azure — Azurite's
// Table service, the IoT Hub simulator, the local Functions host with the app's real functions, Event Grid
// delivering the simulator's events to the functions the event-source table names, and the HTTP front on
// :7071. What it holds (hub, tables, undelivered events) is kept in the state folder across restarts.
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EventGridDelivery, LocalFunctionsHost, LocalHttpServer, resolveMainGlob, type DeliverableEvent, type HostLogger, type LabPrincipal } from '../functionsHost';
import { EventHubStream } from '../functionsHost/eventHubStream';
import { startEventHubsStandIn } from '../eventHubs';
import { attachSecurityAgents, type SecurityAgentOptions, type SecurityAgents } from '../securityAgents';
import { isProfileId } from '../../../src/domain/agentProfiles';
import { startIotHubSimulator, type FaultConfig, type IotHubSimulator, type ThrottleConfig, type Unsubscribe } from '../iothubSimulator';
import { resetServices } from '../../../src/composition';
import { startAzuriteTables, type RunningAzurite } from './azurite';
import { checkEventHubFunction, eventGridWebhookUrl, isEventGridRow, labEventSources, type EventGridSourceRow, type EventHubSourceRow } from './labEventSources';
import type { LabInfo } from './labInfo';
import {
  claimStateFolder,
  discardSavedState,
  labStateFiles,
  readPendingEvents,
  readSavedHub,
  writePendingEvents,
  writeSavedHub,
  type LabStateFiles,
} from './labState';
import { assertPortAvailable, listenOn } from './portUnavailableError';

export interface LabOptions {
  /** Repository root; the compiled app (package.json "main") is loaded from here. */
  readonly projectRoot?: string;
  /** Modules registering the app's functions; default: package.json "main", or src/functions/*.ts under vitest. */
  readonly functionModules?: readonly string[];
  /** Port of the Functions host's HTTP front; 7071 as `func start`, 0 for any free port. */
  readonly httpPort?: number;
  readonly hubPort?: number;
  /** Simulated devices the hub should have (prefix lab-device-): those kept from a previous run count. Each new one raises DeviceCreated. */
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
    /** How long Event Grid waits for an answer before it counts the attempt as failed (30 s, as Azure). */
    readonly deliveryTimeoutMs?: number;
  };
  /**
   * The simulated hub's clock runs this many times faster than real time (default 1): throttle buckets refill
   * faster, so a test can model minutes of a throttled tier in seconds (scale the app's deadlines with it).
   */
  readonly hubTimeScale?: number;
  /**
   * Simulated security agents on the devices' security modules, answering each desired configuration as the
   * real agents do (the profile comes from SECURITY_AGENT_PROFILE). Off unless given.
   */
  readonly agents?: Omit<SecurityAgentOptions, 'profile'>;
  /** Fire the sweep's timer this often (ms); 0 (the default) only when `lab.sweep()` is called. */
  readonly sweepEveryMs?: number;
  /** App settings on top of the lab's own (e.g. DEVICE_ID_PATTERN). */
  readonly settings?: Readonly<Record<string, string>>;
  /** The caller of HTTP requests without `x-lab-principal`, as App Service Authentication would sign them in. */
  readonly principal?: LabPrincipal;
  /** Where the lab keeps its state (hub, tables, undelivered events, certificate) and lab.json; `.lab` under the project root by default. */
  readonly stateDir?: string;
  /** Start with an empty hub and empty tables: what the state folder kept is deleted. */
  readonly fresh?: boolean;
  /** The hub's state is saved on stop and, when it changed, this often while running (ms; default 30 s, 0 = on stop only). */
  readonly saveIntervalMs?: number;
  readonly logger?: HostLogger;
}

/** One row of the event-source table, subscribed: where its events go and the Event Grid subscription delivering them. */
interface LabEventRoute {
  readonly row: EventGridSourceRow;
  readonly webhookUrl: string;
  readonly delivery: EventGridDelivery;
}

export interface Lab {
  readonly info: LabInfo;
  readonly simulator: IotHubSimulator;
  readonly host: LocalFunctionsHost;
  readonly http: LocalHttpServer;
  /** The Event Grid subscription delivering iothub.DeviceCreated. */
  readonly deviceCreated: EventGridDelivery;
  /** The simulated security agents, when the lab runs them. */
  readonly agents: SecurityAgents | undefined;
  /** Fires the sweep's timer once, as the host would on its schedule; resolves when the run ends. */
  sweep(): Promise<void>;
  /** IoT Hub's twin-change notifications on their way to `onTwinChanged` (an Event Hub and its trigger). */
  readonly twinChanges: EventHubStream;
  /** Every Event Grid source the lab feeds to the app (labEventSources.ts). */
  readonly eventRoutes: readonly LabEventRoute[];
  readonly azurite: RunningAzurite;
  /** The app settings the lab gave the Functions host. */
  readonly settings: Readonly<Record<string, string>>;
  readonly stateFiles: LabStateFiles;
  /** What the state folder gave back at start: devices of the hub, and events still owed to the app. */
  readonly restored: { readonly devices: number; readonly pendingEvents: number };
  /** Seeded devices (prefix lab-device-) kept from the state folder and added now, towards `devices`. */
  readonly seeded: { readonly kept: number; readonly added: number };
  /** Hold DeviceCreated events back (as a slow Event Grid would) until release(). */
  holdDeviceCreatedEvents(): void;
  releaseDeviceCreatedEvents(): void;
  /** Resolves when Event Grid has nothing queued or in flight. */
  settle(): Promise<void>;
  /** Writes the hub's state to the state folder now (stop() does it too). */
  saveState(): Promise<void>;
  /** Stops everything, keeps the state (hub, tables, events not yet delivered) and removes lab.json. */
  stop(): Promise<LabStopReport>;
}

interface LabStopReport {
  /** Events Event Grid still owed the app at stop, kept for the next start. */
  readonly undeliveredEvents: number;
}

export const labDefaultRetrySchedule: readonly number[] = [200, 500, 1_000, 2_000, 4_000];
const labHubName = 'smt-lab';
const auditEventHubName = 'security-audit';
const twinChangeRow = labEventSources.find((row): row is EventHubSourceRow => row.source === 'iothub.TwinChangeEvents') as EventHubSourceRow;
const seededPrefix = 'lab-device-';

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const started = performance.now();
  const projectRoot = options.projectRoot ?? resolve(__dirname, __filename.endsWith('.ts') ? '../../..' : '../../../..');
  // Absolute, so the paths lab.json hands to clients (the certificate) hold from any folder.
  const files = labStateFiles(options.stateDir === undefined ? join(projectRoot, '.lab') : resolve(options.stateDir));
  const httpPort = options.httpPort ?? 7071;
  const hubPort = options.hubPort ?? 0;
  // Everything a user can fix is checked before anything starts or --fresh deletes anything.
  claimStateFolder(files);
  await assertPortAvailable('functionsHost', httpPort);
  await assertPortAvailable('iotHub', hubPort);
  if (options.fresh === true) discardSavedState(files);
  const savedHub = readSavedHub(files);
  const pendingEvents = readPendingEvents(files);
  const throttle = options.throttle ?? { tier: 'S1', units: 1 };

  const cleanups: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const azurite = await startAzuriteTables({ databasePath: files.tables });
    cleanups.push(() => azurite.close());

    // The security audit stream's Event Hub, over real AMQP: the app's producer publishes to it.
    const eventHubs = await startEventHubsStandIn({ port: 0, eventHubs: { [auditEventHubName]: { partitionCount: 4 } } });
    cleanups.push(() => eventHubs.close());

    const simulator = await listenOn('iotHub', hubPort, () =>
      startIotHubSimulator({
        hubName: labHubName,
        hostName: `${labHubName}.azure-devices.net`,
        port: hubPort,
        throttle,
        ...(options.hubTimeScale === undefined || options.hubTimeScale === 1 ? {} : { clock: scaledClock(options.hubTimeScale) }),
        ...(options.faults === undefined ? {} : { faults: options.faults }),
        ...(savedHub === undefined ? {} : { savedState: savedHub }),
      }),
    );
    cleanups.push(() => simulator.close());
    writeFileSync(files.caCertificate, simulator.caCertificatePem);

    // Saves run one after another, so a periodic save still writing cannot land after the final one. The
    // final save runs once the host and the deliveries have stopped (cleanups run in reverse), so it sees the
    // hub as the app left it.
    let savedRevision = savedHub === undefined ? -1 : simulator.revision;
    let lastSave = Promise.resolve();
    const saveState = (): Promise<void> => {
      // A failed save (reported by whoever asked for it) does not stop the next one from trying.
      lastSave = lastSave.catch(() => undefined).then(async () => {
        const revision = simulator.revision;
        await writeSavedHub(files, simulator.saveState());
        savedRevision = revision;
      });
      return lastSave;
    };
    cleanups.push(saveState);
    const saveIntervalMs = options.saveIntervalMs ?? 30_000;
    if (saveIntervalMs > 0) {
      const timer = setInterval(() => {
        if (simulator.revision === savedRevision) return;
        saveState().catch((error: unknown) => {
          options.logger?.log({ timestamp: new Date().toISOString(), level: 'warning', category: 'host', message: `The lab could not save the hub's state: ${String(error)}` });
        });
      }, saveIntervalMs);
      timer.unref();
      cleanups.push(() => clearInterval(timer));
    }

    const settings: Record<string, string> = {
      FUNCTIONS_WORKER_RUNTIME: 'node',
      AzureWebJobsStorage: azurite.connectionString,
      DURABLE_TASK_HUB_NAME: 'smtlab',
      IOTHUB_CREDENTIAL: 'connectionString',
      IOTHUB_CONNECTION_STRING: simulator.connectionString,
      IOTHUB_CONNECT_ADDRESS: `127.0.0.1:${simulator.port}`,
      IOTHUB_CA_CERTIFICATE_PATH: files.caCertificate,
      IOTHUB_TIER: throttle === false ? 'S3' : throttle.tier,
      IOTHUB_UNITS: String(throttle === false ? 10 : throttle.units),
      PRODUCT_STORAGE_CONNECTION_STRING: azurite.connectionString,
      AUDIT_EVENT_HUB_CONNECTION_STRING: eventHubs.connectionString,
      AUDIT_EVENT_HUB_NAME: auditEventHubName,
      // The twin-change trigger's binding; the lab feeds it in process (as the host's Event Hubs extension
      // would), so the connection names a namespace nothing connects to.
      TWIN_CHANGE_EVENT_HUB_NAME: twinChangeRow.eventHubName,
      TWIN_CHANGE_CONSUMER_GROUP: '$Default',
      TwinChangeEventHub__fullyQualifiedNamespace: `${labHubName}-events.servicebus.windows.net`,
      // The sweep's timer binding; the lab fires it itself (every sweepEveryMs, and lab.sweep()).
      SWEEP_SCHEDULE: '0 */5 * * * *',
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

    const http = new LocalHttpServer({ host, port: httpPort, ...(options.principal === undefined ? {} : { defaultPrincipal: options.principal }) });
    const { baseUrl: hostUrl } = await listenOn('functionsHost', httpPort, () => http.start());
    cleanups.push(() => http.close());

    const eventGrid = options.eventGrid ?? {};
    const eventRoutes: LabEventRoute[] = labEventSources.filter(isEventGridRow).map((row) => {
      const webhookUrl = eventGridWebhookUrl(row, host.functions(), hostUrl, host.routePrefix);
      const delivery = new EventGridDelivery({
        target: { url: webhookUrl },
        subscriptionName: row.subscriptionName,
        retrySchedule: eventGrid.retrySchedule ?? labDefaultRetrySchedule,
        maxEventsPerBatch: eventGrid.maxEventsPerBatch ?? 1,
        duplicateRate: eventGrid.duplicateRate ?? 0,
        maxDeliveryAttempts: eventGrid.maxDeliveryAttempts ?? 30,
        seed: eventGrid.seed ?? 1,
        ...(eventGrid.deliveryTimeoutMs === undefined ? {} : { deliveryTimeoutMs: eventGrid.deliveryTimeoutMs }),
        ...(options.logger === undefined ? {} : { logger: options.logger }),
      });
      return { row, webhookUrl, delivery };
    });
    const deviceCreatedRoute = eventRoutes.find((route) => route.row.source === 'iothub.DeviceCreated');
    if (deviceCreatedRoute === undefined) throw new Error('The lab event-source table has no row for iothub.DeviceCreated.');
    const deviceCreated = deviceCreatedRoute.delivery;

    // What Event Grid has not delivered when the lab stops (queued, waiting for a retry, held) is kept and
    // delivered after it starts again, as the service keeps retrying while a subscriber is down. The
    // deliveries close before the HTTP front does, so what is in flight still gets its answer.
    let held: DeliverableEvent[] | undefined;
    let undeliveredEvents = 0;
    cleanups.push(async () => {
      await Promise.all(eventRoutes.map(({ delivery }) => delivery.close()));
      const owed = Object.fromEntries(
        eventRoutes.map(({ row, delivery }) => [
          row.source,
          [
            ...delivery
              .deadLetters()
              .filter((batch) => batch.deadLetterReason === 'AbandonedOnClose')
              .flatMap((batch) => batch.events),
            ...(row.source === 'iothub.DeviceCreated' ? (held ?? []) : []),
          ],
        ]),
      );
      undeliveredEvents = Object.values(owed).reduce((sum, events) => sum + events.length, 0);
      writePendingEvents(files, owed);
    });
    // Twin-change notifications: IoT Hub's route to the Event Hub, and the trigger reading it.
    checkEventHubFunction(twinChangeRow, host.functions());
    const twinChanges = new EventHubStream({
      host,
      functionName: twinChangeRow.functionName,
      partitionCount: twinChangeRow.partitionCount,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    const unsubscribeTwinChanges = simulator.onTwinChanged((notification) =>
      // IoT Hub routes a device's notifications with the device ID as partition key: per-twin order holds.
      twinChanges.publish({ ...notification, partitionKey: String(notification.properties['deviceId'] ?? '') }),
    );
    cleanups.push(async () => {
      unsubscribeTwinChanges();
      await twinChanges.close();
    });

    const unsubscribes: Unsubscribe[] = eventRoutes.map(({ row, delivery }) => {
      switch (row.source) {
        case 'iothub.DeviceCreated':
          return simulator.onDeviceCreated((event) => {
            if (held !== undefined) held.push(event);
            else delivery.publish([event]);
          });
      }
    });
    cleanups.push(() => {
      for (const unsubscribe of unsubscribes) unsubscribe();
    });

    let restoredEvents = 0;
    for (const { row, delivery } of eventRoutes) {
      const events = pendingEvents[row.source] ?? [];
      restoredEvents += events.length;
      if (events.length > 0) delivery.publish(events);
    }
    writePendingEvents(files, {});

    const info: LabInfo = {
      startedAt: new Date().toISOString(),
      pid: process.pid,
      startupMs: Math.round(performance.now() - started),
      iotHub: {
        hubName: simulator.hubName,
        hostName: simulator.hostName,
        port: simulator.port,
        connectionString: simulator.connectionString,
        caCertPath: files.caCertificate,
        tier: throttle === false ? 'unthrottled' : throttle.tier,
        units: throttle === false ? 0 : throttle.units,
      },
      http: { baseUrl: `${hostUrl}/${host.routePrefix}`, hostUrl },
      eventGrid: { webhookUrl: deviceCreatedRoute.webhookUrl },
      storage: { connectionString: azurite.connectionString, tableEndpoint: azurite.tableEndpoint },
      auditStream: { connectionString: eventHubs.connectionString, eventHubName: auditEventHubName },
      functions: host.functions().map((registration) => registration.name),
    };
    writeFileSync(files.labJson, `${JSON.stringify(info, null, 2)}\n`);
    cleanups.push(() => rmSync(files.labJson, { force: true }));

    const restoredDevices = simulator.deviceCount();
    const kept = restoredDevices === 0 ? 0 : simulator.listDeviceIds().filter((deviceId) => deviceId.startsWith(seededPrefix)).length;
    const wanted = options.devices ?? 0;
    const added = Math.max(0, wanted - kept);
    if (added > 0) {
      simulator.seedDevices(added, { idPrefix: seededPrefix, emitEvents: true, ...(options.edgeEvery === undefined ? {} : { edgeEvery: options.edgeEvery }) });
    }

    const agents =
      options.agents === undefined
        ? undefined
        : attachSecurityAgents(simulator, { ...options.agents, profile: isProfileId(settings['SECURITY_AGENT_PROFILE']) ? settings['SECURITY_AGENT_PROFILE'] : 'asc-classic' });
    if (agents !== undefined) cleanups.push(() => agents.stop());

    const sweep = async (): Promise<void> => {
      await host.invoke('sweepFleet', { kind: 'timer' });
    };
    if ((options.sweepEveryMs ?? 0) > 0) {
      let running: Promise<void> | undefined;
      const timer = setInterval(() => {
        running ??= sweep()
          .catch(() => undefined)
          .finally(() => {
            running = undefined;
          });
      }, options.sweepEveryMs);
      cleanups.push(async () => {
        clearInterval(timer);
        await running;
      });
    }

    let stopped = false;
    return {
      agents,
      sweep,
      info,
      simulator,
      host,
      http,
      deviceCreated,
      twinChanges,
      eventRoutes,
      azurite,
      settings,
      stateFiles: files,
      restored: { devices: restoredDevices, pendingEvents: restoredEvents },
      seeded: { kept, added },
      holdDeviceCreatedEvents: () => {
        held ??= [];
      },
      releaseDeviceCreatedEvents: () => {
        const events = held ?? [];
        held = undefined;
        if (events.length > 0) deviceCreated.publish(events);
      },
      settle: async () => {
        // Deliveries cause twin changes and twin changes cause writes (and agents' answers): settled when
        // all are quiet at once.
        for (let quiet = 0; quiet < 2; ) {
          const before = twinChanges.stats().published + deviceCreated.stats().attempts;
          await Promise.all(eventRoutes.map(({ delivery }) => delivery.drain()));
          await twinChanges.drain();
          await agents?.whenIdle();
          quiet = twinChanges.stats().published + deviceCreated.stats().attempts === before ? quiet + 1 : 0;
        }
      },
      saveState,
      stop: async () => {
        if (!stopped) {
          stopped = true;
          await stopAll();
        }
        return { undeliveredEvents };
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
  return [join(projectRoot, 'src', 'main.ts')];
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

/** A clock that starts now and runs `scale` times faster than the real one. */
function scaledClock(scale: number): { now(): number } {
  const origin = Date.now();
  return { now: () => origin + (Date.now() - origin) * scale };
}
