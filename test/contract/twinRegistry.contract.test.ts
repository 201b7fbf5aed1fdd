// The TwinRegistry port, run against the in-memory fake the use-case tests rely on and against the real
// adapter (azure-iothub Registry) over HTTPS to the IoT Hub simulator: both must behave the same.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Registry } from 'azure-iothub';
import type { ModuleTwinPatch, TwinRegistry } from '../../src/app/ports/twinRegistry';
import { createRegistry } from '../../src/adapters/iothub/createRegistry';
import { IotHubTwinRegistry } from '../../src/adapters/iothub/iotHubTwinRegistry';
import { loadConfig } from '../../src/config';
import { connectRegistry, startIotHubSimulator, type IotHubSimulator } from '../local/iothubSimulator';
import { InMemoryTwinRegistry } from '../support/fakes/inMemoryTwinRegistry';

/** What a contract test needs besides the port: a way to arrange the world the port observes. */
interface World {
  readonly port: TwinRegistry;
  addDevice(deviceId: string, options?: { isEdgeDevice?: boolean }): Promise<void>;
  removeDevice(deviceId: string): Promise<void>;
  /** Another writer changes the twin (invalidates ETags we hold). */
  writeTwinAsSomeoneElse(deviceId: string, moduleId: string, patch: ModuleTwinPatch): Promise<void>;
}

let simulator: IotHubSimulator;
let admin: Registry;
let adapter: IotHubTwinRegistry;
let worldCounter = 0;

/**
 * The app's configuration for reaching `hub` as the lab routes it (connect address and CA file), plus the
 * given credential settings: adapters are built exactly as the app builds them, from settings.
 */
function configFor(hub: IotHubSimulator, credentialSettings: Record<string, string>) {
  const caPath = join(mkdtempSync(join(tmpdir(), 'smt-contract-')), 'ca.pem');
  writeFileSync(caPath, hub.caCertificatePem);
  return loadConfig({
    IOTHUB_CONNECT_ADDRESS: `127.0.0.1:${hub.port}`,
    IOTHUB_CA_CERTIFICATE_PATH: caPath,
    PRODUCT_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
    ...credentialSettings,
  });
}

beforeAll(async () => {
  simulator = await startIotHubSimulator({ throttle: false });
  admin = connectRegistry(simulator);
  const config = configFor(simulator, { IOTHUB_CONNECTION_STRING: simulator.connectionString });
  adapter = new IotHubTwinRegistry(createRegistry(config.iotHub), { retry: { budgetMs: 2_000, baseDelayMs: 5, maxDelayMs: 20 } });
});

afterAll(async () => {
  await simulator.close();
});

const worlds: Array<[string, () => World]> = [
  [
    'InMemoryTwinRegistry',
    () => {
      const fake = new InMemoryTwinRegistry();
      return {
        port: fake,
        addDevice: async (deviceId, options = {}) => fake.addDevice(deviceId, options),
        removeDevice: async (deviceId) => fake.removeDevice(deviceId),
        writeTwinAsSomeoneElse: async (deviceId, moduleId, patch) => fake.writeTwin(deviceId, moduleId, patch),
      };
    },
  ],
  [
    'IotHubTwinRegistry on the simulator',
    () => ({
      port: adapter,
      addDevice: async (deviceId, options = {}) => {
        await admin.create({ deviceId, ...(options.isEdgeDevice ? { capabilities: { iotEdge: true } } : {}) } as Parameters<Registry['create']>[0]);
      },
      removeDevice: async (deviceId) => {
        await admin.delete(deviceId);
      },
      writeTwinAsSomeoneElse: async (deviceId, moduleId, patch) => {
        await admin.updateModuleTwin(deviceId, moduleId, patch, '*');
      },
    }),
  ],
];

/** Desired properties without IoT Hub's read-only `$metadata`/`$version`, which the fake does not keep. */
const userKeys = (section: Readonly<Record<string, unknown>>) => Object.fromEntries(Object.entries(section).filter(([key]) => !key.startsWith('$')));

