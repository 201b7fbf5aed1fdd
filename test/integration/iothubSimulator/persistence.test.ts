// A hub saved with saveState() and started again from it is the same hub to its clients: same connection
// string and certificate, devices and modules with their keys, generation IDs and ETags, twins with their
// versions, ETags and $metadata; the SDK's conditional writes made with ETags read before still succeed.
import { afterAll, describe, expect, it } from 'vitest';
import type { Registry } from 'azure-iothub';
import { assertSavedHubState, connectRegistry, startIotHubSimulator, type IotHubSimulator, type JsonObject, type SavedHubState } from '../../local/iothubSimulator';

const simulators: IotHubSimulator[] = [];
afterAll(async () => {
  for (const simulator of simulators) await simulator.close();
});

async function start(savedState?: SavedHubState): Promise<IotHubSimulator> {
  const simulator = await startIotHubSimulator({ throttle: false, ...(savedState === undefined ? {} : { savedState }) });
  simulators.push(simulator);
  return simulator;
}

/** Everything a client can read about the hub, through the test-side peeks. */
function snapshot(simulator: IotHubSimulator): JsonObject {
  const view: JsonObject = {};
  for (const deviceId of simulator.listDeviceIds()) {
    const modules: JsonObject = {};
    for (const moduleId of ['azureiotsecurity', 'other', '$edgeAgent', '$edgeHub']) {
      const module = simulator.peekModule(deviceId, moduleId);
      if (module !== undefined) modules[moduleId] = { identity: module, twin: simulator.peekModuleTwin(deviceId, moduleId)! };
    }
    view[deviceId] = { identity: simulator.peekDevice(deviceId)!, twin: simulator.peekTwin(deviceId)!, modules };
  }
  return view;
}

const baseline = { highPriorityMessageFrequency: { value: 'PT7M' }, lowPriorityMessageFrequency: { value: 'PT5H' } };

describe('a saved hub state', () => {
  let registry: Registry;
  let before: JsonObject;
  let saved: SavedHubState;
  let restored: IotHubSimulator;
  let original: IotHubSimulator;

  it('round-trips through JSON into a hub that answers as the saved one did', async () => {
    original = await start();
    registry = connectRegistry(original);
    await registry.create({ deviceId: 'sas-device', status: 'disabled' });
    await registry.create({ deviceId: 'x509-device', authentication: { x509Thumbprint: { primaryThumbprint: 'A'.repeat(40), secondaryThumbprint: 'B'.repeat(40) } } });
    await registry.create({ deviceId: 'edge-device', capabilities: { iotEdge: true } });
    await registry.addModule({ deviceId: 'sas-device', moduleId: 'azureiotsecurity' });
    await registry.updateModuleTwin('sas-device', 'azureiotsecurity', { tags: { securityBaseline: { name: 'default', version: 1 } }, properties: { desired: baseline } }, '*');
    await registry.updateModuleTwin('sas-device', 'azureiotsecurity', { properties: { desired: { lowPriorityMessageFrequency: null, extra: { nested: 1 } } } }, '*');
    original.reportProperties('sas-device', 'azureiotsecurity', { status: 'running' });
    await registry.updateTwin('x509-device', { tags: { site: 'plant-1' } }, '*');
    original.seedDevices(40, { idPrefix: 'fleet-' });
    original.seedModules('azureiotsecurity', { deviceIds: original.listDeviceIds().filter((id) => id.startsWith('fleet-')), desired: baseline, tags: { securityBaseline: { name: 'default', version: 1 } } });
    await registry.delete('fleet-3');
    before = snapshot(original);

    saved = JSON.parse(JSON.stringify(original.saveState())) as SavedHubState;
    assertSavedHubState(saved, 'the saved state');
    // The 40 seeded twins share one desired document: it is stored once.
    expect(saved.contents.filter((content) => JSON.stringify(content) === JSON.stringify(baseline))).toHaveLength(1);

    restored = await start(saved);
    expect(restored.connectionString).toBe(original.connectionString);
    expect(restored.caCertificatePem).toBe(original.caCertificatePem);
    expect(restored.listDeviceIds()).toEqual(original.listDeviceIds());
    expect(restored.moduleCount()).toBe(original.moduleCount());
    expect(snapshot(restored)).toEqual(before);
  });

  it('serves the old connection string and ETags, and keeps new identities and versions apart from the saved ones', async () => {
    const client = connectRegistry(restored);
    const { responseBody: twin } = await client.getModuleTwin('sas-device', 'azureiotsecurity');
    expect(twin.etag).toBe((before['sas-device'] as { modules: { azureiotsecurity: { twin: JsonObject } } }).modules.azureiotsecurity.twin['etag']);
    await client.updateModuleTwin('sas-device', 'azureiotsecurity', { properties: { desired: { added: true } } }, twin.etag);
    const after = restored.peekModuleTwin('sas-device', 'azureiotsecurity')!;
    expect(after['version']).toBe((twin as unknown as { version: number }).version + 1);

    const { responseBody: created } = await client.create({ deviceId: 'new-device' });
    const savedEtags = Object.values(before).map((device) => ((device as JsonObject)['identity'] as JsonObject)['etag']);
    expect(savedEtags).not.toContain(created.etag);
    const savedGenerations = Object.values(before).map((device) => ((device as JsonObject)['identity'] as JsonObject)['generationId']);
    expect(savedGenerations).not.toContain(created.generationId);

    const query = client.createQuery("SELECT * FROM devices.modules WHERE moduleId = 'azureiotsecurity' AND IS_DEFINED(tags.securityBaseline)", 100);
    expect((await query.nextAsTwin()).result).toHaveLength(40);
  });

  it('counts changes, and restoring is not one', async () => {
    expect(restored.revision).toBeGreaterThan(0);
    const again = await start(saved);
    expect(again.revision).toBe(0);
    again.seedDevices(1);
    expect(again.revision).toBe(1);
  });

  it('is refused when it is not a saved hub state', () => {
    expect(() => assertSavedHubState({ format: 'something-else/9' }, 'state.json')).toThrow(/state\.json is not a saved hub state .*format something-else\/9/);
    expect(() => assertSavedHubState([], 'state.json')).toThrow(/no known format/);
  });
});
