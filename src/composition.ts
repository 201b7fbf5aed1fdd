import { baselineVersions } from './app/baselineVersions';
import { defaultBaselineProvider } from './app/defaultBaseline';
import { deadlineAfter } from './app/deadline';
import { CompletedEvents, provisionDelivery, type DeliveryItemResult } from './app/provisionDelivery';
import { provisionSecurityModule, type DeviceCreatedNotice } from './app/provisionSecurityModule';
import { readDeviceAudit } from './app/readDeviceAudit';
import { readDeviceCompliance, type DeviceCompliance } from './app/deviceCompliance';
import { fleetCompliance, type FleetCompliance } from './app/fleetCompliance';
import { lastAssignmentFrom } from './app/auditHistory';
import { contestedTwins } from './app/contestedTwins';
import { enforceTwinChanges, type EnforcementReport } from './app/enforceTwinChanges';
import type { TwinChangeNotice } from './domain/twinChangeHint';
import { hubBudget, shareOf } from './domain/hubBudget';
import { Pacer } from './app/pacer';
import { reconcileModuleTwin } from './app/reconcileModuleTwin';
import { sweepFleet, type SweepRun } from './app/sweepFleet';
import type { SweepStateStore } from './app/ports/sweepStateStore';
import { TableSweepStateStore } from './adapters/tables/tableSweepStateStore';
import type { Deadline } from './app/deadline';
import type { AuditRecord, AuditSink } from './app/ports/auditSink';
import type { BaselineStore } from './app/ports/baselineStore';
import type { Clock } from './app/ports/clock';
import type { TwinRegistry } from './app/ports/twinRegistry';
import type { Baseline } from './domain/baseline';
import { getAgentProfile } from './domain/agentProfiles';
import { compileDeviceSelector } from './domain/deviceSelector';
import { InvariantError } from './domain/productError';
import { createRegistry } from './adapters/iothub/createRegistry';
import { IotHubTwinRegistry } from './adapters/iothub/iotHubTwinRegistry';
import { systemClock } from './adapters/systemClock';
import { createTableClient } from './adapters/tables/createTableClient';
import { TableAuditSink } from './adapters/tables/tableAuditSink';
import { TableBaselineStore } from './adapters/tables/tableBaselineStore';
import { createAuditProducer } from './adapters/eventhubs/createAuditProducer';
import { EventHubAuditStream } from './adapters/eventhubs/eventHubAuditStream';
import { AuditStreamHealth, PublishingAuditSink, publishPendingAuditRecords, type OutboxReport } from './app/publishingAuditSink';
import type { AuditOutbox, AuditStream } from './app/ports/auditStream';
import type { Logger } from './app/ports/logger';
import { auditEventSource } from './domain/auditEvent';
import { loadConfigFromEnvironment, type Config } from './config';

/**
 * The use cases the triggers call, typed by what they do. Each builds the clients it needs on first use,
 * so an HTTP read of the audit table never opens an IoT Hub client, and a bad setting is reported by the
 * first invocation (and by the start-up check) with every problem listed.
 */
export interface Services {
  /** The settings, validated; throws a ConfigError naming every bad key. */
  readonly config: () => Config;
  /** The DeviceCreated events of one Event Grid delivery, answered within the delivery's deadline from `receivedAt`. */
  readonly provisionDeviceCreatedEvents: (notices: readonly DeviceCreatedNotice[], receivedAt: Date) => Promise<DeliveryItemResult[]>;
  readonly defaultBaseline: () => Promise<Baseline>;
  readonly deviceAudit: (deviceId: string) => Promise<AuditRecord[]>;
  /** One batch of twin-change notifications: settled from the notifications where possible, reconciled otherwise. */
  readonly enforceTwinChanges: (notices: readonly TwinChangeNotice[]) => Promise<EnforcementReport>;
  /** One timer run of the sweep, working until its time limit from `startedAt`; the next run resumes. */
  readonly sweepFleet: (startedAt: Date) => Promise<SweepRun>;
  /** The compliance state of one device's security module twin, read from the hub now. */
  readonly deviceCompliance: (deviceId: string) => Promise<DeviceCompliance>;
  /** Counts of the fleet's security module twins by compliance state, kept for COMPLIANCE_CACHE_SECONDS. */
  readonly fleetCompliance: () => Promise<FleetCompliance>;
}

/** Event ids one worker remembers as finished, so Event Grid's re-sent deliveries resume instead of redoing. */
const completedEventsRemembered = 50_000;

/** Twins per hub query when the fleet is counted: the most IoT Hub returns in one page. */
const compliancePageSize = 1_000;

let services: Services | undefined;

