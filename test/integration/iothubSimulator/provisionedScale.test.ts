// 100,000 devices, each with a *provisioned* security module twin (the complete 25-setting asc-classic
// configuration in properties.desired, wrapped as { "value": x }, plus tags.securityBaseline), as
// `npm run bench` seeds them: the heap that costs, and that shared storage of identical twins never shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Registry } from 'azure-iothub';
import { connectRegistry, startIotHubSimulator, type IotHubSimulator, type JsonObject, type JsonValue } from '../../local/iothubSimulator';
import { retainedHeapMb } from '../../support/retainedHeap';

const FLEET = 100_000;
const MODULE = 'azureiotsecurity';
const CONFIG_KEY = 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration';
// The asc-classic defaults, as the product writes them (src/domain/defaultSettings), in their twin form.
const SETTINGS: Readonly<Record<string, string | number | boolean>> = {
  highPriorityMessageFrequency: 'PT7M',
  lowPriorityMessageFrequency: 'PT5H',
  snapshotFrequency: 'PT13H',
  maxLocalCacheSizeInBytes: 2560000,
  maxMessageSizeInBytes: 204800,
  eventPriorityConnectedHardware: 'Low',
  eventPriorityListeningPorts: 'High',
  eventPriorityProcessCreate: 'Low',
  eventPriorityProcessTerminate: 'Low',
  eventPrioritySystemInformation: 'Low',
  eventPriorityLocalUsers: 'High',
  eventPriorityLogin: 'High',
  eventPriorityConnectionCreate: 'Low',
  eventPriorityFirewallConfiguration: 'Low',
  eventPriorityOSBaseline: 'Low',
  eventPriorityDiagnostic: 'Low',
  eventPriorityConfigurationError: 'Low',
  eventPriorityDroppedEventsStatistics: 'Low',
  eventPriorityMessageStatistics: 'Low',
  aggregationEnabledProcessCreate: true,
  aggregationIntervalProcessCreate: 'PT1H',
  aggregationEnabledConnectionCreate: true,
  aggregationIntervalConnectionCreate: 'PT1H',
  aggregationEnabledProcessTerminate: true,
  aggregationIntervalProcessTerminate: 'PT1H',
};
const DESIRED: JsonObject = { [CONFIG_KEY]: Object.fromEntries(Object.entries(SETTINGS).map(([key, value]) => [key, { value }])) };
const TAGS: JsonObject = { securityBaseline: { name: 'default', version: 1, mode: 'enforce', assignedAt: '2026-11-27T12:00:00.000Z' } };

// A hand-driven clock, so the $metadata timestamps are known.
const SEEDED_AT = Date.UTC(2026, 10, 27, 12, 0, 0, 125);
const PATCHED_AT = SEEDED_AT + 60_000;
let now = SEEDED_AT;
const stampAt = (at: number): string => new Date(at).toISOString().replace('Z', '0000Z');

let simulator: IotHubSimulator;
let registry: Registry;
const measured = { devicesMb: Number.NaN, modulesMb: Number.NaN };

/** The $metadata the service shows for `value` when every node of it was written at `at` by desired version `version`. */
function uniformMetadata(value: JsonValue, at: number, version: number): JsonObject {
  const metadata: JsonObject = { $lastUpdated: stampAt(at), $lastUpdatedVersion: version };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) metadata[key] = uniformMetadata(child, at, version);
  }
  return metadata;
}

beforeAll(async () => {
  simulator = await startIotHubSimulator({ throttle: false, clock: { now: () => now } });
  registry = connectRegistry(simulator);

  const before = retainedHeapMb();
  simulator.seedDevices(FLEET, { idPrefix: 'prov-' });
  const afterDevices = retainedHeapMb();
  simulator.seedModules(MODULE, { desired: DESIRED, tags: TAGS });
  const afterModules = retainedHeapMb();
  measured.devicesMb = afterDevices - before;
  measured.modulesMb = afterModules - afterDevices;
  const total = measured.devicesMb + measured.modulesMb;
  console.log(
    `iothubSimulator provisioned scale: ${FLEET} devices retain ${measured.devicesMb.toFixed(1)} MB of heap; ${FLEET} provisioned ` +
      `security module twins add ${measured.modulesMb.toFixed(1)} MB (total ${total.toFixed(1)} MB, ${Math.round((total * 1024 * 1024) / FLEET)} bytes per provisioned device)`,
  );
});

