// Nothing is lost: with 10 % of hub calls failing (429/503) while twins are tampered with, and a twin-change
// processor crashing before its checkpoint, every drift is corrected by the end of the run — by the
// notifications where their reconcile succeeds, by the sweep for the rest.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from 'azure-iothub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogBuffer } from '../local/functionsHost';
import { labRegistry } from '../local/lab/labRegistry';
import { startLab, type Lab } from '../local/lab/startLab';
import { getAgentProfile } from '../../src/domain/agentProfiles';
import { defaultSettings } from '../../src/domain/defaultSettings';
import { readConfiguredSettings } from '../../src/domain/desiredConfiguration';

const profile = getAgentProfile('asc-classic');
const moduleId = profile.moduleId;
const container = 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration';
const fleetSize = 300;

let lab: Lab;
let registry: Registry;
let deviceIds: string[];
let sweepRuns = 0;

/** The SDK does not retry; a tampering client under 10 % faults simply tries again. */
async function withRetries<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= 30) throw error;
    }
  }
}

function inLine(deviceId: string): boolean {
  const twin = lab.simulator.peekModuleTwin(deviceId, moduleId) as { properties: { desired: unknown } } | undefined;
  return twin !== undefined && JSON.stringify(readConfiguredSettings(profile, twin.properties.desired)) === JSON.stringify(defaultSettings(profile));
}

beforeAll(async () => {
  lab = await startLab({
    httpPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'smt-faults-')),
    throttle: false,
    logger: new LogBuffer(100_000),
    devices: fleetSize,
    settings: { IOTHUB_RETRY_BUDGET_MS: '300', SWEEP_INTERVAL_MINUTES: '1' },
  });
  registry = labRegistry(lab.info);
  await lab.settle();
  deviceIds = lab.simulator.listDeviceIds();

  lab.simulator.setFaults({ errorRate: 0.1, statuses: [429, 503], seed: 21 });
  lab.twinChanges.crashBeforeNextCheckpoint();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < deviceIds.length) {
        const deviceId = deviceIds[next++] as string;
        await withRetries(async () => {
          const { responseBody } = await registry.getModuleTwin(deviceId, moduleId);
          await registry.updateModuleTwin(deviceId, moduleId, { properties: { desired: { [container]: { eventPriorityLogin: { value: 'Off' } } } } }, responseBody.etag);
        });
      }
    }),
  );
  await lab.settle();
  // Sweeps run until nothing is left (a sweep run under faults stops early and the next resumes).
  for (; sweepRuns < 20 && deviceIds.some((deviceId) => !inLine(deviceId)); sweepRuns++) {
    await lab.sweep();
    await lab.settle();
  }
  lab.simulator.setFaults(undefined);
}, 600_000);

afterAll(async () => {
  await lab?.stop();
});

describe(`${fleetSize} tampered twins under 10 % hub faults and a processor crash`, () => {
  it('went through faults and a re-delivery', () => {
    const rejected = lab.simulator.stats().rejected.fault;
    expect(Object.values(rejected).reduce((sum, n) => sum + (n ?? 0), 0)).toBeGreaterThan(0);
    expect(lab.twinChanges.stats().redelivered).toBeGreaterThan(0);
    console.info(`faults: ${JSON.stringify(rejected)}; sweep runs needed: ${sweepRuns}; re-delivered notifications: ${lab.twinChanges.stats().redelivered}`);
  });

  it('corrected every drift by the end of the run', () => {
    expect(deviceIds.filter((deviceId) => !inLine(deviceId))).toEqual([]);
  });
});