describe.each(worlds)('TwinRegistry contract: %s', (_name, makeWorld) => {
  let world: World;
  let id: (name: string) => string;
  beforeEach(() => {
    world = makeWorld();
    const prefix = `w${++worldCounter}`;
    id = (name) => `${prefix}-${name}`;
  });

  it('reads devices, telling IoT Edge devices apart, and answers undefined for a missing one', async () => {
    await world.addDevice(id('leaf'));
    await world.addDevice(id('edge'), { isEdgeDevice: true });
    expect(await world.port.getDevice(id('leaf'))).toEqual({ deviceId: id('leaf'), isEdgeDevice: false });
    expect(await world.port.getDevice(id('edge'))).toEqual({ deviceId: id('edge'), isEdgeDevice: true });
    expect(await world.port.getDevice(id('missing'))).toBeUndefined();
  });

  it('creates a module once, reports it exists afterwards, and knows when the device is gone', async () => {
    await world.addDevice(id('d'));
    const created = await world.port.createModule(id('d'), 'azureiotsecurity');
    expect(created.kind).toBe('created');
    expect(await world.port.createModule(id('d'), 'azureiotsecurity')).toEqual({ kind: 'exists' });
    expect(await world.port.createModule(id('missing'), 'azureiotsecurity')).toEqual({ kind: 'device-not-found' });
  });

  it('hands out the ETag a fresh twin really has, so the first PATCH needs no read', async () => {
    await world.addDevice(id('d'));
    const created = await world.port.createModule(id('d'), 'azureiotsecurity');
    const twin = await world.port.getModuleTwin(id('d'), 'azureiotsecurity');
    expect(created.kind === 'created' && created.freshTwinEtag).toBe(twin?.etag);
    expect(twin?.tags).toEqual({});
    expect(userKeys(twin!.desired)).toEqual({});
  });

  it('patches conditionally with merge semantics and null removal', async () => {
    await world.addDevice(id('d'));
    await world.port.createModule(id('d'), 'm');
    const fresh = (await world.port.getModuleTwin(id('d'), 'm'))!;

    const first = await world.port.patchModuleTwin(id('d'), 'm', { tags: { t: { a: 1, b: 2 } }, properties: { desired: { cfg: { x: { value: 1 }, y: { value: 2 } } } } }, fresh.etag);
    expect(first.kind).toBe('patched');
    const afterFirst = first.kind === 'patched' ? first.twin : fresh;
    expect(afterFirst.etag).not.toBe(fresh.etag);

    const second = await world.port.patchModuleTwin(id('d'), 'm', { tags: { t: { b: null } }, properties: { desired: { cfg: { y: null, z: { value: 3 } } } } }, afterFirst.etag);
    expect(second.kind).toBe('patched');
    const twin = (await world.port.getModuleTwin(id('d'), 'm'))!;
    expect(twin.tags).toEqual({ t: { a: 1 } });
    expect(userKeys(twin.desired)).toEqual({ cfg: { x: { value: 1 }, z: { value: 3 } } });
  });

  it('refuses a PATCH on a stale ETag, after another writer changed the twin', async () => {
    await world.addDevice(id('d'));
    await world.port.createModule(id('d'), 'm');
    const read = (await world.port.getModuleTwin(id('d'), 'm'))!;
    await world.writeTwinAsSomeoneElse(id('d'), 'm', { tags: { owner: 'someone' } });
    expect(await world.port.patchModuleTwin(id('d'), 'm', { tags: { owner: 'us' } }, read.etag)).toEqual({ kind: 'etag-mismatch' });
    expect((await world.port.getModuleTwin(id('d'), 'm'))!.tags).toEqual({ owner: 'someone' });
  });

  it('answers not-found for the twin of a deleted device', async () => {
    await world.addDevice(id('d'));
    await world.port.createModule(id('d'), 'm');
    const read = (await world.port.getModuleTwin(id('d'), 'm'))!;
    await world.removeDevice(id('d'));
    expect(await world.port.getModuleTwin(id('d'), 'm')).toBeUndefined();
    expect(await world.port.patchModuleTwin(id('d'), 'm', { tags: { a: 1 } }, read.etag)).toEqual({ kind: 'not-found' });
  });
});

