// The simulated security agents on the IoT Hub simulator, with the real azure-iothub SDK writing desired
// configurations (as the product or an operator does) and the product's adapter reading the twins back:
// what classifyCompliance makes of each twin must be what that device's agent did (accepting → compliant,
// rejecting → rejected, offline or no agent → pending), for both profiles, and the use cases behind the two
// compliance endpoints must agree with it through the hub's twin reads and paged queries.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from 'azure-iothub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComplianceDependencies } from '../../src/app/deviceCompliance';
import { readDeviceCompliance } from '../../src/app/deviceCompliance';
import { fleetCompliance } from '../../src/app/fleetCompliance';
import { createRegistry } from '../../src/adapters/iothub/createRegistry';
import { IotHubTwinRegistry } from '../../src/adapters/iothub/iotHubTwinRegistry';
import { loadConfig } from '../../src/config';
import type { ProfileId, SettingValue } from '../../src/domain/agentProfile';
import { getAgentProfile } from '../../src/domain/agentProfiles';
import type { BaselineAssignment } from '../../src/domain/assignment';
import type { Baseline } from '../../src/domain/baseline';
import { classifyCompliance, type ComplianceState } from '../../src/domain/compliance';
import { desiredConfigurationPatch } from '../../src/domain/desiredConfiguration';
import { connectRegistry, startIotHubSimulator, type IotHubSimulator } from '../local/iothubSimulator';
import { attachSecurityAgents, type AgentMode, type SecurityAgentOptions, type SecurityAgents, type SecurityAgentStats } from '../local/securityAgents';
import { testBaseline } from '../support/baselines';

const DEVICES = 60;

/** What the product must conclude from each kind of agent once it has answered (or not). */
const expectedState: Readonly<Record<AgentMode | 'none', ComplianceState>> = { accepting: 'compliant', rejecting: 'rejected', offline: 'pending', none: 'pending' };

/**
 * Per profile: version 1 is the profile's defaults; version 2 changes settings in ways the agent writes back
 * in its own spelling (the C agent: PT420S as PT7M, P14D as P2W, priorities in lower case); version 3 holds
 * a value only the real agent refuses (the C agent: a fractional duration; the micro agent: an undocumented
 * mode), stored here without the product's validation, which would refuse it.
 */
const versions: Readonly<Record<ProfileId, { readonly v2: Record<string, SettingValue>; readonly v3: Record<string, SettingValue> }>> = {
  'asc-classic': {
    v2: { highPriorityMessageFrequency: 'PT420S', snapshotFrequency: 'P14D', eventPriorityLogin: 'Off', maxLocalCacheSizeInBytes: 4_096_000 },
    v3: { highPriorityMessageFrequency: 'PT1.5H' },
  },
  'defender-micro-agent': {
    v2: { Process_Mode: 3, CollectorsCore_PriorityIntervals: '60,120,1440', Login_MessageFrequency: 'High', FileSystem_Paths: '/etc,/usr/bin' },
    v3: { Process_Mode: 7 },
  },
};

let simulator: IotHubSimulator;
let admin: Registry;
let adapter: IotHubTwinRegistry;

beforeAll(async () => {
  simulator = await startIotHubSimulator({ throttle: false });
  admin = connectRegistry(simulator);
  const caPath = join(mkdtempSync(join(tmpdir(), 'smt-agents-')), 'ca.pem');
  writeFileSync(caPath, simulator.caCertificatePem);
  const config = loadConfig({
    IOTHUB_CONNECTION_STRING: simulator.connectionString,
    IOTHUB_CONNECT_ADDRESS: `127.0.0.1:${simulator.port}`,
    IOTHUB_CA_CERTIFICATE_PATH: caPath,
    PRODUCT_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
  });
  adapter = new IotHubTwinRegistry(createRegistry(config.iotHub), { retry: { budgetMs: 2_000, baseDelayMs: 5, maxDelayMs: 20 } });
});

afterAll(async () => {
  await simulator.close();
});

