// Module and device twins through the real azure-iothub Registry: ETags, versions, merge-patch, limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Registry } from 'azure-iothub';
import { connectRegistry, startIotHubSimulator, type IotHubSimulator, type JsonObject } from '../../local/iothubSimulator';
import { expectHubError, failureOf, rawCall } from './helpers';

let simulator: IotHubSimulator;
let registry: Registry;
let moduleCounter = 0;

beforeAll(async () => {
  simulator = await startIotHubSimulator({ throttle: false });
  registry = connectRegistry(simulator);
  await registry.create({ deviceId: 'twin-host' });
});

afterAll(async () => {
  await simulator.close();
});

/** A fresh module on twin-host, so each test starts from a version-2 twin. */
async function freshModule(): Promise<string> {
  moduleCounter += 1;
  const moduleId = `m${moduleCounter}`;
  await registry.addModule({ deviceId: 'twin-host', moduleId });
  return moduleId;
}

function etagOf(version: number): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(BigInt(version));
  return bytes.toString('base64');
}

const twinPath = (moduleId: string): string => `/twins/twin-host/modules/${moduleId}?api-version=2021-04-12`;
const json = { 'Content-Type': 'application/json; charset=utf-8' };

describe('reading twins', () => {
  it('returns a fresh module twin as the service does: version 2, etag AAAAAAAAAAE=, sections at $version 1', async () => {
    const moduleId = await freshModule();

    const { responseBody: twin, httpResponse } = await registry.getModuleTwin('twin-host', moduleId);

    expect(httpResponse.headers.etag).toBe('"AAAAAAAAAAE="');
    const document = simulator.peekModuleTwin('twin-host', moduleId)!;
    expect(document).toMatchObject({
      deviceId: 'twin-host',
      moduleId,
      etag: 'AAAAAAAAAAE=',
      status: 'enabled',
      connectionState: 'Disconnected',
      authenticationType: 'sas',
      version: 2,
      properties: {
        desired: { $metadata: { $lastUpdated: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/) }, $version: 1 },
        reported: { $metadata: { $lastUpdated: expect.any(String) }, $version: 1 },
      },
    });
    expect(document).not.toHaveProperty('capabilities');
    expect(document).not.toHaveProperty('tags');
    expect(twin.etag).toBe('AAAAAAAAAAE=');
    expect(twin.deviceId).toBe('twin-host');
  });

  it('returns device twins with capabilities', async () => {
    const { responseBody: twin } = await registry.getTwin('twin-host');

    expect(twin).toMatchObject({ deviceId: 'twin-host', etag: 'AAAAAAAAAAE=', capabilities: { iotEdge: false }, version: 2 });
    expect(twin).not.toHaveProperty('moduleId');
  });

  it('answers 404 DeviceNotFound / ModuleNotFound for missing twins', async () => {
    expectHubError(await failureOf(registry.getTwin('nobody')), 'DeviceNotFoundError', 404, 'DeviceNotFound');
    expectHubError(await failureOf(registry.getModuleTwin('nobody', 'agent')), 'DeviceNotFoundError', 404, 'DeviceNotFound');
    const missingModule = await failureOf(registry.getModuleTwin('twin-host', 'nothing-here'));
    expectHubError(missingModule, 'Error', 404, 'ModuleNotFound');
    expect(missingModule.message).toBe('Not found');
  });
});