export function getServices(): Services {
  services ??= buildServices(loadConfigFromEnvironment);
  return services;
}

/** Forget the built services so the next call re-reads settings (the local host between lab runs). */
export function resetServices(): void {
  services = undefined;
}

/**
 * For tests and the local host: makes getServices() answer `replacement` (e.g. use cases over in-memory
 * fakes), so a trigger's handler can be called as the worker calls it without reaching into SDK clients.
 * Returns the function that puts back what getServices() answered before.
 */
export function useServices(replacement: Services): () => void {
  const previous = services;
  services = replacement;
  return () => {
    services = previous;
  };
}

/**
 * The ports the use cases run on. In production the adapters over azure-iothub and Table Storage, each
 * bound to a trigger's deadline when given one; tests pass in-memory fakes through the same wiring.
 */
export interface ServicePorts {
  readonly registry: (deadline?: Deadline) => TwinRegistry;
  readonly audit: (deadline?: Deadline) => AuditSink;
  readonly baselines: () => BaselineStore;
  readonly sweepState: () => SweepStateStore;
  readonly clock: Clock;
  /** How the product waits when it paces itself (virtual in tests). */
  readonly sleep: (ms: number) => Promise<void>;
  /**
   * The security audit stream with the audit table as its outbox, when one is configured (AUDIT_EVENT_HUB_*);
   * `audit` then writes through it. Absent or undefined: the audit table only.
   */
  readonly auditStream?: (deadline?: Deadline) => AuditStreamPorts | undefined;
}

export interface AuditStreamPorts {
  readonly table: AuditSink & AuditOutbox;
  readonly stream: AuditStream;
  /** Shared by a worker's sinks: after a failure, records wait in the outbox for a while instead of retrying in line. */
  readonly health: AuditStreamHealth;
}

/**
 * Lines about the worker rather than one invocation (the audit stream's outages and backlog): the Functions
 * host keeps a worker's console output as log lines.
 */
const workerLogger: Logger = {
  info: (message, properties) => console.info(message, ...(properties === undefined ? [] : [JSON.stringify(properties)])),
  warn: (message, properties) => console.warn(message, ...(properties === undefined ? [] : [JSON.stringify(properties)])),
  error: (message, properties) => console.error(message, ...(properties === undefined ? [] : [JSON.stringify(properties)])),
};

