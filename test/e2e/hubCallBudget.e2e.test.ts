// The budget: at most 2 hub calls per provisioned device when nothing fails (create module, patch
// twin), plus one device read only when the selector needs the registry. Counted at the simulator.
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
  it('is 2 when the selector needs no registry read (create module, patch twin)', async () => {
    const result = await provisionAndCount({ INCLUDE_EDGE_DEVICES: 'true' });
    expect(result.modules).toBe(devices.length);
    for (const deviceId of devices) expect(result.perDevice[deviceId], deviceId).toEqual({ createOrUpdateModule: 1, updateModuleTwin: 1 });
  });

  it('is 3 when IoT Edge devices are excluded (one device read first)', async () => {
    const result = await provisionAndCount({ INCLUDE_EDGE_DEVICES: 'false' });
    expect(result.modules).toBe(devices.length);
    for (const deviceId of devices) expect(result.perDevice[deviceId], deviceId).toEqual({ getDevice: 1, createOrUpdateModule: 1, updateModuleTwin: 1 });
  });
});