describe('PATCH (merge-patch on tags and desired)', () => {
  it('merges objects, removes nulls, and bumps version, etag and desired.$version with per-leaf $metadata', async () => {
    const moduleId = await freshModule();
    await registry.updateModuleTwin('twin-host', moduleId, { properties: { desired: { config: { a: 1, b: { c: 'x' } }, gone: true } } }, '*');

    const { responseBody: twin, httpResponse } = await registry.updateModuleTwin(
      'twin-host',
      moduleId,
      { properties: { desired: { config: { b: { d: 'y' }, a: null }, gone: null } } },
      etagOf(2),
    );

    expect(httpResponse.statusCode).toBe(200);
    expect(twin.etag).toBe(etagOf(3));
    const desired = simulator.peekModuleTwin('twin-host', moduleId)!.properties as { desired: JsonObject };
    expect(simulator.peekModuleTwin('twin-host', moduleId)!.version).toBe(4);
    expect(desired.desired).toMatchObject({ config: { b: { c: 'x', d: 'y' } }, $version: 3 });
    expect(desired.desired).not.toHaveProperty('gone');
    expect(desired.desired.$metadata).toMatchObject({
      $lastUpdatedVersion: 3,
      config: { $lastUpdatedVersion: 3, b: { $lastUpdatedVersion: 3, c: { $lastUpdatedVersion: 2 }, d: { $lastUpdatedVersion: 3 } } },
    });
    expect(desired.desired.$metadata).not.toHaveProperty('gone');
    expect((desired.desired.$metadata as JsonObject).config).not.toHaveProperty('a');
  });

  it('merges tags without touching desired.$version', async () => {
    const moduleId = await freshModule();

    await registry.updateModuleTwin('twin-host', moduleId, { tags: { site: { building: '43' }, temporary: 'x' } }, '*');
    const { responseBody: twin } = await registry.updateModuleTwin('twin-host', moduleId, { tags: { site: { floor: 2 }, temporary: null } }, '*');

    expect(twin.tags).toEqual({ site: { building: '43', floor: 2 } });
    expect(twin.properties.desired.$version).toBe(1);
    expect(twin.etag).toBe(etagOf(3));
  });

  it('refuses a stale If-Match with 412 PreconditionFailed (InvalidEtagError) and changes nothing', async () => {
    const moduleId = await freshModule();
    await registry.updateModuleTwin('twin-host', moduleId, { properties: { desired: { v: 1 } } }, '*');
    const before = simulator.peekModuleTwin('twin-host', moduleId);

    const error = await failureOf(registry.updateModuleTwin('twin-host', moduleId, { properties: { desired: { v: 2 } } }, 'AAAAAAAAAAE='));

    expectHubError(error, 'InvalidEtagError', 412, 'PreconditionFailed');
    expect(simulator.peekModuleTwin('twin-host', moduleId)).toEqual(before);
  });

  it('accepts If-Match quoted, bare, weak, or * (forced)', async () => {
    const moduleId = await freshModule();

    await rawCall(registry, 'PATCH', twinPath(moduleId), { ...json, 'If-Match': 'AAAAAAAAAAE=' }, { tags: { n: 1 } });
    await rawCall(registry, 'PATCH', twinPath(moduleId), { ...json, 'If-Match': '"AAAAAAAAAAI="' }, { tags: { n: 2 } });
    await rawCall(registry, 'PATCH', twinPath(moduleId), { ...json, 'If-Match': 'W/"AAAAAAAAAAM="' }, { tags: { n: 3 } });
    await rawCall(registry, 'PATCH', twinPath(moduleId), { ...json, 'If-Match': '*' }, { tags: { n: 4 } });

    expect(simulator.peekModuleTwin('twin-host', moduleId)).toMatchObject({ etag: etagOf(5), version: 6, tags: { n: 4 } });
  });

  it('rejects reported properties from the service with 400 ArgumentInvalid', async () => {
    const moduleId = await freshModule();

    const error = await failureOf(registry.updateModuleTwin('twin-host', moduleId, { properties: { reported: { x: 1 } } }, '*'));

    expectHubError(error, 'ArgumentError', 400, 'ArgumentInvalid');
    expect(simulator.peekModuleTwin('twin-host', moduleId)?.version).toBe(2);
  });

  it('patches device twins the same way', async () => {
    const { responseBody: before } = await registry.getTwin('twin-host');

    const { responseBody: after } = await registry.updateTwin('twin-host', { tags: { owner: 'smt' }, properties: { desired: { interval: 30 } } }, before.etag);

    expect(after.tags).toEqual({ owner: 'smt' });
    expect(after.properties.desired).toMatchObject({ interval: 30, $version: 2 });
    expect(after.etag).toBe(etagOf(2));
  });
});

