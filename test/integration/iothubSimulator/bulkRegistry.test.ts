// Bulk registry (POST /devices) with modules and twins, GET /statistics/service — through the real azure-iothub
// Registry, which sends each object it is given as an ExportImportDevice (deviceId renamed to id, importMode set,
// every other field — moduleId, tags, properties, twinETag — passed through unchanged).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Registry } from 'azure-iothub';
import { connectRegistry, startIotHubSimulator, type IotHubSimulator } from '../../local/iothubSimulator';
import { failureOf, rawCall, type SdkHttpError } from './helpers';

let simulator: IotHubSimulator;
let registry: Registry;

beforeAll(async () => {
  simulator = await startIotHubSimulator({ throttle: false });
  registry = connectRegistry(simulator);
});

afterAll(async () => {
  await simulator.close();
});

beforeEach(() => {
  simulator.resetStats();
});

// The SDK's Device typings know neither moduleId nor twins; the objects are sent as they are.
const json = { 'Content-Type': 'application/json; charset=utf-8' };
type Entry = Record<string, unknown> & { deviceId: string };
const devices = (entries: Entry[]) => entries as unknown as Parameters<Registry['addDevices']>[0];

interface BulkBody {
  isSuccessful: boolean;
  errors: Array<{ deviceId: string; moduleId?: string; errorCode: string; operation: string }>;
}

/** A bulk request with a failing entry is answered 400 with the BulkRegistryOperationResult as its body. */
function bulkFailure(error: SdkHttpError): BulkBody {
  expect(error.response?.statusCode).toBe(400);
  return JSON.parse(error.responseBody ?? 'null') as BulkBody;
}

