// Fault injection: injected error statuses, dropped connections and latency, all without side effects.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Registry } from 'azure-iothub';
import { connectRegistry, startIotHubSimulator, type IotHubSimulator } from '../../local/iothubSimulator';
import { expectHubError, failureOf } from './helpers';

let simulator: IotHubSimulator;
let registry: Registry;

beforeAll(async () => {
  simulator = await startIotHubSimulator({ throttle: false });
  registry = connectRegistry(simulator);
  simulator.seedDevices(2, { idPrefix: 'flt-' });
  simulator.seedModules('agent');
});

afterAll(async () => {
  await simulator.close();
});

beforeEach(() => {
  simulator.setFaults(undefined);
  simulator.resetStats();
});

describe('injected errors', () => {
  it.each([
    [503, 'ServiceUnavailableError', 'ServiceUnavailable'],
    [500, 'InternalServerError', 'ServerError'],
    [429, 'ThrottlingError', 'ThrottlingException'],
  ] as const)('fails with %i (%s) before the operation runs, so nothing changes', async (status, sdkError, errorCode) => {
    simulator.setFaults({ errorRate: 1, statuses: [status], operations: ['createOrUpdateModule'] });

    const error = await failureOf(registry.addModule({ deviceId: 'flt-0', moduleId: `never-${status}` }));

    expectHubError(error, sdkError, status, errorCode);
    expect(simulator.peekModule('flt-0', `never-${status}`)).toBeUndefined();
    expect(simulator.stats().rejected.fault).toEqual({ createOrUpdateModule: 1 });
    expect(simulator.stats().answered).toEqual({});
  });

  it('affects only the listed operations', async () => {
    simulator.setFaults({ errorRate: 1, operations: ['updateModuleTwin'] });

    const { responseBody: twin } = await registry.getModuleTwin('flt-0', 'agent');
    const { responseBody: device } = await registry.get('flt-0');
    await failureOf(registry.updateModuleTwin('flt-0', 'agent', { tags: { a: 1 } }, twin.etag));

    expect(device.deviceId).toBe('flt-0');
    expect(simulator.stats().rejected.fault).toEqual({ updateModuleTwin: 1 });
  });

  it('is deterministic for a seed, roughly honours the rate, and leaves failed updates unapplied', async () => {
    const run = async (seed: number): Promise<boolean[]> => {
      simulator.setFaults({ errorRate: 0.3, seed, operations: ['updateModuleTwin'] });
      const outcomes: boolean[] = [];
      for (let index = 0; index < 100; index++) {
        const result = await registry.updateModuleTwin('flt-1', 'agent', { properties: { desired: { n: index } } }, '*').then(
          () => true,
          () => false,
        );
        outcomes.push(result);
      }
      return outcomes;
    };
    const versionBefore = Number(simulator.peekModuleTwin('flt-1', 'agent')?.version);

    const first = await run(42);
    const again = await run(42);
    const other = await run(7);

    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    const failures = first.filter((ok) => !ok).length;
    expect(failures).toBeGreaterThan(15);
    expect(failures).toBeLessThan(45);
    const successes = [...first, ...again, ...other].filter(Boolean).length;
    expect(simulator.peekModuleTwin('flt-1', 'agent')?.version).toBe(versionBefore + successes);
  });

  it('stops when faults are cleared', async () => {
    simulator.setFaults({ errorRate: 1 });
    await failureOf(registry.get('flt-0'));

    simulator.setFaults(undefined);
    const { responseBody: device } = await registry.get('flt-0');

    expect(device.deviceId).toBe('flt-0');
  });

  it('refuses nonsense configurations', () => {
    expect(() => simulator.setFaults({ errorRate: 1.5 })).toThrow(RangeError);
    expect(() => simulator.setFaults({ errorRate: 0, dropConnectionRate: -0.1 })).toThrow(RangeError);
    expect(() => simulator.setFaults({ errorRate: 0, statuses: [] })).toThrow(RangeError);
    expect(() => simulator.setFaults({ errorRate: 0, latencyMs: { min: 10, max: 5 } })).toThrow(RangeError);
  });
});

describe('dropped connections', () => {
  it('destroys the socket without a response; the SDK sees a socket error and the operation never ran', async () => {
    simulator.setFaults({ errorRate: 0, dropConnectionRate: 1, operations: ['createOrUpdateModule'] });

    const error = await failureOf(registry.addModule({ deviceId: 'flt-0', moduleId: 'dropped' }));

    expect(error.response).toBeUndefined();
    expect(error.code).toBe('ECONNRESET');
    expect(error.message).toMatch(/socket hang up/);
    expect(simulator.peekModule('flt-0', 'dropped')).toBeUndefined();
    expect(simulator.stats().rejected.dropped).toEqual({ createOrUpdateModule: 1 });

    simulator.setFaults(undefined);
    await registry.addModule({ deviceId: 'flt-0', moduleId: 'dropped' });
    expect(simulator.peekModule('flt-0', 'dropped')).toBeDefined();
  });
});

describe('latency', () => {
  it('holds a request in scope while others are served, and close() ends it promptly', async () => {
    const slow = await startIotHubSimulator({ throttle: false, faults: { errorRate: 0, latencyMs: { min: 600_000, max: 600_000 }, operations: ['updateModuleTwin'] } });
    const slowRegistry = connectRegistry(slow);
    slow.seedDevices(1, { idPrefix: 'lat-' });
    slow.seedModules('agent');
    let settled = false;
    const held = slowRegistry.updateModuleTwin('lat-0', 'agent', { tags: { late: true } }, '*').finally(() => {
      settled = true;
    });

    // Requests outside the fault's scope are answered while the update waits.
    await slowRegistry.getModuleTwin('lat-0', 'agent');
    await slowRegistry.get('lat-0');

    expect(settled).toBe(false);
    expect(slow.peekModuleTwin('lat-0', 'agent')).not.toHaveProperty('tags');
    await slow.close();
    const error = await failureOf(held);
    expect(error.response).toBeUndefined();
    expect(slow.peekModuleTwin('lat-0', 'agent')).not.toHaveProperty('tags');
  });
});