describe('PUT (replace tags and desired)', () => {
  it('replaces both sections wholesale and accepts a twin document read back from GET', async () => {
    const moduleId = await freshModule();
    await registry.updateModuleTwin('twin-host', moduleId, { tags: { old: 1 }, properties: { desired: { old: 1, keep: 1 } } }, '*');
    const current = simulator.peekModuleTwin('twin-host', moduleId)!;
    const desired: JsonObject = { ...((current.properties as JsonObject).desired as JsonObject), keep: 2, fresh: { deep: true } };
    delete desired.old;

    const { result, response } = await rawCall(
      registry,
      'PUT',
      twinPath(moduleId),
      { ...json, 'If-Match': `"${String(current.etag)}"` },
      { ...current, tags: { fresh: 'tag' }, properties: { ...(current.properties as JsonObject), desired } },
    );

    expect(response.statusCode).toBe(200);
    expect(result).toMatchObject({ etag: etagOf(3), version: 4, tags: { fresh: 'tag' }, properties: { desired: { keep: 2, fresh: { deep: true }, $version: 3 } } });
    expect((result as { properties: { desired: JsonObject } }).properties.desired).not.toHaveProperty('old');
  });

  it('refuses a stale If-Match with 412', async () => {
    const moduleId = await freshModule();
    await registry.updateModuleTwin('twin-host', moduleId, { tags: { a: 1 } }, '*');

    const error = await failureOf(rawCall(registry, 'PUT', twinPath(moduleId), { ...json, 'If-Match': '"AAAAAAAAAAE="' }, { tags: {} }));

    expectHubError(error, 'InvalidEtagError', 412, 'PreconditionFailed');
  });
});

describe('reported properties (the agent side)', () => {
  it('merges reported properties, bumps version and reported.$version, and leaves the etag alone', async () => {
    const moduleId = await freshModule();
    const { responseBody: before } = await registry.getModuleTwin('twin-host', moduleId);

    simulator.reportProperties('twin-host', moduleId, { status: { state: 'ok', detail: 'x' } });
    const twin = simulator.reportProperties('twin-host', moduleId, { status: { detail: null } });

    expect(twin).toMatchObject({ etag: before.etag, version: 4, properties: { reported: { status: { state: 'ok' }, $version: 3 } } });
    const reportedMetadata = ((twin.properties as JsonObject).reported as JsonObject).$metadata as JsonObject;
    expect(reportedMetadata).not.toHaveProperty('$lastUpdatedVersion');
    expect(reportedMetadata.status).toEqual({ $lastUpdated: expect.any(String), state: { $lastUpdated: expect.any(String) } });
    // An agent reporting does not invalidate the etag the back end holds for its next desired patch.
    const { responseBody: patched } = await registry.updateModuleTwin('twin-host', moduleId, { properties: { desired: { x: 1 } } }, before.etag);
    expect(patched.properties.desired.x).toBe(1);
  });

  it('seeds module twins without leaving a module behind when the content breaks the rules', () => {
    simulator.seedDevices(1, { idPrefix: 'seeded-' });

    expect(() => simulator.seedModules('bad-content', { deviceIds: ['seeded-0'], desired: { 'no.dots': 1 } })).toThrow(/ArgumentInvalid/);
    expect(simulator.seedModules('good-content', { deviceIds: ['seeded-0'], tags: { a: 1 }, desired: { b: 2 }, reported: { c: 3 } })).toBe(1);

    expect(simulator.peekModule('seeded-0', 'bad-content')).toBeUndefined();
    expect(simulator.peekModuleTwin('seeded-0', 'good-content')).toMatchObject({ tags: { a: 1 }, properties: { desired: { b: 2 }, reported: { c: 3 } } });
  });

  it('reports on device twins and enforces the same limits', () => {
    simulator.reportProperties('twin-host', undefined, { firmware: '1.2.3' });

    expect(simulator.peekTwin('twin-host')).toMatchObject({ properties: { reported: { firmware: '1.2.3' } } });
    expect(() => simulator.reportProperties('twin-host', undefined, { 'bad.key': 1 })).toThrow(/ArgumentInvalid/);
    expect(() => simulator.reportProperties('twin-host', 'ghost', { a: 1 })).toThrow(/ModuleNotFound/);
  });
});

