// The lab's state folder across a stop and a start, in-process: the hub and the tables come back, and the
// DeviceCreated events Event Grid had not delivered when the lab stopped are delivered after it starts again,
// as the service keeps retrying while its subscriber is down.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogBuffer } from '../local/functionsHost';
import { labRegistry } from '../local/lab/labRegistry';
import { startLab } from '../local/lab/startLab';

const options = (stateDir: string) => ({ httpPort: 0, stateDir, throttle: { tier: 'S3', units: 1 } as const, logger: new LogBuffer() });
const secured = (lab: Awaited<ReturnType<typeof startLab>>, deviceId: string) => lab.simulator.peekModuleTwin(deviceId, 'azureiotsecurity')?.['tags'];

describe('the lab state folder', () => {
  it('keeps the hub, the tables and the undelivered events from one start to the next', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'smt-state-'));
    const first = await startLab({ ...options(stateDir), devices: 3 });
    await first.settle();
    expect(first.seeded).toEqual({ kept: 0, added: 3 });
    expect(secured(first, 'lab-device-0')).toMatchObject({ securityBaseline: { name: 'default' } });

    // Two new devices whose DeviceCreated Event Grid has not delivered when the lab stops.
    first.holdDeviceCreatedEvents();
    await labRegistry(first.info).create({ deviceId: 'late-1' });
    first.simulator.seedDevices(1, { idPrefix: 'late-', emitEvents: true });
    expect(await first.stop()).toEqual({ undeliveredEvents: 2 });
    expect(existsSync(first.stateFiles.labJson)).toBe(false);
    expect(existsSync(first.stateFiles.pendingEvents)).toBe(true);

    const second = await startLab({ ...options(stateDir), devices: 3 });
    try {
      expect(second.restored).toEqual({ devices: 5, pendingEvents: 2 });
      expect(second.seeded).toEqual({ kept: 3, added: 0 });
      expect(second.info.iotHub.connectionString).toBe(first.info.iotHub.connectionString);
      await second.settle();
      expect(secured(second, 'late-1')).toMatchObject({ securityBaseline: { name: 'default' } });
      expect(secured(second, 'late-0')).toMatchObject({ securityBaseline: { name: 'default' } });
      // The audit records the first run wrote are in the tables the second one reads.
      const audit = (await (await fetch(`${second.info.http.baseUrl}/devices/lab-device-0/audit`)).json()) as { records: unknown[] };
      expect(audit.records).toHaveLength(1);
    } finally {
      expect(await second.stop()).toEqual({ undeliveredEvents: 0 });
    }
    expect(existsSync(second.stateFiles.pendingEvents)).toBe(false);

    const fresh = await startLab({ ...options(stateDir), fresh: true });
    try {
      expect(fresh.restored).toEqual({ devices: 0, pendingEvents: 0 });
      expect(fresh.simulator.deviceCount()).toBe(0);
      const audit = (await (await fetch(`${fresh.info.http.baseUrl}/devices/lab-device-0/audit`)).json()) as { records: unknown[] };
      expect(audit.records).toEqual([]);
    } finally {
      await fresh.stop();
    }
  });
});
