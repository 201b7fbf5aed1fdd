// A 100,000-device fleet: memory of seeding, and the query paths a sweep uses, at that size.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Registry } from 'azure-iothub';
import { connectRegistry, startIotHubSimulator, type IotHubSimulator } from '../../local/iothubSimulator';
import { retainedHeapMb } from '../../support/retainedHeap';

const FLEET = 100_000;
let simulator: IotHubSimulator;
let registry: Registry;
const measured: { devicesMb: number; modulesMb: number } = { devicesMb: Number.NaN, modulesMb: Number.NaN };

beforeAll(async () => {
  simulator = await startIotHubSimulator({ throttle: false });
  registry = connectRegistry(simulator);

  const before = retainedHeapMb();
  const ids = simulator.seedDevices(FLEET, { idPrefix: 'scale-', edgeEvery: 100 });
  const afterDevices = retainedHeapMb();
  simulator.seedModules('azureiotsecurity');
  const afterModules = retainedHeapMb();
  measured.devicesMb = afterDevices - before;
  measured.modulesMb = afterModules - afterDevices;
  expect(ids).toHaveLength(FLEET);
  console.log(
    `iothubSimulator scale: ${FLEET} devices (1% IoT Edge, with $edgeAgent/$edgeHub) retain ${measured.devicesMb.toFixed(1)} MB of heap; ` +
      `${simulator.moduleCount() - 2 * (FLEET / 100)} security modules add ${measured.modulesMb.toFixed(1)} MB (total ${(measured.devicesMb + measured.modulesMb).toFixed(1)} MB)`,
  );
});

afterAll(async () => {
  await simulator.close();
});

describe('100,000 devices', () => {
  it('seeds the fleet and its modules within a small heap budget', () => {
    expect(simulator.deviceCount()).toBe(FLEET);
    expect(simulator.moduleCount()).toBe(FLEET + 2 * (FLEET / 100));
    expect(measured.devicesMb + measured.modulesMb).toBeLessThan(300);
  });

  it('counts and groups the whole fleet in one query', async () => {
    const { result: count } = await registry.createQuery('SELECT COUNT() AS devices FROM devices').next();
    const { result: groups } = await registry.createQuery('SELECT moduleId, COUNT() AS n FROM devices.modules GROUP BY moduleId').next();

    expect(count).toEqual([{ devices: FLEET }]);
    // Groups come in order of first appearance: scale-0 has only the security module; scale-99, the first
    // IoT Edge device, adds the two edge runtime modules.
    expect(groups).toEqual([
      { moduleId: 'azureiotsecurity', n: FLEET },
      { moduleId: '$edgeAgent', n: FLEET / 100 },
      { moduleId: '$edgeHub', n: FLEET / 100 },
    ]);
  });

  it('pages through all 100,000 security modules, each exactly once', async () => {
    const query = registry.createQuery("SELECT deviceId FROM devices.modules WHERE moduleId = 'azureiotsecurity'", 1000);
    const seen = new Set<string>();
    let pages = 0;

    while (query.hasMoreResults && pages <= 100) {
      const { result } = await query.next(query.continuationToken);
      for (const row of result as Array<{ deviceId: string }>) seen.add(row.deviceId);
      pages += 1;
    }

    expect(pages).toBe(100);
    expect(seen.size).toBe(FLEET);
  });

  it('finds the few drifted twins in a large fleet with a selective query', async () => {
    for (const deviceId of ['scale-17', 'scale-50000', 'scale-99999']) {
      simulator.reportProperties(deviceId, 'azureiotsecurity', { configurationStatus: 'invalid' });
    }

    const { result, message } = await registry
      .createQuery("SELECT deviceId FROM devices.modules WHERE moduleId = 'azureiotsecurity' AND properties.reported.configurationStatus = 'invalid'", 100)
      .next();

    expect(result).toEqual([{ deviceId: 'scale-17' }, { deviceId: 'scale-50000' }, { deviceId: 'scale-99999' }]);
    expect(message.headers['x-ms-continuation']).toBeUndefined();
  });
});
