// Device and module identities through the real azure-iothub Registry.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Registry } from 'azure-iothub';
import { connectRegistry, startIotHubSimulator, type IotHubSimulator } from '../../local/iothubSimulator';
import { expectHubError, failureOf, rawCall } from './helpers';

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

const base64Key = /^[A-Za-z0-9+/]{43}=$/;

describe('device identities', () => {
  it('creates a device with hub-generated SAS keys and returns it as the SDK expects', async () => {
    const { responseBody: device, httpResponse } = await registry.create({ deviceId: 'dev-create' });

    expect(httpResponse.statusCode).toBe(200);
    expect(device.deviceId).toBe('dev-create');
    expect(device.status).toBe('enabled');
    expect(device.connectionState).toBe('Disconnected');
    expect(device.capabilities).toEqual({ iotEdge: false });
    expect(device.generationId).toMatch(/^\d{18}$/);
    expect(Buffer.from(device.etag!, 'base64').toString()).toMatch(/^\d+$/);
    expect((device.authentication as { type?: string } | undefined)?.type).toBe('sas');
    expect(device.authentication?.symmetricKey?.primaryKey).toMatch(base64Key);
    expect(device.authentication?.symmetricKey?.secondaryKey).toMatch(base64Key);
    expect(device.authentication?.symmetricKey?.primaryKey).not.toBe(device.authentication?.symmetricKey?.secondaryKey);
    expect(simulator.peekDevice('dev-create')).toMatchObject({ deviceId: 'dev-create', etag: device.etag, generationId: device.generationId });
  });

  it('keeps keys the caller supplies and reports them on every read', async () => {
    const primaryKey = Buffer.alloc(32, 7).toString('base64');
    const secondaryKey = Buffer.alloc(32, 9).toString('base64');
    await registry.create({ deviceId: 'dev-keys', authentication: { symmetricKey: { primaryKey, secondaryKey } } });

    const { responseBody: device } = await registry.get('dev-keys');

    expect(device.authentication?.symmetricKey).toEqual({ primaryKey, secondaryKey });
  });

  it('answers a second create with 409 DeviceAlreadyExists, which the SDK raises as DeviceAlreadyExistsError', async () => {
    await registry.create({ deviceId: 'dev-dup' });

    const error = await failureOf(registry.create({ deviceId: 'dev-dup' }));

    expectHubError(error, 'DeviceAlreadyExistsError', 409, 'DeviceAlreadyExists');
  });

  it('answers reads of a missing device with 404 DeviceNotFound (DeviceNotFoundError)', async () => {
    const error = await failureOf(registry.get('dev-missing'));

    expectHubError(error, 'DeviceNotFoundError', 404, 'DeviceNotFound');
  });

  it('updates status and capabilities and issues a new identity etag', async () => {
    const { responseBody: created } = await registry.create({ deviceId: 'dev-update' });

    const { responseBody: updated } = await registry.update({ deviceId: 'dev-update', status: 'disabled', capabilities: { iotEdge: true } });

    expect(updated.status).toBe('disabled');
    expect(updated.statusUpdatedTime).not.toBe('0001-01-01T00:00:00Z');
    expect(updated.capabilities).toEqual({ iotEdge: true });
    expect(updated.etag).not.toBe(created.etag);
    expect(updated.generationId).toBe(created.generationId);
    expect(updated.authentication?.symmetricKey?.primaryKey).toBe(created.authentication?.symmetricKey?.primaryKey);
  });

  it('deletes a device together with its modules', async () => {
    await registry.create({ deviceId: 'dev-delete' });
    await registry.addModule({ deviceId: 'dev-delete', moduleId: 'agent' });

    const { httpResponse } = await registry.delete('dev-delete');

    expect(httpResponse.statusCode).toBe(204);
    expect(simulator.peekDevice('dev-delete')).toBeUndefined();
    expect(simulator.peekModule('dev-delete', 'agent')).toBeUndefined();
    expectHubError(await failureOf(registry.getModule('dev-delete', 'agent')), 'DeviceNotFoundError', 404, 'DeviceNotFound');
    expectHubError(await failureOf(registry.delete('dev-delete')), 'DeviceNotFoundError', 404, 'DeviceNotFound');
  });

  it('round-trips every special character the hub allows in device IDs (the SDK URL-encodes them)', async () => {
    const deviceId = "d-1:.+%_#*?!(),=@;$'";

    await registry.create({ deviceId });
    const { responseBody: device } = await registry.get(deviceId);

    expect(device.deviceId).toBe(deviceId);
    expect(simulator.listDeviceIds()).toContain(deviceId);
  });

  it.each(['has space', 'slash/inside', 'ümlaut', 'x'.repeat(129)])('rejects the device ID %j with 400 ArgumentInvalid', async (deviceId) => {
    const error = await failureOf(registry.create({ deviceId }));

    expectHubError(error, 'ArgumentError', 400, 'ArgumentInvalid');
    expect(simulator.peekDevice(deviceId)).toBeUndefined();
  });

  it('lists devices in creation order', async () => {
    const { responseBody: devices } = await registry.list();
    const ids = devices.map((device) => device.deviceId);

    expect(ids).toEqual(simulator.listDeviceIds());
    expect(ids.indexOf('dev-create')).toBeLessThan(ids.indexOf('dev-keys'));
  });

  it('creates IoT Edge devices with the $edgeAgent and $edgeHub module identities', async () => {
    await registry.create({ deviceId: 'edge-1', capabilities: { iotEdge: true } });

    const { responseBody: modules } = await registry.getModulesOnDevice('edge-1');

    expect(modules.map((module) => module.moduleId)).toEqual(['$edgeAgent', '$edgeHub']);
    expect(simulator.peekDevice('edge-1')?.deviceScope).toMatch(/^ms-azure-iot-edge:\/\/edge-1-\d{18}$/);
  });

  it('answers registry statistics', async () => {
    const { responseBody: statistics } = await registry.getRegistryStatistics();

    expect(statistics).toEqual({ totalDeviceCount: simulator.deviceCount(), enabledDeviceCount: expect.any(Number), disabledDeviceCount: expect.any(Number) });
    expect((statistics as { disabledDeviceCount: number }).disabledDeviceCount).toBeGreaterThanOrEqual(1);
  });
});