describe('IotHubTwinRegistry failure handling (real SDK, simulator faults)', () => {
  afterAll(() => simulator.setFaults(undefined));

  it('retries injected 429/503 answers and dropped connections until the call succeeds', async () => {
    await admin.create({ deviceId: 'faulty-1' });
    simulator.resetStats();
    simulator.setFaults({ errorRate: 0.5, statuses: [429, 503], dropConnectionRate: 0.1, seed: 3 });
    const created = await adapter.createModule('faulty-1', 'azureiotsecurity');
    const twin = await adapter.getModuleTwin('faulty-1', 'azureiotsecurity');
    simulator.setFaults(undefined);
    expect(created.kind).toBe('created');
    expect(twin?.deviceId).toBe('faulty-1');
    const rejected = simulator.stats().rejected;
    const refusals = [rejected.fault, rejected.dropped].flatMap((counts) => Object.values(counts)).reduce((sum, n) => sum + (n ?? 0), 0);
    expect(refusals).toBeGreaterThan(0);
  });

  it('surfaces a transient error once the retry budget is spent', async () => {
    simulator.setFaults({ errorRate: 1, statuses: [503], seed: 4 });
    await expect(adapter.getDevice('faulty-1')).rejects.toMatchObject({ kind: 'transient', code: 'ServiceUnavailable' });
    simulator.setFaults(undefined);
  });

  it('reports missing access at once, as transient (it succeeds once access is fixed) but not retried now', async () => {
    const wrongKey = simulator.connectionString.replace(/SharedAccessKey=[^;]+/, `SharedAccessKey=${Buffer.from('not the key').toString('base64')}`);
    const config = configFor(simulator, { IOTHUB_CONNECTION_STRING: wrongKey });
    const unauthorized = new IotHubTwinRegistry(createRegistry(config.iotHub), { retry: { budgetMs: 2_000 } });
    simulator.resetStats();
    await expect(unauthorized.getDevice('faulty-1')).rejects.toMatchObject({ kind: 'transient', code: 'IotHubUnauthorizedAccess', retryNow: false });
    expect(Object.values(simulator.stats().rejected.auth).reduce((sum, n) => sum + (n ?? 0), 0)).toBe(1);
  });

  it('stops retrying at the deadline it is given, whatever budget is left', async () => {
    simulator.setFaults({ errorRate: 1, statuses: [503], seed: 5 });
    simulator.resetStats();
    const bounded = new IotHubTwinRegistry(createRegistry(configFor(simulator, { IOTHUB_CONNECTION_STRING: simulator.connectionString }).iotHub), { retry: { budgetMs: 600_000, baseDelayMs: 50, maxDelayMs: 50 } });
    await expect(bounded.withDeadline({ atMs: Date.now() + 300 }).getDevice('faulty-1')).rejects.toMatchObject({ kind: 'transient' });
    simulator.setFaults(undefined);
    const attempts = Object.values(simulator.stats().rejected.fault).reduce((sum, n) => sum + (n ?? 0), 0);
    expect(attempts).toBeGreaterThan(0);
    expect(attempts).toBeLessThan(50);
  });

  it('never sends an unconditional PATCH', async () => {
    await expect(adapter.patchModuleTwin('faulty-1', 'azureiotsecurity', { tags: { a: 1 } }, '*')).rejects.toMatchObject({ kind: 'permanent', code: 'UnconditionalWrite' });
  });
});

