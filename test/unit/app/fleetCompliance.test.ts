import { beforeEach, describe, expect, it } from 'vitest';
import { fleetCompliance } from '../../../src/app/fleetCompliance';
import type { ModuleTwinPage } from '../../../src/app/ports/twinRegistry';
import type { Baseline } from '../../../src/domain/baseline';
import { desiredConfigurationDocument } from '../../../src/domain/desiredConfiguration';
import { TransientError } from '../../../src/domain/productError';
import { ascClassic } from '../../../src/domain/profiles/ascClassic';
import { testBaseline } from '../../support/baselines';
import { FixedClock } from '../../support/fakes/fixedClock';
import { InMemoryTwinRegistry } from '../../support/fakes/inMemoryTwinRegistry';

const MODULE = 'azureiotsecurity';
const v1 = testBaseline();
const assignment = { name: 'default', version: 1, mode: 'enforce', assignedAt: '2026-11-27T10:00:00Z' };
const inLine = desiredConfigurationDocument(ascClassic, v1.settings);

let registry: InMemoryTwinRegistry;
let clock: FixedClock;
let contestedAsked: string[];

const count = () =>
  fleetCompliance(
    {
      registry,
      profile: ascClassic,
      clock,
      baseline: async (name, version) => (name === 'default' && version === 1 ? v1 : undefined) as Baseline | undefined,
      contestedUntil: async (deviceId) => {
        contestedAsked.push(deviceId);
        return deviceId === 'contested-1' ? '2099-01-01T00:00:00.000Z' : undefined;
      },
    },
    { pageSize: 2, cacheMs: 60_000 },
  );

async function twin(deviceId: string, desired: Record<string, unknown>, reported: Record<string, unknown> = {}, tags: Record<string, unknown> = { securityBaseline: assignment }) {
  registry.addDevice(deviceId);
  await registry.createModule(deviceId, MODULE);
  registry.writeTwin(deviceId, MODULE, { tags, properties: { desired } });
  registry.devices.get(deviceId)!.modules.get(MODULE)!.reported = reported;
}

const queries = () => registry.calls.filter((call) => call.startsWith('listModuleTwins')).length;

beforeEach(async () => {
  registry = new InMemoryTwinRegistry();
  clock = new FixedClock();
  contestedAsked = [];
  await twin('compliant-1', inLine, inLine);
  await twin('compliant-2', inLine, inLine);
  await twin('pending-1', inLine);
  await twin('drifted-1', {});
  await twin('contested-1', {});
  await twin('unmanaged-1', {}, {}, {});
  registry.addDevice('no-module');
});

describe('fleetCompliance', () => {
  it("counts every security module twin by state, page by page, asking about contests only for drifted twins", async () => {
    expect(await count()()).toEqual({
      asOf: clock.now().toISOString(),
      twinsRead: 6,
      counts: { compliant: 2, pending: 1, rejected: 0, drifted: 1, contested: 1, exempt: 0, unmanaged: 1 },
    });
    expect(queries()).toBe(3);
    expect(contestedAsked.sort()).toEqual(['contested-1', 'drifted-1']);
  });

  it('answers again from what it kept until the cache time has passed, then reads the fleet afresh', async () => {
    const fleet = count();
    const first = await fleet();
    clock.advance(59_999);
    expect(await fleet()).toBe(first);
    expect(queries()).toBe(3);

    await twin('pending-2', inLine);
    clock.advance(1);
    const second = await fleet();
    expect(second.twinsRead).toBe(7);
    expect(second.counts.pending).toBe(2);
    expect(second.asOf).toBe(clock.now().toISOString());
    expect(queries()).toBe(7);
  });

  it('shares one pass between calls made while it runs', async () => {
    const fleet = count();
    const [a, b] = await Promise.all([fleet(), fleet()]);
    expect(a).toBe(b);
    expect(queries()).toBe(3);
  });

  it('keeps nothing from a failed pass: the next call reads the fleet again', async () => {
    const list = registry.listModuleTwins.bind(registry);
    let failures = 1;
    registry.listModuleTwins = async (moduleId, options): Promise<ModuleTwinPage> => {
      if (options.continuationToken !== undefined && failures-- > 0) throw new TransientError('ThrottlingException', 'query budget spent');
      return list(moduleId, options);
    };
    const fleet = count();
    await expect(fleet()).rejects.toThrow('query budget spent');
    expect((await fleet()).twinsRead).toBe(6);
  });

  it('counts an empty fleet with one query', async () => {
    registry = new InMemoryTwinRegistry();
    expect(await count()()).toEqual({ asOf: clock.now().toISOString(), twinsRead: 0, counts: expect.objectContaining({ compliant: 0, unmanaged: 0 }) });
    expect(queries()).toBe(1);
  });
});
