import { getAgentProfile } from './domain/agentProfiles';
import { compileDeviceSelector } from './domain/deviceSelector';
import { defaultBaselineProvider } from './app/defaultBaseline';
import { provisionSecurityModule, type DeviceCreatedNotice, type ProvisionOutcome } from './app/provisionSecurityModule';
import type { Baseline } from './domain/baseline';
import { createRegistry } from './adapters/iothub/createRegistry';
import { IotHubTwinRegistry } from './adapters/iothub/iotHubTwinRegistry';
import { systemClock } from './adapters/systemClock';
import { createTableClient } from './adapters/tables/createTableClient';
import { TableAuditSink } from './adapters/tables/tableAuditSink';
import { TableBaselineStore } from './adapters/tables/tableBaselineStore';
import { loadConfigFromEnvironment, type Config } from './config';

/** Everything a trigger needs, built once per worker from configuration. */
export interface Services {
  readonly config: Config;
  readonly provisionSecurityModule: (notice: DeviceCreatedNotice) => Promise<ProvisionOutcome>;
  readonly defaultBaseline: () => Promise<Baseline>;
  readonly baselines: TableBaselineStore;
  readonly audit: TableAuditSink;
}

let services: Services | undefined;

/**
 * Lazily builds configuration, SDK clients and adapters on first use (not at import, so a bad setting is
 * reported by the first invocation with every problem listed, and cold start stays cheap).
 */
export function getServices(): Services {
  services ??= buildServices(loadConfigFromEnvironment());
  return services;
}

/** Forget the built services so the next call re-reads settings (the local host between lab runs). */
export function resetServices(): void {
  services = undefined;
}

export function buildServices(config: Config): Services {
  const profile = getAgentProfile(config.agentProfile);
  const selector = compileDeviceSelector(config.deviceSelector);
  if (!selector.ok) throw new Error(`device selector: ${selector.issues.map((issue) => issue.message).join('; ')}`);

  const registry = new IotHubTwinRegistry(createRegistry(config.iotHub), { retry: { budgetMs: config.iotHub.retryBudgetMs } });
  const baselines = new TableBaselineStore(createTableClient(config.storage, config.tables.baselines));
  const audit = new TableAuditSink(createTableClient(config.storage, config.tables.audit));
  const defaultBaseline = defaultBaselineProvider(baselines, systemClock, {
    name: config.defaultBaseline.name,
    profile: config.agentProfile,
    initialSettings: config.defaultBaseline.initialSettings,
    cacheMs: config.defaultBaseline.cacheSeconds * 1000,
  });
  const deps = { registry, audit, clock: systemClock, profile, selector: selector.value, defaultBaseline };
  return {
    config,
    provisionSecurityModule: (notice) => provisionSecurityModule(deps, notice),
    defaultBaseline,
    baselines,
    audit,
  };
}
