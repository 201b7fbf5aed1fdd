// The sweep's timer trigger called as the worker calls it, over the real use cases on in-memory fakes.
import { InvocationContext } from '@azure/functions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useServices } from '../../../src/composition';
import { getAgentProfile } from '../../../src/domain/agentProfiles';
import { TransientError } from '../../../src/domain/productError';
import { sweepFleet } from '../../../src/functions/sweepFleet';
import { readLogLine, type CapturedLogLine } from '../../support/functions/invocation';
import { installServicesOverFakes, type InstalledServicesOverFakes } from '../../support/servicesOverFakes';

const moduleId = getAgentProfile('asc-classic').moduleId;
const timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };

let env: InstalledServicesOverFakes;
beforeEach(() => {
  env = installServicesOverFakes({ IOTHUB_TIER: 'S3' });
});
afterEach(() => {
  env.restore();
});

async function tick() {
  const lines: CapturedLogLine[] = [];
  const context = new InvocationContext({ invocationId: 'inv-sweep', functionName: 'sweepFleet', logHandler: (level, ...args) => lines.push({ level, text: args.map(String).join(' ') }) });
  await sweepFleet(timer, context);
  return lines.map(readLogLine);
}

describe('sweepFleet', () => {
  it('gives a device registered before the product its module, logs the sweep, then stays idle until the next is due', async () => {
    env.registry.addDevice('old-device');

    const logged = await tick();

    expect(env.registry.peekTwin('old-device', moduleId)?.tags).toMatchObject({ securityBaseline: { name: 'default', version: 1 } });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'information', properties: { phase: 'done', counts: { 'module-created': 1 } } });
    expect(logged[0]!.message).toMatch(/^Sweep .* finished$/);
    expect(await tick()).toEqual([]);
  });

  it('logs a run the hub throttled as a warning and resumes next time', async () => {
    env.registry.addDevice('old-device');
    const listDevices = env.registry.listDevices.bind(env.registry);
    env.registry.listDevices = () => Promise.reject(new TransientError('ThrottlingException', 'slow down'));
    const paused = await tick();
    expect(paused[0]).toMatchObject({ level: 'warning', properties: { phase: 'devices', errorCode: 'ThrottlingException' } });
    env.registry.listDevices = listDevices;
    expect((await tick())[0]).toMatchObject({ properties: { phase: 'done', counts: { 'module-created': 1 } } });
  });

  it('fails the run on a bug, with the stack in the log', async () => {
    const restore = useServices({ ...env.services, sweepFleet: () => Promise.reject(new TypeError('x is not a function')) });
    try {
      const lines: CapturedLogLine[] = [];
      const context = new InvocationContext({ invocationId: 'inv', functionName: 'sweepFleet', logHandler: (level, ...args) => lines.push({ level, text: args.map(String).join(' ') }) });
      await expect(sweepFleet(timer, context)).rejects.toThrow(TypeError);
      expect(readLogLine(lines[0]!)).toMatchObject({ level: 'error', message: 'Sweep run failed', properties: { stack: expect.stringContaining('TypeError') } });
    } finally {
      restore();
    }
  });
});
