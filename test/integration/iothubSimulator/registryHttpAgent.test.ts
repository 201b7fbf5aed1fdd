// The product's one installer of azure-iothub's private agent seam, and the agent it builds for a routed hub,
// against the simulator (which reaches every other test's Registry through the same two functions).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'azure-iothub';
import { createHubAgent, useHttpAgent } from '../../../src/adapters/iothub/registryHttpAgent';
import { startIotHubSimulator, type IotHubSimulator } from '../../local/iothubSimulator';
import { failureOf } from './helpers';

let simulator: IotHubSimulator;

beforeAll(async () => {
  simulator = await startIotHubSimulator({ throttle: false });
  simulator.seedDevices(1, { idPrefix: 'agent-' });
});

afterAll(async () => {
  await simulator.close();
});

describe('useHttpAgent', () => {
  it('puts the agent under the SDK: a Registry reaches the routed hub through it', async () => {
    const agent = createHubAgent({ hostName: simulator.hostName, connectAddress: { host: '127.0.0.1', port: simulator.port }, extraCaCertificate: simulator.caCertificatePem });

    const { responseBody: device } = await useHttpAgent(Registry.fromConnectionString(simulator.connectionString), agent).get('agent-0');

    expect(device.deviceId).toBe('agent-0');
    agent.destroy();
  });

  it('fails at once, naming what to update, when the SDK no longer has the seam', () => {
    const agent = createHubAgent({ hostName: simulator.hostName });
    for (const changedSdk of [{}, { _restApiClient: {} }, { _restApiClient: { setOptions: 'gone' } }]) {
      expect(() => useHttpAgent(changedSdk as unknown as Registry, agent)).toThrow(/pin azure-iothub 1\.16\.x or update src\/adapters\/iothub\/registryHttpAgent\.ts/);
    }
  });
});

describe('createHubAgent', () => {
  it('refuses the simulator without its CA: the extra CA is what makes its certificate trusted', async () => {
    const agent = createHubAgent({ hostName: simulator.hostName, connectAddress: { host: '127.0.0.1', port: simulator.port } });

    const error = await failureOf(useHttpAgent(Registry.fromConnectionString(simulator.connectionString), agent).get('agent-0'));

    expect(error.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    agent.destroy();
  });
});