describe('device identity REST rules the SDK never exercises', () => {
  const json = { 'Content-Type': 'application/json; charset=utf-8' };
  const path = (deviceId: string): string => `/devices/${encodeURIComponent(deviceId)}?api-version=2021-04-12`;

  it('updates and deletes a device only with a matching If-Match (or *)', async () => {
    const { responseBody: device } = await registry.create({ deviceId: 'dev-guarded' });

    const staleUpdate = await failureOf(rawCall(registry, 'PUT', path('dev-guarded'), { ...json, 'If-Match': '"MTIz"' }, { deviceId: 'dev-guarded', status: 'disabled' }));
    const staleDelete = await failureOf(rawCall(registry, 'DELETE', path('dev-guarded'), { 'If-Match': '"MTIz"' }));
    const { result: updated } = await rawCall(registry, 'PUT', path('dev-guarded'), { ...json, 'If-Match': `"${device.etag}"` }, { deviceId: 'dev-guarded', status: 'disabled' });
    const { response: deleted } = await rawCall(registry, 'DELETE', path('dev-guarded'), { 'If-Match': `"${(updated as { etag: string }).etag}"` });

    expectHubError(staleUpdate, 'InvalidEtagError', 412, 'PreconditionFailed');
    expectHubError(staleDelete, 'InvalidEtagError', 412, 'PreconditionFailed');
    expect(updated).toMatchObject({ deviceId: 'dev-guarded', status: 'disabled' });
    expect(deleted.statusCode).toBe(204);
  });

  it('refuses a body whose deviceId differs from the URL', async () => {
    const error = await failureOf(rawCall(registry, 'PUT', path('dev-url'), json, { deviceId: 'dev-body' }));

    expectHubError(error, 'ArgumentError', 400, 'ArgumentInvalid');
    expect(simulator.peekDevice('dev-url')).toBeUndefined();
    expect(simulator.peekDevice('dev-body')).toBeUndefined();
  });

  it('lists at most `top` devices; a `top` outside 1..1000 means 1000, not an error', async () => {
    for (const top of ['0', '5000', '-3', '2.5']) {
      const { result, response } = await rawCall(registry, 'GET', `/devices?api-version=2021-04-12&top=${top}`, null);
      expect(response.statusCode).toBe(200);
      expect((result as Array<{ deviceId: string }>).map((device) => device.deviceId)).toEqual(simulator.listDeviceIds().slice(0, 1000));
    }
    expectHubError(await failureOf(rawCall(registry, 'GET', '/devices?api-version=2021-04-12&top=many', null)), 'ArgumentError', 400, 'ArgumentInvalid');
  });

  it('lists at most `top` devices', async () => {
    const { result } = await rawCall(registry, 'GET', '/devices?api-version=2021-04-12&top=2', null);

    expect((result as Array<{ deviceId: string }>).map((device) => device.deviceId)).toEqual(simulator.listDeviceIds().slice(0, 2));
  });

  it('answers routes it does not implement with 501, loudly', async () => {
    // Digital twins (/digitaltwins/…) are not part of the simulated surface.
    const error = await failureOf(rawCall(registry, 'GET', '/digitaltwins/d1?api-version=2021-04-12', null));

    expectHubError(error, 'Error', 501, 'NotImplementedBySimulator');
  });

  it('authenticates before it complains about a malformed path', async () => {
    const malformed = '/devices/%E0%A4%A?api-version=2021-04-12';
    const intruder = connectRegistry({ ...simulator.info, connectionString: simulator.connectionString.replace(/SharedAccessKey=.*$/, `SharedAccessKey=${Buffer.alloc(32).toString('base64')}`) });

    const unauthenticated = await failureOf(rawCall(intruder, 'GET', malformed, null));
    const authenticated = await failureOf(rawCall(registry, 'GET', malformed, null));

    expectHubError(unauthenticated, 'UnauthorizedError', 401, 'IotHubUnauthorizedAccess');
    expectHubError(authenticated, 'ArgumentError', 400, 'ArgumentInvalid');
  });
});

