import { buildServices, useServices, type Services } from '../../src/composition';
import { loadConfig, type Config } from '../../src/config';
import { FixedClock } from './fakes/fixedClock';
import { InMemoryAuditSink } from './fakes/inMemoryAuditSink';
import { InMemoryBaselineStore } from './fakes/inMemoryBaselineStore';
import { InMemorySweepStateStore } from './fakes/inMemorySweepStateStore';
import { InMemoryTwinRegistry } from './fakes/inMemoryTwinRegistry';

/** The settings every deployment must have; nothing is ever connected to with them here. */
export const requiredTestSettings: Readonly<Record<string, string>> = {
  IOTHUB_CONNECTION_STRING: 'HostName=smt-test-hub.azure-devices.net;SharedAccessKeyName=service;SharedAccessKey=dGVzdC1rZXk=',
  PRODUCT_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
};

export interface ServicesOverFakes {
  readonly services: Services;
  readonly config: Config;
  readonly registry: InMemoryTwinRegistry;
  readonly audit: InMemoryAuditSink;
  readonly baselines: InMemoryBaselineStore;
  /**
   * The clock of the use cases. It starts at the real time, because an Event Grid delivery's deadline runs
   * from the delivery's arrival (the handler's own `new Date()`); advance it past the deadline to cut work off.
   */
  readonly clock: FixedClock;
}

/**
 * The triggers' Services over the in-memory fakes: the real use cases, wired as `buildServices` wires them,
 * with the fakes in place of the IoT Hub and Table Storage adapters. `settings` are app settings on top of
 * the required ones (e.g. `EVENT_GRID_CONCURRENCY`, `DEVICE_ID_PATTERN`), read by the real loadConfig.
 */
export function servicesOverFakes(settings: Readonly<Record<string, string>> = {}): ServicesOverFakes {
  const config = loadConfig({ ...requiredTestSettings, ...settings });
  const registry = new InMemoryTwinRegistry();
  const audit = new InMemoryAuditSink();
  const baselines = new InMemoryBaselineStore();
  const clock = new FixedClock(new Date());

  const sweepState = new InMemorySweepStateStore();
  const services = buildServices(() => config, {
    registry: () => registry,
    audit: () => audit,
    baselines: () => baselines,
    sweepState: () => sweepState,
    clock,
    // Pacing waits move the fake clock instead of the test's time.
    sleep: async (ms) => clock.advance(ms),
  });
  return { services, config, registry, audit, baselines, clock };
}

export interface InstalledServicesOverFakes extends ServicesOverFakes {
  /** Puts back what getServices() answered before. */
  readonly restore: () => void;
  /** Restores, then installs fresh fakes built with `settings` instead (a test that needs other settings). */
  readonly reinstall: (settings: Readonly<Record<string, string>>) => InstalledServicesOverFakes;
}

/** Services over fresh fakes, made what getServices() answers (and so what every handler uses) until `restore()`. */
export function installServicesOverFakes(settings: Readonly<Record<string, string>> = {}): InstalledServicesOverFakes {
  const built = servicesOverFakes(settings);
  const restore = useServices(built.services);
  return {
    ...built,
    restore,
    reinstall: (other) => {
      restore();
      return installServicesOverFakes(other);
    },
  };
}