describe.each<ProfileId>(['asc-classic', 'defender-micro-agent'])('simulated %s agents', (profileId) => {
  const profile = getAgentProfile(profileId);
  const baselines = new Map<number, Baseline>();
  baselines.set(1, testBaseline({ profile: profileId }));
  baselines.set(2, testBaseline({ profile: profileId, version: 2, changedSettings: versions[profileId].v2 }));
  baselines.set(3, testBaseline({ profile: profileId, version: 3, changedSettings: versions[profileId].v3 }));
  const options: SecurityAgentOptions = { profile: profileId, share: 0.85, rejectingShare: 0.25, offlineShare: 0.15, delayMs: 2, jitterMs: 15, seed: 11 };
  const deviceIds: string[] = [];
  let agents: SecurityAgents;

  const deps: ComplianceDependencies = {
    profile,
    clock: { now: () => new Date() },
    baseline: async (name, version) => (name === 'default' ? baselines.get(version) : undefined),
    contestedUntil: async () => undefined,
  };

  /** Writes baseline `version` and its assignment through the SDK, as the product does: the whole configuration, nulls for the rest. */
  async function assign(deviceId: string, version: number): Promise<void> {
    const baseline = baselines.get(version) as Baseline;
    const assignment: BaselineAssignment = { name: 'default', version, mode: 'enforce', assignedAt: new Date().toISOString() };
    const current = await admin.getModuleTwin(deviceId, profile.moduleId);
    const desired = desiredConfigurationPatch(profile, baseline.settings, current.responseBody.properties.desired as Record<string, unknown>);
    await admin.updateModuleTwin(deviceId, profile.moduleId, { tags: { securityBaseline: assignment }, properties: { desired } }, '*');
  }

  /** Every twin read back through the product's adapter, classified by the domain. */
  async function classifyAll(): Promise<Map<string, ComplianceState>> {
    const states = new Map<string, ComplianceState>();
    for (const deviceId of deviceIds) {
      const twin = await adapter.getModuleTwin(deviceId, profile.moduleId);
      const version = (twin?.tags['securityBaseline'] as { version: number }).version;
      states.set(deviceId, classifyCompliance({ profile, twin, baseline: baselines.get(version), now: new Date() }).state);
    }
    return states;
  }

  const modes = () => new Map(deviceIds.map((deviceId) => [deviceId, agents.modeOf(deviceId)]));
  const expected = (modeOf: Map<string, AgentMode | 'none'>) => new Map([...modeOf].map(([deviceId, mode]) => [deviceId, expectedState[mode]]));
  const tally = (states: Iterable<ComplianceState>) => {
    const counts: Partial<Record<ComplianceState, number>> = {};
    for (const state of states) counts[state] = (counts[state] ?? 0) + 1;
    return counts;
  };
  const answering = (modeOf: Map<string, AgentMode | 'none'>, mode: AgentMode) => [...modeOf.values()].filter((m) => m === mode).length;

  beforeAll(async () => {
    deviceIds.push(...simulator.seedDevices(DEVICES, { idPrefix: `${profileId}-` }));
    agents = attachSecurityAgents(simulator, options);
    for (const deviceId of deviceIds) {
      await admin.addModule({ deviceId, moduleId: profile.moduleId });
      await assign(deviceId, 1);
    }
    await agents.whenIdle();
  });

  afterAll(() => {
    agents.stop();
  });

  it('draws every kind of agent, and each one answers the first configuration once; nothing answers twice', () => {
    const modeOf = modes();
    for (const mode of ['accepting', 'rejecting', 'offline', 'none'] as const) expect([...modeOf.values()], mode).toContain(mode);
    const stats: SecurityAgentStats = agents.stats();
    expect(stats).toEqual({
      reportsWritten: answering(modeOf, 'accepting') + answering(modeOf, 'rejecting'),
      rejections: answering(modeOf, 'rejecting'),
      failedWrites: 0,
      scheduled: 0,
    });
  });

  it('is classified as each agent answered: accepting compliant, rejecting rejected, offline and absent pending', async () => {
    expect(await classifyAll()).toEqual(expected(modes()));
  });

  it('answers the compliance use cases the same through twin reads and paged hub queries', async () => {
    const expectedStates = expected(modes());
    for (const deviceId of deviceIds.slice(0, 12)) {
      expect((await readDeviceCompliance({ ...deps, registry: adapter }, deviceId)).state, deviceId).toBe(expectedStates.get(deviceId));
    }
    const fleet = await fleetCompliance({ ...deps, registry: adapter }, { pageSize: 7, cacheMs: 0 })();
    expect(fleet.twinsRead).toBe(DEVICES);
    expect(Object.fromEntries(Object.entries(fleet.counts).filter(([, count]) => count > 0))).toEqual(tally(expectedStates.values()));
  });

  it('does not answer a change of tags only: no loop, no write', async () => {
    const before = agents.stats().reportsWritten;
    for (const deviceId of deviceIds.slice(0, 10)) {
      await admin.updateModuleTwin(deviceId, profile.moduleId, { tags: { note: 'tagged' } }, '*');
    }
    await agents.whenIdle();
    expect(agents.stats().reportsWritten).toBe(before);
  });

  it('while agents are away, a new configuration is pending everywhere; once they are back each answers it as before', async () => {
    agents.stop();
    for (const deviceId of deviceIds) await assign(deviceId, 2);
    expect(tally((await classifyAll()).values())).toEqual({ pending: DEVICES });

    agents = attachSecurityAgents(simulator, options);
    await agents.whenIdle();
    const modeOf = modes();
    expect(await classifyAll()).toEqual(expected(modeOf));
    expect(agents.stats()).toMatchObject({ reportsWritten: answering(modeOf, 'accepting') + answering(modeOf, 'rejecting'), rejections: answering(modeOf, 'rejecting') });
  });

  it('reconnecting agents whose answer stands write nothing', async () => {
    agents.stop();
    agents = attachSecurityAgents(simulator, options);
    await agents.whenIdle();
    // A rejecting C agent re-sends its old configuration after every desired change; with none since, it stays quiet too.
    expect(agents.stats().reportsWritten).toBe(0);
  });

  it('even an accepting agent refuses what the real agent cannot parse, and the twin is rejected', async () => {
    const accepting = deviceIds.filter((deviceId) => agents.modeOf(deviceId) === 'accepting').slice(0, 3);
    for (const deviceId of accepting) await assign(deviceId, 3);
    await agents.whenIdle();
    const states = await classifyAll();
    for (const deviceId of accepting) expect(states.get(deviceId), deviceId).toBe('rejected');
    const verdict = await readDeviceCompliance({ ...deps, registry: adapter }, accepting[0] as string);
    expect(verdict.state).toBe('rejected');
    expect(verdict.settings).toContain(Object.keys(versions[profileId].v3)[0]);
  });
});