describe('bulk registry operations (POST /devices)', () => {
  it('creates devices in bulk and reports per-device failures without failing the others', async () => {
    await registry.create({ deviceId: 'bulk-existing' });

    const { responseBody: first } = await registry.addDevices([{ deviceId: 'bulk-1' }, { deviceId: 'bulk-2' }]);
    const failure = await failureOf(registry.addDevices([{ deviceId: 'bulk-3' }, { deviceId: 'bulk-existing' }]));
    const second: unknown = JSON.parse(failure.responseBody ?? 'null');

    expect(first).toEqual({ isSuccessful: true, errors: [], warnings: [] });
    expect(failure.response?.statusCode).toBe(400);
    expect(second).toMatchObject({ isSuccessful: false, errors: [{ deviceId: 'bulk-existing', errorCode: 'DeviceAlreadyExists' }] });
    expect(simulator.peekDevice('bulk-3')).toBeDefined();
    expect(simulator.stats().byDevice['bulk-3']).toEqual({ bulkDevices: 1 });
  });

  it('removes devices in bulk, honouring etags unless forced', async () => {
    await registry.addDevices([{ deviceId: 'bulk-rm-1' }, { deviceId: 'bulk-rm-2' }]);
    const stale = { deviceId: 'bulk-rm-1', etag: 'MTIz' };

    const guarded: unknown = JSON.parse((await failureOf(registry.removeDevices([stale], false))).responseBody ?? 'null');
    const { responseBody: forced } = await registry.removeDevices([stale, { deviceId: 'bulk-rm-2' }], true);

    expect(guarded).toMatchObject({ isSuccessful: false, errors: [{ deviceId: 'bulk-rm-1', errorCode: 'PreconditionFailed' }] });
    expect(forced).toMatchObject({ isSuccessful: true });
    expect(simulator.peekDevice('bulk-rm-1')).toBeUndefined();
    expect(simulator.peekDevice('bulk-rm-2')).toBeUndefined();
  });
});

