// The throttle model: tier × units limits, 429 ThrottlingException, recovery — on an injected clock, so no
// test depends on how fast this machine is.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Registry } from 'azure-iothub';
import { connectRegistry, startIotHubSimulator, throttleLimits, type IotHubSimulator } from '../../local/iothubSimulator';
import { expectHubError, failureOf } from './helpers';

let now = Date.UTC(2026, 0, 1);
const clock = { now: (): number => now };
let simulator: IotHubSimulator;
let registry: Registry;

beforeAll(async () => {
  simulator = await startIotHubSimulator({ clock, throttle: { tier: 'S1', units: 1 } });
  registry = connectRegistry(simulator);
  simulator.seedDevices(3, { idPrefix: 'thr-' });
  simulator.seedModules('agent');
});

afterAll(async () => {
  await simulator.close();
});

beforeEach(() => {
  // A fresh, full set of buckets for every test, and a clock far from the previous test's.
  now += 3_600_000;
  simulator.setThrottle({ tier: 'S1', units: 1 });
  simulator.resetStats();
});

async function repeat(times: number, call: () => Promise<unknown>): Promise<void> {
  for (let index = 0; index < times; index++) await call();
}

describe('S1, one unit', () => {
  it('allows 50 twin updates per second, then answers 429 ThrottlingException without applying the update', async () => {
    let value = 0;
    const update = () => registry.updateModuleTwin('thr-0', 'agent', { properties: { desired: { value: ++value } } }, '*');
    await repeat(50, update);
    const versionBefore = simulator.peekModuleTwin('thr-0', 'agent')?.version;

    const throttled = await failureOf(update());

    expectHubError(throttled, 'ThrottlingError', 429, 'ThrottlingException');
    expect(simulator.peekModuleTwin('thr-0', 'agent')?.version).toBe(versionBefore);
    expect(simulator.stats().rejected.throttle).toEqual({ updateModuleTwin: 1 });
    expect(simulator.stats().succeeded.updateModuleTwin).toBe(50);

    now += 1000;
    await repeat(50, update);
    expect(simulator.stats().succeeded.updateModuleTwin).toBe(100);
  });

  it('allows 100 twin reads per second, refilled continuously', async () => {
    const read = () => registry.getModuleTwin('thr-1', 'agent');
    await repeat(100, read);

    expectHubError(await failureOf(read()), 'ThrottlingError', 429, 'ThrottlingException');
    now += 10; // 10 ms of a 100/s budget is exactly one read
    await read();
    expectHubError(await failureOf(read()), 'ThrottlingError', 429, 'ThrottlingException');
  });

  it('allows 100 identity-registry operations per minute, counting bulk requests per device', async () => {
    const { responseBody: bulk } = await registry.addDevices(Array.from({ length: 50 }, (_, index) => ({ deviceId: `bulk-thr-${now}-${index}` })));
    expect(bulk.isSuccessful).toBe(true);
    await repeat(50, () => registry.get('thr-2'));

    const throttled = await failureOf(registry.addModule({ deviceId: 'thr-2', moduleId: 'late' }));
    expectHubError(throttled, 'ThrottlingError', 429, 'ThrottlingException');
    expect(simulator.peekModule('thr-2', 'late')).toBeUndefined();

    now += 600; // 600 ms at 100/min is one operation
    await registry.addModule({ deviceId: 'thr-2', moduleId: 'late' });
    expectHubError(await failureOf(registry.get('thr-2')), 'ThrottlingError', 429, 'ThrottlingException');
    now += 60_000;
    await repeat(100, () => registry.get('thr-2'));
  });

  it('allows 20 queries per minute (each page is a query)', async () => {
    const page = () => registry.createQuery('SELECT deviceId FROM devices').next();
    await repeat(20, page);

    expectHubError(await failureOf(page()), 'ThrottlingError', 429, 'ThrottlingException');
    now += 3000;
    await page();
  });

  it('keeps each category in its own bucket', async () => {
    await repeat(100, () => registry.get('thr-0'));
    expectHubError(await failureOf(registry.get('thr-0')), 'ThrottlingError', 429, 'ThrottlingException');

    await registry.getModuleTwin('thr-0', 'agent');
    await registry.updateModuleTwin('thr-0', 'agent', { tags: { still: 'works' } }, '*');
    await registry.createQuery('SELECT * FROM devices').nextAsTwin();
  });
});

describe('configuration', () => {
  it('changes tier and units at runtime, and turns off with false', async () => {
    simulator.setThrottle({ tier: 'S3', units: 1 });
    await repeat(260, () => registry.updateModuleTwin('thr-0', 'agent', { tags: { n: 1 } }, '*').catch((error: unknown) => error));
    expect(simulator.stats().succeeded.updateModuleTwin).toBe(250);

    simulator.setThrottle(false);
    await repeat(120, () => registry.get('thr-0'));
    expect(simulator.stats().rejected.throttle).toEqual({ updateModuleTwin: 10 });
    expect(simulator.throttleLimits()).toBeUndefined();
  });

  it('knows the documented limits per tier and unit count', () => {
    expect(throttleLimits({ tier: 'S1', units: 5 })).toEqual({
      identity: { amount: 500, periodMs: 60_000 },
      query: { amount: 100, periodMs: 60_000 },
      configuration: { amount: 100, periodMs: 60_000 },
      twinRead: { amount: 100, periodMs: 1000 },
      twinUpdate: { amount: 50, periodMs: 1000 },
    });
    expect(throttleLimits({ tier: 'S2', units: 20 })).toMatchObject({ twinRead: { amount: 200 }, twinUpdate: { amount: 100 } });
    expect(throttleLimits({ tier: 'S2', units: 2 })).toMatchObject({ twinRead: { amount: 100 }, twinUpdate: { amount: 50 } });
    expect(throttleLimits({ tier: 'S3', units: 2 })).toEqual({
      identity: { amount: 10_000, periodMs: 60_000 },
      query: { amount: 2000, periodMs: 60_000 },
      configuration: { amount: 40, periodMs: 60_000 },
      twinRead: { amount: 1000, periodMs: 1000 },
      twinUpdate: { amount: 500, periodMs: 1000 },
    });
    expect(throttleLimits({ tier: 'B2', units: 1 })).toEqual({ identity: { amount: 100, periodMs: 60_000 }, query: undefined, twinRead: undefined, twinUpdate: undefined, configuration: undefined });
    expect(() => throttleLimits({ tier: 'F1', units: 2 })).toThrow(RangeError);
    expect(() => throttleLimits({ tier: 'S3', units: 11 })).toThrow(RangeError);
  });

  it('refuses twins and queries on a Basic tier with 403 OperationNotAvailableInCurrentTier, but serves identities', async () => {
    simulator.setThrottle({ tier: 'B1', units: 1 });

    const twin = await failureOf(registry.getModuleTwin('thr-0', 'agent'));
    const query = await failureOf(registry.createQuery('SELECT * FROM devices').next());
    const { responseBody: device } = await registry.get('thr-0');

    // The SDK maps every 403 to TooManyDevicesError; the body names the real reason.
    expectHubError(twin, 'TooManyDevicesError', 403, 'OperationNotAvailableInCurrentTier');
    expectHubError(query, 'TooManyDevicesError', 403, 'OperationNotAvailableInCurrentTier');
    expect(device.deviceId).toBe('thr-0');
  });
});