describe.each(worlds)('TwinRegistry contract, fleet listing: %s', (_name, makeWorld) => {
  it('pages through every twin of a module, each once, and only that module', async () => {
    const world = makeWorld();
    const prefix = `list${++worldCounter}`;
    const moduleId = `${prefix}-agent`;
    const deviceIds = Array.from({ length: 7 }, (_, i) => `${prefix}-d${i}`);
    for (const deviceId of deviceIds) {
      await world.addDevice(deviceId);
      await world.port.createModule(deviceId, moduleId);
    }
    await world.port.createModule(deviceIds[0]!, `${prefix}-other`);

    const seen: string[] = [];
    let continuationToken: string | undefined;
    let pages = 0;
    do {
      const page = await world.port.listModuleTwins(moduleId, { pageSize: 3, ...(continuationToken === undefined ? {} : { continuationToken }) });
      seen.push(...page.twins.map((twin) => `${twin.deviceId}/${twin.moduleId}`));
      expect(page.twins.every((twin) => twin.etag !== '')).toBe(true);
      continuationToken = page.continuationToken;
      pages += 1;
    } while (continuationToken !== undefined && pages < 10);

    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(deviceIds.map((deviceId) => `${deviceId}/${moduleId}`).sort());
  });
});

describe.each(worlds)('TwinRegistry contract, device listing: %s', (_name, makeWorld) => {
  it('pages through every device once, saying which are IoT Edge devices, and counts them', async () => {
    const world = makeWorld();
    const prefix = `devlist${++worldCounter}`;
    await world.addDevice(`${prefix}-leaf`);
    await world.addDevice(`${prefix}-edge`, { isEdgeDevice: true });

    const seen = new Map<string, boolean>();
    let continuationToken: string | undefined;
    let pages = 0;
    do {
      const page = await world.port.listDevices({ pageSize: 2, ...(continuationToken === undefined ? {} : { continuationToken }) });
      for (const device of page.devices) {
        expect(seen.has(device.deviceId), device.deviceId).toBe(false);
        seen.set(device.deviceId, device.isEdgeDevice);
      }
      continuationToken = page.continuationToken;
      pages += 1;
    } while (continuationToken !== undefined && pages < 1_000);

    expect(seen.get(`${prefix}-leaf`)).toBe(false);
    expect(seen.get(`${prefix}-edge`)).toBe(true);
    expect(await world.port.countDevices()).toBe(seen.size);
  });
});

describe('IotHubTwinRegistry with Entra ID (managed identity path)', () => {
  it('authenticates with a bearer token from the token credential, for the iothubs.azure.net scope', async () => {
    const scopes: string[] = [];
    const tokenSimulator = await startIotHubSimulator({ throttle: false, acceptBearerToken: (token) => token === 'entra-token-for-smt' });
    try {
      const config = configFor(tokenSimulator, { IOTHUB_HOST_NAME: tokenSimulator.hostName });
      expect(config.iotHub.credential.kind).toBe('managedIdentity');
      const credential = {
        getToken: async (scope: string | string[]) => {
          scopes.push(...[scope].flat());
          return { token: 'entra-token-for-smt', expiresOnTimestamp: Date.now() + 3_600_000 };
        },
      };
      const viaEntra = new IotHubTwinRegistry(createRegistry(config.iotHub, credential), { retry: { budgetMs: 1_000 } });
      await connectRegistry(tokenSimulator).create({ deviceId: 'entra-1' });

      expect(await viaEntra.createModule('entra-1', 'azureiotsecurity')).toMatchObject({ kind: 'created' });
      expect(scopes).toContain('https://iothubs.azure.net/.default');

      const rejected = new IotHubTwinRegistry(
        createRegistry(config.iotHub, { getToken: async () => ({ token: 'someone-elses-token', expiresOnTimestamp: Date.now() + 3_600_000 }) }),
        { retry: { budgetMs: 1_000 } },
      );
      await expect(rejected.getDevice('entra-1')).rejects.toMatchObject({ kind: 'transient', code: 'IotHubUnauthorizedAccess', retryNow: false });
    } finally {
      await tokenSimulator.close();
    }
  });
});