describe('twin document limits', () => {
  function nested(depth: number): JsonObject {
    let value: JsonObject = { property: 'value' };
    for (let level = depth; level > 1; level--) value = { [`l${level}`]: value };
    return { l1: value };
  }

  // Each key, value, depth and size rule case by case, against the product's rules too: twinKeyCases.test.ts.
  // Here: limits that depend on the twin a patch lands on.

  it('accepts depth 10, arrays, and exactly 32 KB of desired properties', async () => {
    const moduleId = await freshModule();
    // 8 × (2-character key + 4,094-character value) = 32,768 by the documented size rule.
    const full: JsonObject = {};
    for (let index = 0; index < 8; index++) full[`a${index}`] = 'x'.repeat(4094);

    await registry.updateModuleTwin('twin-host', moduleId, { properties: { desired: full } }, '*');
    await registry.updateModuleTwin('twin-host', moduleId, { tags: { deep: nested(9), list: [1, 'two', { three: 3 }] } }, '*');
    const overflow = await failureOf(registry.updateModuleTwin('twin-host', moduleId, { properties: { desired: { b: true } } }, '*'));

    expectHubError(overflow, 'ArgumentError', 400, 'ArgumentInvalid');
    expect(overflow.message).toMatch(/32773 bytes exceeds the limit of 32768/);
    expect(simulator.peekModuleTwin('twin-host', moduleId)).toMatchObject({ version: 4, tags: { list: [1, 'two', { three: 3 }] } });
  });

  it('limits tags to 8 KB, counting the patched result', async () => {
    const moduleId = await freshModule();
    await registry.updateModuleTwin('twin-host', moduleId, { tags: { t0: 'x'.repeat(4094), t1: 'x'.repeat(4094) } }, '*');

    const error = await failureOf(registry.updateModuleTwin('twin-host', moduleId, { tags: { t2: 1 } }, '*'));
    await registry.updateModuleTwin('twin-host', moduleId, { tags: { t1: null, t2: 1 } }, '*');

    expectHubError(error, 'ArgumentError', 400, 'ArgumentInvalid');
    expect(simulator.peekModuleTwin('twin-host', moduleId)?.tags).toEqual({ t0: 'x'.repeat(4094), t2: 1 });
  });

  it('answers a body that is not JSON with 400 IotHubFormatError and a missing body with 400 ArgumentNull', async () => {
    const moduleId = await freshModule();

    const notJson = await failureOf(rawCall(registry, 'PATCH', twinPath(moduleId), { ...json, 'If-Match': '*' }, '{"tags":'));
    const wrongShape = await failureOf(rawCall(registry, 'PATCH', twinPath(moduleId), { ...json, 'If-Match': '*' }, { tags: 'not an object' }));
    const missing = await failureOf(rawCall(registry, 'PATCH', twinPath(moduleId), { ...json, 'If-Match': '*' }));

    expectHubError(notJson, 'ArgumentError', 400, 'IotHubFormatError');
    expectHubError(wrongShape, 'ArgumentError', 400, 'IotHubFormatError');
    expectHubError(missing, 'ArgumentError', 400, 'ArgumentNull');
  });
});
