import { baselineVersions } from './app/baselineVersions';
import { defaultBaselineProvider } from './app/defaultBaseline';
import { deadlineAfter } from './app/deadline';
import { CompletedEvents, provisionDelivery, type DeliveryItemResult } from './app/provisionDelivery';
import { provisionSecurityModule, type DeviceCreatedNotice } from './app/provisionSecurityModule';
import { readDeviceAudit } from './app/readDeviceAudit';
import type { AuditRecord } from './app/ports/auditSink';
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
}

/** Event ids one worker remembers as finished, so Event Grid's re-sent deliveries resume instead of redoing. */
const completedEventsRemembered = 50_000;

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

export function buildServices(loadConfig: () => Config): Services {
  const config = once(loadConfig);
  const profile = once(() => getAgentProfile(config().agentProfile));
  const registry = once(() => new IotHubTwinRegistry(createRegistry(config().iotHub), { retry: { budgetMs: config().iotHub.retryBudgetMs } }));
  const baselines = once(() => new TableBaselineStore(createTableClient(config().storage, config().tables.baselines)));
  const audit = once(() => new TableAuditSink(createTableClient(config().storage, config().tables.audit)));
  const defaultBaseline = once(() =>
    defaultBaselineProvider(baselines(), systemClock, {
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
  const baselineVersion = once(() => baselineVersions(baselines(), defaultBaseline()));

  return {
    config,
    provisionDeviceCreatedEvents: (notices, receivedAt) => {
      const { deadlineMs, concurrency } = config().eventGrid;
      const deadline = deadlineAfter({ now: () => receivedAt }, deadlineMs);
      return provisionDelivery(
        {
          clock: systemClock,
          completed: completed(),
          provision: (notice, bound) =>
            provisionSecurityModule(
              {
                registry: registry().withDeadline(bound),
                audit: audit().withDeadline(bound),
                clock: systemClock,
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
  };
}

function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
