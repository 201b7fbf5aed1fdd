// Configurations (automatic device/module management) through the real azure-iothub Registry:
// addConfiguration / getConfiguration / getConfigurations / updateConfiguration / removeConfiguration /
// applyConfigurationContentOnDevice, the documented errors, and the application of module content on the cadence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Registry } from 'azure-iothub';
import { connectRegistry, startIotHubSimulator, type IotHubSimulator, type TwinChangeNotification } from '../../local/iothubSimulator';
import { expectHubError, failureOf } from './helpers';

let simulator: IotHubSimulator;
let registry: Registry;

beforeAll(async () => {
  // No timer: the test drives the cadence with applyConfigurationsNow().
  simulator = await startIotHubSimulator({ throttle: false, configurations: { applyEveryMs: 0, maxConfigurations: 5 } });
  registry = connectRegistry(simulator);
});

afterAll(async () => {
  await simulator.close();
});

type Configuration = Parameters<Registry['addConfiguration']>[0];

const moduleConfiguration = (id: string, priority: number, value: number): Configuration => ({
  id,
  schemaVersion: '1.0',
  labels: { owner: 'test' },
  content: { moduleContent: { 'properties.desired.agent': { interval: value } } },
  targetCondition: "FROM devices.modules WHERE moduleId = 'agent' AND tags.ring = 'a'",
  priority,
  metrics: { queries: { reporting: "SELECT deviceId FROM devices.modules WHERE moduleId = 'agent' AND IS_DEFINED(properties.reported.interval)" } },
});

describe('configuration CRUD', () => {
  it('creates, reads, lists, updates mutable fields and removes a configuration', async () => {
    const created = await registry.addConfiguration(moduleConfiguration('crud-1', 1, 10));
    expect(created.httpResponse.statusCode).toBe(200);
    const { responseBody: read } = await registry.getConfiguration('crud-1');
    expect(read).toMatchObject({ id: 'crud-1', priority: 1, labels: { owner: 'test' }, systemMetrics: { results: { targetedCount: 0, appliedCount: 0 } } });
    expect(typeof read.etag).toBe('string');

    const { responseBody: list } = await registry.getConfigurations();
    expect(list.map((configuration) => configuration.id)).toContain('crud-1');

    const updated = await registry.updateConfiguration({ ...read, priority: 7, labels: { owner: 'other' } });
    expect(updated.responseBody).toMatchObject({ priority: 7, labels: { owner: 'other' } });
    expect((updated.responseBody as { etag: string }).etag).not.toBe(read.etag);

    // The old ETag no longer matches: 412.
    expectHubError(await failureOf(registry.updateConfiguration({ ...read, priority: 8 })), 'InvalidEtagError', 412, 'PreconditionFailed');
    // Content is immutable: 400403.
    const changed = { ...read, content: { moduleContent: { 'properties.desired.agent': { interval: 99 } } } };
    expectHubError(await failureOf(registry.updateConfiguration(changed, true)), 'ArgumentError', 400, 'CannotModifyImmutableConfigurationContent');

    await registry.removeConfiguration('crud-1');
    expectHubError(await failureOf(registry.getConfiguration('crud-1')), 'Error', 404, 'ConfigurationNotFound');
  });

  it('answers 409 for an existing id, 404 for an unknown one, 400 for bad target conditions and 413 past the limit', async () => {
    await registry.addConfiguration(moduleConfiguration('dup', 0, 1));
    expectHubError(await failureOf(registry.addConfiguration(moduleConfiguration('dup', 0, 1))), 'DeviceAlreadyExistsError', 409, 'ConfigurationAlreadyExists');
    expectHubError(await failureOf(registry.removeConfiguration('missing')), 'Error', 404, 'ConfigurationNotFound');
    const badTarget = { ...moduleConfiguration('bad-target', 0, 1), targetCondition: "tags.ring = 'a'" };
    expectHubError(await failureOf(registry.addConfiguration(badTarget)), 'ArgumentError', 400, 'InvalidConfigurationTargetCondition');

    // This hub holds at most 5 (the option; the service's limit is 100).
    const existing = (await registry.getConfigurations()).responseBody.length;
    for (let n = existing; n < 5; n++) await registry.addConfiguration(moduleConfiguration(`fill-${n}`, 0, 1));
    expectHubError(await failureOf(registry.addConfiguration(moduleConfiguration('one-too-many', 0, 1))), 'Error', 413, 'ConfigurationCountLimitExceeded');
    for (const configuration of (await registry.getConfigurations()).responseBody) await registry.removeConfiguration(configuration.id);
    expect((await registry.getConfigurations()).responseBody).toEqual([]);
  });
});