describe('module identities', () => {
  beforeAll(async () => {
    await registry.create({ deviceId: 'mod-host' });
  });

  it('creates a module with generated keys', async () => {
    const { responseBody: module, httpResponse } = await registry.addModule({ deviceId: 'mod-host', moduleId: 'azureiotsecurity' });

    expect(httpResponse.statusCode).toBe(200);
    expect(module).toMatchObject({ deviceId: 'mod-host', moduleId: 'azureiotsecurity', managedBy: null, connectionState: 'Disconnected' });
    expect(module.authentication.symmetricKey.primaryKey).toMatch(base64Key);
    expect(simulator.peekModule('mod-host', 'azureiotsecurity')).toEqual(module);
  });

  it('answers a second create with 409 ModuleAlreadyExistsOnDevice (DeviceAlreadyExistsError in the SDK)', async () => {
    await registry.addModule({ deviceId: 'mod-host', moduleId: 'twice' });

    const error = await failureOf(registry.addModule({ deviceId: 'mod-host', moduleId: 'twice' }));

    expectHubError(error, 'DeviceAlreadyExistsError', 409, 'ModuleAlreadyExistsOnDevice');
  });

  it('answers 404 DeviceNotFound when the device is missing', async () => {
    const error = await failureOf(registry.addModule({ deviceId: 'no-such-device', moduleId: 'agent' }));

    expectHubError(error, 'DeviceNotFoundError', 404, 'DeviceNotFound');
    expect(simulator.peekDevice('no-such-device')).toBeUndefined();
  });

  it("answers 404 ModuleNotFound for a missing module, which the SDK surfaces as a plain Error('Not found')", async () => {
    const error = await failureOf(registry.getModule('mod-host', 'no-such-module'));

    expectHubError(error, 'Error', 404, 'ModuleNotFound');
    expect(error.message).toBe('Not found');
  });

  it('updates a module only with a matching etag, unless forced', async () => {
    const { responseBody: created } = await registry.addModule({ deviceId: 'mod-host', moduleId: 'etagged' });
    const { responseBody: updated } = await registry.updateModule({ ...created, managedBy: 'smt' });

    const stale = await failureOf(registry.updateModule({ ...created, managedBy: 'stale' }));
    const { responseBody: forced } = await registry.updateModule({ ...created, managedBy: 'forced' }, true);

    expect(updated.managedBy).toBe('smt');
    expect(updated.etag).not.toBe(created.etag);
    expectHubError(stale, 'InvalidEtagError', 412, 'PreconditionFailed');
    expect(forced.managedBy).toBe('forced');
  });

  it('deletes a module with a matching etag or unconditionally, and 412s a stale etag', async () => {
    const { responseBody: first } = await registry.addModule({ deviceId: 'mod-host', moduleId: 'doomed' });
    await registry.updateModule(first, true);

    // azure-iothub 1.16.6 quirk: the promise form of removeModule(module) drops its callback and throws a
    // ReferenceError before sending anything, so the etag-guarded delete has to use the callback form.
    const stale = await failureOf(
      new Promise<void>((resolve, reject) => registry.removeModule(first, (error?: Error) => (error ? reject(error) : resolve()))),
    );
    await registry.removeModule('mod-host', 'doomed');

    expectHubError(stale, 'InvalidEtagError', 412, 'PreconditionFailed');
    expect(simulator.peekModule('mod-host', 'doomed')).toBeUndefined();
  });

  it('lists the modules of a device', async () => {
    const { responseBody: modules } = await registry.getModulesOnDevice('mod-host');

    expect(modules.map((module) => module.moduleId)).toEqual(['azureiotsecurity', 'twice', 'etagged']);
  });

  it.each(['$custom', 'semi;colon', 'colon:inside'])('refuses the module ID %j with 400 ArgumentInvalid', async (moduleId) => {
    const error = await failureOf(registry.addModule({ deviceId: 'mod-host', moduleId }));

    expectHubError(error, 'ArgumentError', 400, 'ArgumentInvalid');
  });

  it('allows at most 50 modules on a device (413 TooManyModulesOnDevice)', async () => {
    await registry.create({ deviceId: 'crowded' });
    simulator.seedModules('m-0', { deviceIds: ['crowded'] });
    for (let index = 1; index < 50; index++) simulator.seedModules(`m-${index}`, { deviceIds: ['crowded'] });

    const error = await failureOf(registry.addModule({ deviceId: 'crowded', moduleId: 'one-too-many' }));

    expectHubError(error, 'Error', 413, 'TooManyModulesOnDevice');
  });
});

describe('stats', () => {
  it('counts answered requests per operation and per device, and not the inspection API', async () => {
    await registry.create({ deviceId: 'd7' });
    await registry.addModule({ deviceId: 'd7', moduleId: 'agent' });
    const { responseBody: twin } = await registry.getModuleTwin('d7', 'agent');
    await registry.updateModuleTwin('d7', 'agent', { properties: { desired: { x: 1 } } }, twin.etag);
    await failureOf(registry.addModule({ deviceId: 'd7', moduleId: 'agent' }));
    simulator.peekModuleTwin('d7', 'agent');
    simulator.peekDevice('d7');

    const stats = simulator.stats();

    expect(stats.byDevice.d7).toEqual({ createDevice: 1, createOrUpdateModule: 2, getModuleTwin: 1, updateModuleTwin: 1 });
    expect(stats.answered).toEqual({ createDevice: 1, createOrUpdateModule: 2, getModuleTwin: 1, updateModuleTwin: 1 });
    expect(stats.succeeded).toEqual({ createDevice: 1, createOrUpdateModule: 1, getModuleTwin: 1, updateModuleTwin: 1 });
    expect(stats.rejected).toEqual({ auth: {}, throttle: {}, fault: {}, dropped: {} });
  });
});