describe('bulk registry with modules and twins', () => {
  it('creates a device and its module with tags and desired properties kept', async () => {
    const { responseBody, httpResponse } = await registry.addDevices(
      devices([
        { deviceId: 'bk-dev', tags: { site: 'plant-1' }, properties: { desired: { interval: 30 } } },
        { deviceId: 'bk-dev', moduleId: 'agent', managedBy: 'ops', tags: { role: 'security' }, properties: { desired: { level: 'strict' } } },
      ]),
    );

    expect(httpResponse.statusCode).toBe(200);
    expect(responseBody).toEqual({ isSuccessful: true, errors: [], warnings: [] });
    expect(simulator.peekModule('bk-dev', 'agent')).toMatchObject({ moduleId: 'agent', managedBy: 'ops' });
    const { responseBody: deviceTwin } = await registry.getTwin('bk-dev');
    const { responseBody: moduleTwin } = await registry.getModuleTwin('bk-dev', 'agent');
    expect(deviceTwin.tags).toEqual({ site: 'plant-1' });
    expect((deviceTwin.properties.desired as Record<string, unknown>).interval).toBe(30);
    expect(moduleTwin.tags).toEqual({ role: 'security' });
    expect((moduleTwin.properties.desired as Record<string, unknown>).level).toBe('strict');
  });

  it('deletes only the module when the entry names one, and reports missing modules per entry', async () => {
    await registry.addDevices(devices([{ deviceId: 'bk-rm' }, { deviceId: 'bk-rm', moduleId: 'm1' }]));

    const { responseBody } = await registry.removeDevices(devices([{ deviceId: 'bk-rm', moduleId: 'm1' }]), true);
    const failed = bulkFailure(await failureOf(registry.removeDevices(devices([{ deviceId: 'bk-rm', moduleId: 'm1' }, { deviceId: 'bk-nowhere' }]), true)));

    expect(responseBody.isSuccessful).toBe(true);
    expect(simulator.peekDevice('bk-rm')).toBeDefined();
    expect(simulator.peekModule('bk-rm', 'm1')).toBeUndefined();
    expect(failed).toMatchObject({
      isSuccessful: false,
      errors: [
        { deviceId: 'bk-rm', moduleId: 'm1', errorCode: 'ModuleNotFound', operation: 'delete' },
        { deviceId: 'bk-nowhere', errorCode: 'DeviceNotFound', operation: 'delete' },
      ],
    });
  });

  it('creates a module on an existing device instead of failing with DeviceAlreadyExists, and refuses a duplicate module', async () => {
    await registry.create({ deviceId: 'bk-has' });

    await registry.addDevices(devices([{ deviceId: 'bk-has', moduleId: 'agent' }]));
    const failed = bulkFailure(await failureOf(registry.addDevices(devices([{ deviceId: 'bk-has', moduleId: 'agent' }, { deviceId: 'bk-absent', moduleId: 'agent' }]))));

    expect(simulator.peekModule('bk-has', 'agent')).toBeDefined();
    expect(failed.errors.map((error) => [error.deviceId, error.errorCode])).toEqual([
      ['bk-has', 'ModuleAlreadyExistsOnDevice'],
      ['bk-absent', 'DeviceNotFound'],
    ]);
    expect(simulator.peekDevice('bk-absent')).toBeUndefined();
  });

  it('updates identities with and without ETags, leaving the others of the request applied', async () => {
    await registry.addDevices(devices([{ deviceId: 'bk-up-1' }, { deviceId: 'bk-up-2' }]));
    const { responseBody: current } = await registry.get('bk-up-1');

    const failed = bulkFailure(
      await failureOf(registry.updateDevices(devices([{ deviceId: 'bk-up-1', etag: current.etag, status: 'disabled' }, { deviceId: 'bk-up-2', etag: 'MTIz', status: 'disabled' }]), false)),
    );
    const { responseBody: forced } = await registry.updateDevices(devices([{ deviceId: 'bk-up-2', etag: 'MTIz', status: 'disabled' }]), true);

    expect(failed.errors).toMatchObject([{ deviceId: 'bk-up-2', errorCode: 'PreconditionFailed', operation: 'updateIfMatchETag' }]);
    expect(forced.isSuccessful).toBe(true);
    expect(simulator.peekDevice('bk-up-1')).toMatchObject({ status: 'disabled' });
    expect(simulator.peekDevice('bk-up-2')).toMatchObject({ status: 'disabled' });
  });

  it('replaces twins with importMode updateTwin and checks twinETag with updateTwinIfMatchETag, independently of the identity ETag', async () => {
    await registry.addDevices(devices([{ deviceId: 'bk-tw' }, { deviceId: 'bk-tw', moduleId: 'agent', tags: { old: true } }]));
    const { responseBody: twin } = await registry.getModuleTwin('bk-tw', 'agent');
    const { responseBody: identity } = await registry.getModule('bk-tw', 'agent');
    const send = (entries: Entry[]) => rawCall(registry, 'POST', '/devices?api-version=2021-04-12', json, entries.map(({ deviceId, ...rest }) => ({ id: deviceId, ...rest })));

    const stale = await failureOf(send([{ deviceId: 'bk-tw', moduleId: 'agent', importMode: 'updateTwinIfMatchETag', twinETag: identity.etag, tags: { stale: true } }]));
    const matched = await send([{ deviceId: 'bk-tw', moduleId: 'agent', importMode: 'updateTwinIfMatchETag', twinETag: twin.etag, tags: { fresh: true } }]);
    const forced = await send([{ deviceId: 'bk-tw', importMode: 'updateTwin', properties: { desired: { mode: 'forced' } } }]);

    expect(bulkFailure(stale).errors).toMatchObject([{ deviceId: 'bk-tw', moduleId: 'agent', errorCode: 'PreconditionFailed', operation: 'updateTwinIfMatchETag' }]);
    expect(matched.response.statusCode).toBe(200);
    expect(forced.response.statusCode).toBe(200);
    expect((await registry.getModuleTwin('bk-tw', 'agent')).responseBody.tags).toEqual({ fresh: true });
    expect((await registry.getTwin('bk-tw')).responseBody.properties.desired).toMatchObject({ mode: 'forced' });
    expect(simulator.peekModule('bk-tw', 'agent')).toMatchObject({ etag: identity.etag });
  });

  it('refuses unknown import modes, repeated identities and a twin the hub would refuse, per entry', async () => {
    const send = (entries: unknown[]) => failureOf(rawCall(registry, 'POST', '/devices?api-version=2021-04-12', json, entries));

    const failed = bulkFailure(
      await send([
        { id: 'bk-bad-1', importMode: 'upsert' },
        { id: 'bk-bad-2' },
        { id: 'bk-bad-2' },
        { id: 'bk-bad-3', importMode: 'create', tags: { 'bad.key': 1 } },
      ]),
    );

    expect(failed.errors.map((error) => [error.deviceId, error.errorCode])).toEqual([
      ['bk-bad-1', 'ArgumentInvalid'],
      ['bk-bad-2', 'ArgumentInvalid'],
      ['bk-bad-3', 'ArgumentInvalid'],
    ]);
    expect(simulator.peekDevice('bk-bad-2')).toBeDefined();
    expect(simulator.peekDevice('bk-bad-3')).toBeUndefined();
  });

  it('takes at most 100 entries in one request', async () => {
    const entries = Array.from({ length: 101 }, (_, index) => ({ id: `bk-many-${index}` }));

    const error = await failureOf(rawCall(registry, 'POST', '/devices?api-version=2021-04-12', json, entries));

    expect(error.response?.statusCode).toBe(400);
    expect(error.response?.headers['iothub-errorcode']).toBe('ArgumentInvalid');
    expect(simulator.peekDevice('bk-many-0')).toBeUndefined();
  });
});

describe('statistics', () => {
  it('answers registry statistics and service statistics as the hub does', async () => {
    await registry.addDevices(devices([{ deviceId: 'st-1' }, { deviceId: 'st-2', status: 'disabled' }]));

    const { responseBody: registryStatistics } = await registry.getRegistryStatistics();
    const { result, response } = await rawCall(registry, 'GET', '/statistics/service?api-version=2021-04-12', null);

    const total = simulator.listDeviceIds().length;
    expect(registryStatistics.totalDeviceCount).toBe(total);
    expect(registryStatistics.disabledDeviceCount! + registryStatistics.enabledDeviceCount!).toBe(total);
    expect(registryStatistics.disabledDeviceCount).toBeGreaterThanOrEqual(1);
    expect(response.statusCode).toBe(200);
    expect(result).toEqual({ connectedDeviceCount: 0 });
  });

  it('lists the registry through Registry.list, 1000 at most', async () => {
    const { responseBody } = await registry.list();

    expect(responseBody.map((device) => device.deviceId)).toEqual(simulator.listDeviceIds().slice(0, 1000));
  });
});
