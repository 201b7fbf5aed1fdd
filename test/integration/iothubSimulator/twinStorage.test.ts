// Twin storage is shared and compact (jsonInterner.ts, twinMetadata.ts) but must be invisible: callers get
// private mutable documents, equal twins never influence each other, and $metadata is exactly what a
// metadata node per property (the naive model below, the documented rules) would give.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Registry } from 'azure-iothub';
import { connectRegistry, startIotHubSimulator, type IotHubSimulator, type JsonObject, type JsonValue, type TwinChangeNotification } from '../../local/iothubSimulator';
import { JsonInterner } from '../../local/iothubSimulator/jsonInterner';
import { seededRandom } from '../../local/seededRandom';
import { rawCall } from './helpers';

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function anyFrozen(value: JsonValue): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.isFrozen(value) || Object.values(value).some(anyFrozen);
}

describe('JsonInterner', () => {
  it('returns one frozen object for equal content, sharing equal parts between different documents', () => {
    const interner = new JsonInterner();

    const first = interner.intern({ config: { low: { value: 'Low' }, high: { value: 'High' } }, list: [1, { two: 2 }] });
    const second = interner.intern({ config: { low: { value: 'Low' }, high: { value: 'High' } }, list: [1, { two: 2 }] });
    const other = interner.intern({ other: { value: 'Low' } });

    expect(second).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.config) && Object.isFrozen(first.list)).toBe(true);
    expect(other.other).toBe((first.config as JsonObject).low);
  });

  it('treats key order as part of the content', () => {
    const interner = new JsonInterner();

    const ab = interner.intern({ a: 1, b: 2 });
    const ba = interner.intern({ b: 2, a: 1 });

    expect(ba).not.toBe(ab);
    expect(Object.keys(ba)).toEqual(['b', 'a']);
  });

  it('stays within its bounds, and content interned after eviction is still equal', () => {
    const interner = new JsonInterner({ maxNodes: 16, maxBytes: 4096 });
    const documents = Array.from({ length: 1000 }, (_, index) => ({ id: `device-${index}`, nested: { index, tag: 'x'.repeat(index % 50) } }));

    for (const document of documents) {
      interner.intern(structuredClone(document));
      expect(interner.size.nodes).toBeLessThanOrEqual(16);
      expect(interner.size.bytes).toBeLessThanOrEqual(4096);
    }

    expect(interner.intern(structuredClone(documents[0]!))).toEqual(documents[0]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Through the simulator

const CLOCK_START = Date.UTC(2026, 10, 27, 9, 30, 0, 0);
let now = CLOCK_START;
let simulator: IotHubSimulator;
let registry: Registry;
const notifications: TwinChangeNotification[] = [];

beforeAll(async () => {
  simulator = await startIotHubSimulator({ throttle: false, clock: { now: () => now } });
  registry = connectRegistry(simulator);
  simulator.onTwinChanged((notification) => notifications.push(notification));
});

afterAll(async () => {
  await simulator.close();
});

describe('shared twin content', () => {
  it('never freezes or keeps what a caller passed in, and hands out private mutable documents', async () => {
    const desired: JsonObject = { config: { interval: { value: 'PT1H' } }, list: [1, 2] };
    const tags: JsonObject = { baseline: { name: 'default' } };
    simulator.seedDevices(3, { idPrefix: 'shared-' });

    simulator.seedModules('agent', { deviceIds: ['shared-0', 'shared-1', 'shared-2'], desired, tags });
    (desired.config as JsonObject).interval = { value: 'changed by the caller' };
    const peeked = simulator.peekModuleTwin('shared-0', 'agent')!;
    ((peeked.properties as JsonObject).desired as JsonObject).config = 'changed by a reader';
    (peeked.tags as JsonObject).baseline = null;
    const { responseBody: fetched } = await registry.getModuleTwin('shared-1', 'agent');
    const { result: queried } = await registry.createQuery("SELECT tags, properties.desired.config AS config FROM devices.modules WHERE deviceId = 'shared-2'").next();

    expect(anyFrozen(desired) || anyFrozen(tags) || anyFrozen(peeked)).toBe(false);
    expect(anyFrozen(simulator.reportProperties('shared-2', 'agent', { seen: true }))).toBe(false);
    for (const deviceId of ['shared-0', 'shared-1', 'shared-2']) {
      expect(simulator.peekModuleTwin(deviceId, 'agent')).toMatchObject({
        tags: { baseline: { name: 'default' } },
        properties: { desired: { config: { interval: { value: 'PT1H' } }, list: [1, 2] } },
      });
    }
    expect(fetched.properties.desired.config).toEqual({ interval: { value: 'PT1H' } });
    expect(queried).toEqual([{ tags: { baseline: { name: 'default' } }, config: { interval: { value: 'PT1H' } } }]);
  });

  it('keeps writes to one of several equal twins out of the others', async () => {
    simulator.seedDevices(2, { idPrefix: 'twin-pair-' });
    simulator.seedModules('agent', { deviceIds: ['twin-pair-0', 'twin-pair-1'], desired: { a: { b: 1, c: 2 } }, tags: { t: 1 } });
    const untouched = simulator.peekModuleTwin('twin-pair-1', 'agent');

    await registry.updateModuleTwin('twin-pair-0', 'agent', { tags: { t: 2 }, properties: { desired: { a: { b: null, d: 3 } } } }, '*');
    simulator.reportProperties('twin-pair-0', 'agent', { a: { b: 1 } });

    expect(simulator.peekModuleTwin('twin-pair-0', 'agent')).toMatchObject({ tags: { t: 2 }, properties: { desired: { a: { c: 2, d: 3 } }, reported: { a: { b: 1 } } } });
    expect(simulator.peekModuleTwin('twin-pair-1', 'agent')).toEqual(untouched);
  });
});

// ---------------------------------------------------------------------------------------------------------
// $metadata against a naive model: one node per property, merged in place (the documented rules).

interface ModelMeta {
  at: number;
  version: number | undefined;
  children: Map<string, ModelMeta>;
}

interface ModelSection {
  value: JsonObject;
  meta: ModelMeta;
  version: number;
}

function modelMetaFor(value: JsonValue, at: number, version: number | undefined): ModelMeta {
  const node: ModelMeta = { at, version, children: new Map() };
  if (isObject(value)) for (const [key, child] of Object.entries(value)) node.children.set(key, modelMetaFor(child, at, version));
  return node;
}

function modelMerge(target: JsonObject, patch: JsonObject, meta: ModelMeta, at: number, version: number | undefined): void {
  meta.at = at;
  meta.version = version;
  for (const [key, change] of Object.entries(patch)) {
    if (change === null) {
      delete target[key];
      meta.children.delete(key);
    } else if (isObject(change)) {
      const existing = target[key];
      const child = isObject(existing) ? existing : {};
      target[key] = child;
      let childMeta = isObject(existing) ? meta.children.get(key) : undefined;
      if (childMeta === undefined) meta.children.set(key, (childMeta = { at, version, children: new Map() }));
      modelMerge(child, change, childMeta, at, version);
    } else {
      target[key] = structuredClone(change);
      meta.children.set(key, modelMetaFor(change, at, version));
    }
  }
}

function modelStamp(meta: ModelMeta, versioned: boolean): JsonObject {
  const json: JsonObject = { $lastUpdated: new Date(meta.at).toISOString().replace('Z', '0000Z') };
  if (versioned && meta.version !== undefined) json.$lastUpdatedVersion = meta.version;
  return json;
}

function modelMetadata(meta: ModelMeta, versioned: boolean): JsonObject {
  const json = modelStamp(meta, versioned);
  for (const [key, child] of meta.children) json[key] = modelMetadata(child, versioned);
  return json;
}

function modelPatchMetadata(meta: ModelMeta, patch: JsonObject, versioned: boolean): JsonObject {
  const json = modelStamp(meta, versioned);
  for (const [key, change] of Object.entries(patch)) {
    const child = meta.children.get(key);
    if (change === null || child === undefined) continue;
    json[key] = isObject(change) ? modelPatchMetadata(child, change, versioned) : modelMetadata(child, versioned);
  }
  return json;
}

function modelDocument(section: ModelSection, versioned: boolean): string {
  return JSON.stringify({ ...section.value, $metadata: modelMetadata(section.meta, versioned), $version: section.version });
}

describe('$metadata', () => {
  it('matches a metadata node per property through random patches, replacements and reports', async () => {
    const random = seededRandom(20261127);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    // Digit keys sort first in JSON objects; 'constructor'/'toString' must not hit prototype members.
    const keys = ['a', 'b', 'c', 'value', '1', '10', '02', 'constructor', 'toString'];
    const leaves: JsonValue[] = [1, 0, 2.5, 'x', 'Low', '', true, false, [1, 'two', { three: 3 }], []];
    const generate = (depth: number, removals: boolean): JsonObject => {
      const object: JsonObject = {};
      const count = Math.floor(random() * 4);
      for (let index = 0; index < count; index++) {
        const roll = random();
        object[pick(keys)] = removals && roll < 0.2 ? null : depth > 0 && roll < 0.55 ? generate(depth - 1, removals) : structuredClone(pick(leaves));
      }
      return object;
    };

    simulator.seedDevices(1, { idPrefix: 'model-' });
    simulator.seedModules('agent', { deviceIds: ['model-0'] });
    const created = simulator.peekModuleTwin('model-0', 'agent')!;
    const createdAt = Date.parse(((((created.properties as JsonObject).desired as JsonObject).$metadata as JsonObject).$lastUpdated as string).replace('0000Z', 'Z'));
    const desired: ModelSection = { value: {}, meta: { at: createdAt, version: undefined, children: new Map() }, version: 1 };
    const reported: ModelSection = { value: {}, meta: { at: createdAt, version: undefined, children: new Map() }, version: 1 };
    const path = '/twins/model-0/modules/agent?api-version=2021-04-12';

    for (let step = 0; step < 150; step++) {
      now += pick([0, 0, 1, 7, 60_000]);
      const roll = random();
      notifications.length = 0;
      let expectedNotification: JsonObject | undefined;
      if (roll < 0.45) {
        const patch = random() < 0.08 ? null : generate(3, true);
        const applied = patch ?? Object.fromEntries(Object.keys(desired.value).map((key) => [key, null]));
        await registry.updateModuleTwin('model-0', 'agent', { properties: { desired: patch } }, '*');
        if (patch === null || Object.keys(patch).length > 0) {
          desired.version += 1;
          modelMerge(desired.value, applied, desired.meta, now, desired.version);
          expectedNotification = { ...applied, $metadata: modelPatchMetadata(desired.meta, applied, true), $version: desired.version };
        }
      } else if (roll < 0.55) {
        const replacement = generate(3, false);
        await rawCall(registry, 'PUT', path, { 'Content-Type': 'application/json; charset=utf-8', 'If-Match': '*' }, { properties: { desired: replacement } });
        desired.version += 1;
        desired.value = structuredClone(replacement);
        desired.meta = modelMetaFor(desired.value, now, desired.version);
      } else {
        const patch = generate(3, true);
        simulator.reportProperties('model-0', 'agent', patch);
        if (Object.keys(patch).length > 0) {
          reported.version += 1;
          modelMerge(reported.value, patch, reported.meta, now, undefined);
          expectedNotification = { ...patch, $metadata: modelPatchMetadata(reported.meta, patch, false), $version: reported.version };
        }
      }

      const properties = simulator.peekModuleTwin('model-0', 'agent')!.properties as JsonObject;
      expect(JSON.stringify(properties.desired), `step ${step}: desired`).toBe(modelDocument(desired, true));
      expect(JSON.stringify(properties.reported), `step ${step}: reported`).toBe(modelDocument(reported, false));
      if (expectedNotification !== undefined) {
        const section = roll < 0.45 ? 'desired' : 'reported';
        const body = (notifications[0]?.body.properties as JsonObject | undefined)?.[section];
        expect(JSON.stringify(body), `step ${step}: notification`).toBe(JSON.stringify(expectedNotification));
      }
    }
  });
});
