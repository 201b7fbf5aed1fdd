// The budget: 3 hub calls per provisioned device when nothing fails, of which ONE identity operation (create
// module) — the scarce budget (100/min per S1 unit). The device twin read (twin-read budget, 100/s per S1
// unit) answers "IoT Edge?" and "gone?" first, whatever the selector. Counted at the simulator.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogBuffer } from '../local/functionsHost';
import { startLab, type Lab } from '../local/lab/startLab';
import { labRegistry } from '../local/lab/labRegistry';

const devices = Array.from({ length: 40 }, (_, i) => `budget-${i}`);

async function provisionAndCount(settings: Record<string, string>) {
  const lab: Lab = await startLab({ httpPort: 0, stateDir: mkdtempSync(join(tmpdir(), 'smt-budget-')), throttle: { tier: 'S3', units: 1 }, logger: new LogBuffer(), settings });
  try {
    const registry = labRegistry(lab.info);
    lab.holdDeviceCreatedEvents();
    for (const deviceId of devices) await registry.create({ deviceId });
    lab.simulator.resetStats();
    lab.releaseDeviceCreatedEvents();
    await lab.settle();
    return { perDevice: lab.simulator.stats().byDevice, modules: lab.simulator.moduleCount() };
  } finally {
    await lab.stop();
  }
}

describe('hub calls per provisioned device', () => {
  it.each(['true', 'false'])('is 3 with one identity operation (INCLUDE_EDGE_DEVICES=%s): device twin read, create module, patch twin', async (includeEdge) => {
    const result = await provisionAndCount({ INCLUDE_EDGE_DEVICES: includeEdge });
    expect(result.modules).toBe(devices.length);
    for (const deviceId of devices) expect(result.perDevice[deviceId], deviceId).toEqual({ getTwin: 1, createOrUpdateModule: 1, updateModuleTwin: 1 });
  });
});
