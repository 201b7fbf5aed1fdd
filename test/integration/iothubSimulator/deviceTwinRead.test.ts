// GET /twins/{deviceId} as the answer to "is this an IoT Edge device, and does it still exist?", through the real
// Registry.getTwin: the twin carries `capabilities.iotEdge` (service.json Twin.capabilities, DeviceCapabilities;
// the CLI lists edge devices with "select * from devices where capabilities.iotEdge = true"), a missing device is
// 404 DeviceNotFound, and the read is charged to the twin-read throttle (S1: 100/s), not to the identity
// registry's (S1: 100/min per unit) that module creation needs (iot-hub-devguide-quotas-throttling.md).
// The clock is injected, so no test depends on how fast this machine is.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Registry } from 'azure-iothub';
import { connectRegistry, startIotHubSimulator, type IotHubSimulator } from '../../local/iothubSimulator';
import { expectHubError, failureOf } from './helpers';

let now = Date.UTC(2026, 0, 1);
const clock = { now: (): number => now };
let simulator: IotHubSimulator;
let registry: Registry;

beforeAll(async () => {
  simulator = await startIotHubSimulator({ clock, throttle: false });
  registry = connectRegistry(simulator);
  await registry.create({ deviceId: 'edge-gateway', capabilities: { iotEdge: true } });
  await registry.create({ deviceId: 'plain-sensor' });
  await registry.create({ deviceId: 'short-lived' });
  await registry.delete('short-lived');
});

afterAll(async () => {
  await simulator.close();
});

beforeEach(() => {
  // Full buckets and a clock far from the previous test's.
  now += 3_600_000;
  simulator.setThrottle({ tier: 'S1', units: 1 });
  simulator.resetStats();
});

async function repeat(times: number, call: () => Promise<unknown>): Promise<void> {
  for (let index = 0; index < times; index++) await call();
}

describe('the device twin answers the IoT Edge question', () => {
  it('says iotEdge true for an IoT Edge device, with its device scope', async () => {
    const { responseBody: twin } = await registry.getTwin('edge-gateway');

    expect(twin).toMatchObject({ deviceId: 'edge-gateway', capabilities: { iotEdge: true }, deviceScope: expect.stringMatching(/^ms-azure-iot-edge:\/\/edge-gateway-\d+$/) });
  });

  it('says iotEdge false for any other device', async () => {
    const { responseBody: twin } = await registry.getTwin('plain-sensor');

    expect(twin).toMatchObject({ deviceId: 'plain-sensor', capabilities: { iotEdge: false } });
    expect(twin).not.toHaveProperty('deviceScope');
  });

  it('follows a device that becomes an IoT Edge device', async () => {
    await registry.create({ deviceId: 'converted' });
    const { responseBody: device } = await registry.get('converted');
    await registry.update({ ...device, capabilities: { iotEdge: true } });

    const { responseBody: twin } = await registry.getTwin('converted');

    expect(twin).toMatchObject({ capabilities: { iotEdge: true } });
  });

  it.each(['short-lived', 'never-existed'])('answers 404 DeviceNotFound for %s, as DeviceNotFoundError through the SDK', async (deviceId) => {
    expectHubError(await failureOf(registry.getTwin(deviceId)), 'DeviceNotFoundError', 404, 'DeviceNotFound');
  });
});

describe('the read is charged to the twin-read budget, not the identity registry', () => {
  it('answers twin reads, found or not, while the identity budget is spent', async () => {
    await repeat(100, () => registry.get('plain-sensor'));
    expectHubError(await failureOf(registry.get('plain-sensor')), 'ThrottlingError', 429, 'ThrottlingException');

    const { responseBody: twin } = await registry.getTwin('edge-gateway');
    const gone = await failureOf(registry.getTwin('never-existed'));

    expect(twin).toMatchObject({ capabilities: { iotEdge: true } });
    expectHubError(gone, 'DeviceNotFoundError', 404, 'DeviceNotFound');
  });

  it('throttles twin reads at 100 per second and leaves the identity budget whole', async () => {
    await repeat(50, () => registry.getTwin('plain-sensor'));
    await repeat(50, () => failureOf(registry.getTwin('never-existed')));

    const throttled = await failureOf(registry.getTwin('plain-sensor'));
    await repeat(100, () => registry.get('plain-sensor'));

    expectHubError(throttled, 'ThrottlingError', 429, 'ThrottlingException');
    expect(simulator.stats().answered).toEqual({ getTwin: 100, getDevice: 100 });
    expect(simulator.stats().rejected.throttle).toEqual({ getTwin: 1 });
    expect(simulator.throttleLimits()).toMatchObject({ twinRead: { amount: 100, periodMs: 1000 }, identity: { amount: 100, periodMs: 60_000 } });
  });
});