/** The production adapters, each client built on first use. */
function adaptersFor(config: () => Config): ServicePorts {
  const registry = once(() => new IotHubTwinRegistry(createRegistry(config().iotHub), { retry: { budgetMs: config().iotHub.retryBudgetMs } }));
  const audit = once(() => new TableAuditSink(createTableClient(config().storage, config().tables.audit)));
  const baselines = once(() => new TableBaselineStore(createTableClient(config().storage, config().tables.baselines)));
  const sweepState = once(() => new TableSweepStateStore(createTableClient(config().storage, config().tables.sweep)));
  const stream = once(() => {
    const settings = config().auditStream;
    if (settings === undefined) return undefined;
    const source = auditEventSource(config().iotHub.credential.hostName);
    return new EventHubAuditStream(createAuditProducer(settings), { source, retry: { budgetMs: settings.retryBudgetMs } });
  });
  const health = new AuditStreamHealth();
  const auditStream = (deadline?: Deadline): AuditStreamPorts | undefined => {
    const publisher = stream();
    if (publisher === undefined) return undefined;
    return deadline === undefined
      ? { table: audit(), stream: publisher, health }
      : { table: audit().withDeadline(deadline), stream: publisher.withDeadline(deadline), health };
  };
  return {
    registry: (deadline) => (deadline === undefined ? registry() : registry().withDeadline(deadline)),
    audit: (deadline) => {
      const publishing = auditStream(deadline);
      if (publishing !== undefined) return new PublishingAuditSink({ ...publishing, clock: systemClock, logger: workerLogger });
      return deadline === undefined ? audit() : audit().withDeadline(deadline);
    },
    auditStream,
    baselines,
    sweepState,
    clock: systemClock,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

export function buildServices(loadConfig: () => Config, ports?: ServicePorts): Services {
  const config = once(loadConfig);
  const { registry, audit, baselines, sweepState, clock, sleep, auditStream } = ports ?? adaptersFor(config);
  /** Publishes what the audit stream missed (written while it was down), within a quarter of a sweep run. */
  const publishPending = async (startedAt: Date): Promise<OutboxReport> => {
    const deadline = deadlineAfter({ now: () => startedAt }, config().sweep.runMs / 4);
    const publishing = auditStream?.(deadline);
    if (publishing === undefined) return { published: 0, morePending: false };
    let report: OutboxReport;
    try {
      report = await publishPendingAuditRecords({ ...publishing, clock, logger: workerLogger }, { deadline });
    } catch (error) {
      // The table could not be read: the records stay pending for the next run, and the sweep goes on.
      report = { published: 0, morePending: true, error: error instanceof Error ? error.message : String(error) };
    }
    if (report.error !== undefined) workerLogger.warn('Audit stream still unavailable: audit records stay pending in the audit table', { ...report });
    else if (report.published > 0) workerLogger.info('Audit records kept while the audit stream was unavailable are published', { ...report });
    return report;
  };
  const profile = once(() => getAgentProfile(config().agentProfile));
  const defaultBaseline = once(() =>
    defaultBaselineProvider(baselines(), clock, {
      name: config().defaultBaseline.name,
      profile: config().agentProfile,
      initialSettings: config().defaultBaseline.initialSettings,
      cacheMs: config().defaultBaseline.cacheSeconds * 1000,
    }),
  );
  const selector = once(() => {
    const compiled = compileDeviceSelector(config().deviceSelector);
    // loadConfig already refused an invalid selector; failing here would mean the two disagree.
    if (!compiled.ok) throw new InvariantError('SelectorRejected', `device selector: ${compiled.issues.map((issue) => issue.message).join('; ')}`);
    return compiled.value;
  });
  const completed = once(() => new CompletedEvents(completedEventsRemembered));
  const contest = once(() => contestedTwins({ audit: audit(), clock }, config().enforcement.contest));
  const baselineVersion = once(() => baselineVersions(baselines(), defaultBaseline()));
  const reconcileDeps = once(() => ({
    registry: registry(),
    audit: audit(),
    clock,
    profile: profile(),
    baseline: baselineVersion(),
    defaultBaseline: defaultBaseline(),
    lastAssignment: lastAssignmentFrom(audit()),
    correctionGate: contest().gate,
  }));
  const sweepPace = once(() => {
    const share = shareOf(hubBudget(config().iotHub.tier, config().iotHub.units), config().sweep.budgetPercent);
    return {
      queries: new Pacer(share.queriesPerSecond, clock, sleep),
      // A finding costs a twin update, or an identity operation for a missing module: the scarcer of the two.
      writes: new Pacer(Math.min(share.twinUpdatesPerSecond, share.identityOperationsPerSecond), clock, sleep),
    };
  });
  const compliance = once(() => ({ profile: profile(), clock, baseline: baselineVersion(), contestedUntil: contest().contestedUntil }));
  const fleetCount = once(() =>
    fleetCompliance({ ...compliance(), registry: registry() }, { pageSize: compliancePageSize, cacheMs: config().compliance.cacheSeconds * 1000 }),
  );

  return {
    config,
    provisionDeviceCreatedEvents: (notices, receivedAt) => {
      const { deadlineMs, concurrency } = config().eventGrid;
      const deadline = deadlineAfter({ now: () => receivedAt }, deadlineMs);
      return provisionDelivery(
        {
          clock,
          completed: completed(),
          provision: (notice, bound) =>
            provisionSecurityModule(
              {
                registry: registry(bound),
                audit: audit(bound),
                clock,
                profile: profile(),
                selector: selector(),
                baseline: baselineVersion(),
                defaultBaseline: defaultBaseline(),
              },
              notice,
            ),
        },
        notices,
        { deadline, concurrency },
      );
    },
    defaultBaseline: () => defaultBaseline()(),
    deviceAudit: (deviceId) => readDeviceAudit(audit(), deviceId),
    enforceTwinChanges: (notices) => enforceTwinChanges(reconcileDeps(), notices, { concurrency: config().enforcement.concurrency }),
    sweepFleet: async (startedAt) => {
      // The audit records the stream missed go first, so a device's events keep their order.
      await publishPending(startedAt);
      return sweepFleet(
        {
          registry: registry(),
          store: sweepState(),
          clock,
          profile: profile(),
          selector: selector(),
          baseline: baselineVersion(),
          reconcile: (twin, cause) => reconcileModuleTwin(reconcileDeps(), twin, cause, twin),
          provision: (notice) => provisionSecurityModule({ ...reconcileDeps(), selector: selector() }, notice),
          pace: sweepPace(),
          audit: audit(),
          newSeed: () => clock.now().getTime() % 2 ** 31,
        },
        { deadline: deadlineAfter({ now: () => startedAt }, config().sweep.runMs), pageSize: config().sweep.pageSize, intervalMs: config().sweep.intervalMs, filterSaveEveryPages: 20 },
      );
    },
    deviceCompliance: (deviceId) => readDeviceCompliance({ ...compliance(), registry: registry() }, deviceId),
    fleetCompliance: () => fleetCount()(),
  };
}

function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
