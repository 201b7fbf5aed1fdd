// 300 new devices on a throttled S1 hub (100 identity operations a minute): every Event Grid delivery is
// answered before Event Grid's timeout, whatever its batch size, and no device is provisioned twice. Time is
// scaled 10× so minutes of S1 fit in seconds: the hub's clock runs 10× faster, and the app's deadline
// (2 s for 25 s), Event Grid's timeout (3 s for 30 s) and retry schedule shrink with it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogBuffer } from '../local/functionsHost';
import { startLab, type Lab } from '../local/lab/startLab';

const deviceCount = 300;
let lab: Lab;
let logs: LogBuffer;
let deviceIds: string[];

beforeAll(async () => {
  logs = new LogBuffer(100_000);
  lab = await startLab({
    httpPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'smt-deadline-')),
    throttle: { tier: 'S1', units: 1 },
    hubTimeScale: 10,
    logger: logs,
    settings: { INCLUDE_EDGE_DEVICES: 'false', EVENT_GRID_DEADLINE_MS: '2000', IOTHUB_RETRY_BUDGET_MS: '2000' },
    eventGrid: { maxEventsPerBatch: 25, deliveryTimeoutMs: 3_000, retrySchedule: [1_000, 3_000, 6_000], seed: 11 },
  });
  deviceIds = lab.simulator.seedDevices(deviceCount, { idPrefix: 'burst-', emitEvents: true });
  await lab.settle();
}, 300_000);

afterAll(async () => {
  await lab?.stop();
});

describe(`${deviceCount} new devices on one S1 unit`, () => {
  it('secures every device', () => {
    expect(lab.simulator.moduleCount()).toBe(deviceCount);
    const { delivered, deadLettered } = lab.deviceCreated.stats();
    expect(deadLettered).toBe(0);
    expect(delivered).toBe(deviceCount);
  });

  it('answers every delivery before Event Grid gives up waiting (no 408), failing in time what the deadline cut off', () => {
    const failed = logs.entries({ minLevel: 'warning' }).filter((entry) => entry.category === 'host' && entry.message.startsWith('Event Grid delivery of'));
    expect(failed.filter((entry) => entry.message.includes('TimedOut')).length, 'deliveries Event Grid gave up waiting for').toBe(0);
    const cutOff = logs.entries().filter((entry) => entry.category === 'user' && /not finished, Event Grid will re-send it/.test(entry.message));
    // The figures behind the closing note: how often the deadline sent work back to Event Grid.
    console.info(`S1 burst: ${lab.deviceCreated.stats().attempts} delivery attempts, ${failed.length} failed (none timed out), ${cutOff.length} answered 503 at the deadline`);
  });

  it('provisions no device twice: one PATCH and one audit record per device', async () => {
    const { byDevice } = lab.simulator.stats();
    expect(deviceIds).toHaveLength(deviceCount);
    for (const deviceId of deviceIds) expect(byDevice[deviceId]?.updateModuleTwin ?? 0, deviceId).toBe(1);
    const table = TableClient.fromConnectionString(lab.info.storage.connectionString, 'SecurityTwinAudit', { allowInsecureConnection: true });
    const perDevice = new Map<string, number>();
    for await (const entity of table.listEntities<{ action: string }>({ queryOptions: { filter: "PartitionKey ne '%outbox'" } })) perDevice.set(entity.partitionKey!, (perDevice.get(entity.partitionKey!) ?? 0) + 1);
    expect(perDevice.size).toBe(deviceCount);
    expect([...perDevice.values()].every((count) => count === 1)).toBe(true);
  });
});