afterAll(async () => {
  await simulator.close();
});

describe('100,000 provisioned security module twins', () => {
  it('fit in a small heap', () => {
    expect(simulator.moduleCount()).toBe(FLEET);
    // Generous on purpose (the figure is printed above): storing a private copy of every twin's documents and
    // a metadata node per property, as the simulator once did, took over 1 GB here.
    expect(measured.devicesMb + measured.modulesMb).toBeLessThan(200);
  });

  it('serve every twin with its own complete document and per-leaf $metadata', async () => {
    for (const deviceId of ['prov-0', 'prov-54321', 'prov-99999']) {
      const { responseBody: twin } = await registry.getModuleTwin(deviceId, MODULE);

      expect(twin.tags).toEqual(TAGS);
      expect(JSON.stringify(twin.properties.desired)).toBe(JSON.stringify({ ...DESIRED, $metadata: uniformMetadata(DESIRED, SEEDED_AT, 2), $version: 2 }));
      expect(twin).toMatchObject({ etag: 'AAAAAAAAAAI=', version: 3 });
    }
  });

  it('keeps a patch to one twin out of every other twin, with $metadata per leaf', async () => {
    now = PATCHED_AT;
    const { responseBody: before } = await registry.getModuleTwin('prov-5', MODULE);

    await registry.updateModuleTwin('prov-5', MODULE, { properties: { desired: { [CONFIG_KEY]: { snapshotFrequency: { value: 'PT1H' } } } } }, before.etag);
    const { responseBody: patched } = await registry.getModuleTwin('prov-5', MODULE);
    const { responseBody: neighbour } = await registry.getModuleTwin('prov-6', MODULE);

    const container = (patched.properties.desired as JsonObject)[CONFIG_KEY] as JsonObject;
    expect(container.snapshotFrequency).toEqual({ value: 'PT1H' });
    expect(Object.keys(container)).toEqual(Object.keys(SETTINGS));
    const metadata = (patched.properties.desired as JsonObject).$metadata as JsonObject;
    const containerMetadata = metadata[CONFIG_KEY] as JsonObject;
    expect(metadata.$lastUpdatedVersion).toBe(3);
    expect(containerMetadata).toMatchObject({ $lastUpdated: stampAt(PATCHED_AT), $lastUpdatedVersion: 3 });
    expect(containerMetadata.snapshotFrequency).toEqual(uniformMetadata({ value: 'PT1H' }, PATCHED_AT, 3));
    expect(containerMetadata.lowPriorityMessageFrequency).toEqual(uniformMetadata({ value: 'PT5H' }, SEEDED_AT, 2));
    expect(neighbour.properties.desired).toEqual({ ...DESIRED, $metadata: uniformMetadata(DESIRED, SEEDED_AT, 2), $version: 2 });
  });

  it('answers queries over the shared documents per twin', async () => {
    const settingPath = `properties.desired.[[${CONFIG_KEY}]].snapshotFrequency`;

    const { result: counts } = await registry
      .createQuery(`SELECT ${settingPath}.value AS snapshotFrequency, COUNT() AS n FROM devices.modules GROUP BY ${settingPath}.value`)
      .next();
    const { result: rewritten } = await registry
      .createQuery(`SELECT deviceId FROM devices.modules WHERE properties.desired.$metadata.[[${CONFIG_KEY}]].snapshotFrequency.$lastUpdatedVersion = 3`)
      .next();

    expect(counts).toEqual([
      { snapshotFrequency: 'PT13H', n: FLEET - 1 },
      { snapshotFrequency: 'PT1H', n: 1 },
    ]);
    expect(rewritten).toEqual([{ deviceId: 'prov-5' }]);
  });
});