/** The `agent` desired property of a module twin `agent`, as the hub holds it now. */
function desiredAgent(deviceId: string): unknown {
  const twin = simulator.peekModuleTwin(deviceId, 'agent') as { properties: { desired: Record<string, unknown> } };
  return twin.properties.desired.agent;
}

describe('application', () => {
  it('writes module content on the cadence (higher priority wins), counts targeted/applied, and stops when removed', async () => {
    const [d1, d2, d3] = simulator.seedDevices(3, { idPrefix: 'adm-' });
    simulator.seedModules('agent', { deviceIds: [d1!, d2!], tags: { ring: 'a' } });
    simulator.seedModules('agent', { deviceIds: [d3!], tags: { ring: 'b' } });
    await registry.addConfiguration(moduleConfiguration('low', 1, 10));
    await registry.addConfiguration(moduleConfiguration('high', 5, 20));
    simulator.reportProperties(d1!, 'agent', { interval: 20 });

    const notified: TwinChangeNotification[] = [];
    const unsubscribe = simulator.onTwinChanged((notification) => notified.push(notification));
    // Nothing happens before the cadence runs.
    expect(desiredAgent(d1!)).toBeUndefined();

    simulator.applyConfigurationsNow();
    for (const deviceId of [d1!, d2!]) {
      expect(simulator.peekModuleTwin(deviceId, 'agent')).toMatchObject({ properties: { desired: { agent: { interval: 20 } } } });
    }
    expect(desiredAgent(d3!)).toBeUndefined();
    expect(notified).toHaveLength(2);

    const high = (await registry.getConfiguration('high')).responseBody;
    const low = (await registry.getConfiguration('low')).responseBody;
    expect(high.systemMetrics?.results).toEqual({ targetedCount: 2, appliedCount: 2 });
    expect(low.systemMetrics?.results).toEqual({ targetedCount: 2, appliedCount: 0 });
    expect(high.metrics?.results).toEqual({ reporting: 1 });

    // A run where the twins already hold the content writes nothing.
    simulator.applyConfigurationsNow();
    expect(notified).toHaveLength(2);

    // Removing the winner: the next run applies the remaining configuration; removing it too stops writes.
    await registry.removeConfiguration('high');
    simulator.applyConfigurationsNow();
    expect(simulator.peekModuleTwin(d2!, 'agent')).toMatchObject({ properties: { desired: { agent: { interval: 10 } } } });
    await registry.removeConfiguration('low');
    await registry.updateModuleTwin(d2!, 'agent', { properties: { desired: { agent: { interval: 1 } } } }, '*');
    const before = notified.length;
    simulator.applyConfigurationsNow();
    expect(notified).toHaveLength(before);
    expect(simulator.peekModuleTwin(d2!, 'agent')).toMatchObject({ properties: { desired: { agent: { interval: 1 } } } });
    unsubscribe();
  });

  it('applies edge content to a device with applyConfigurationContentOnDevice', async () => {
    const [edge] = simulator.seedDevices(1, { idPrefix: 'adm-edge-', edgeEvery: 1 });
    await registry.applyConfigurationContentOnDevice(edge!, { modulesContent: { $edgeAgent: { 'properties.desired': { schemaVersion: '1.1' } } } });
    expect(simulator.peekModuleTwin(edge!, '$edgeAgent')).toMatchObject({ properties: { desired: { schemaVersion: '1.1' } } });
    expectHubError(await failureOf(registry.applyConfigurationContentOnDevice('adm-none', { modulesContent: {} })), 'DeviceNotFoundError', 404, 'DeviceNotFound');
  });
});

describe('configurations throttle', () => {
  it('allows 20 configuration operations per minute per unit on S1, then answers 429', async () => {
    const throttled = await startIotHubSimulator({ throttle: { tier: 'S1', units: 1 }, configurations: { applyEveryMs: 0 } });
    try {
      const client = connectRegistry(throttled);
      for (let n = 0; n < 20; n++) await client.getConfigurations();
      expectHubError(await failureOf(client.getConfigurations()), 'ThrottlingError', 429, 'ThrottlingException');
    } finally {
      await throttled.close();
    }
  });
});
