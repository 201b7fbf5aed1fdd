// Agents that answer back, end to end: simulated security agents on the lab's devices answer each desired
// configuration as the real ones do, and the product's compliance answers (per device and for the fleet)
// match what each agent did; refusals are audited as findings by the sweep.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventHubConsumerClient, earliestEventPosition, type ReceivedEventData } from '@azure/event-hubs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogBuffer } from '../local/functionsHost';
import { startLab, type Lab } from '../local/lab/startLab';

const fleetSize = 120;
let lab: Lab;
let deviceIds: string[];

/** What the product must answer for a device, given the agent it runs. */
const expectedState = (mode: string) => (mode === 'accepting' ? 'compliant' : mode === 'rejecting' ? 'rejected' : 'pending');

beforeAll(async () => {
  lab = await startLab({
    httpPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'smt-compliance-')),
    throttle: false,
    logger: new LogBuffer(50_000),
    devices: fleetSize,
    agents: { share: 0.9, rejectingShare: 0.2, offlineShare: 0.1, delayMs: 0, seed: 5 },
    settings: { COMPLIANCE_CACHE_SECONDS: '0' },
  });
  await lab.settle();
  deviceIds = lab.simulator.listDeviceIds();
}, 300_000);

afterAll(async () => {
  await lab?.stop();
});

describe('compliance with simulated agents', () => {
  it('answers each device as its agent answered', async () => {
    const modes = new Map<string, number>();
    for (const deviceId of deviceIds) {
      const mode = lab.agents!.modeOf(deviceId);
      modes.set(mode, (modes.get(mode) ?? 0) + 1);
      const response = await fetch(`${lab.info.http.baseUrl}/devices/${deviceId}/compliance`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { state: string; reason: string };
      expect(body.state, `${deviceId} (${mode}): ${body.reason}`).toBe(expectedState(mode));
    }
    // Every kind of agent is in the fleet, so each branch above was taken.
    expect([...modes.keys()].sort()).toEqual(['accepting', 'none', 'offline', 'rejecting']);
  });

  it('counts the fleet by state, matching the agents', async () => {
    const response = await fetch(`${lab.info.http.baseUrl}/compliance`);
    const { counts, twinsRead } = (await response.json()) as { counts: Record<string, number>; twinsRead: number };
    expect(twinsRead).toBe(fleetSize);
    const expected: Record<string, number> = {};
    for (const deviceId of deviceIds) {
      const state = expectedState(lab.agents!.modeOf(deviceId));
      expected[state] = (expected[state] ?? 0) + 1;
    }
    for (const [state, count] of Object.entries(expected)) expect(counts[state], state).toBe(count);
  });

  it('audits every refusal as a finding in the sweep, visible through the audit API', async () => {
    await lab.sweep();
    const rejecting = deviceIds.filter((deviceId) => lab.agents!.modeOf(deviceId) === 'rejecting');
    expect(rejecting.length).toBeGreaterThan(0);
    for (const deviceId of deviceIds) {
      const { records } = (await (await fetch(`${lab.info.http.baseUrl}/devices/${deviceId}/audit`)).json()) as { records: Array<{ action: string; findings?: string[] }> };
      const findings = records.filter((record) => record.action === 'agent-rejected');
      expect(findings.length, deviceId).toBe(rejecting.includes(deviceId) ? 1 : 0);
    }
  });

  it('publishes every refusal to the security audit stream, read with the real Event Hubs consumer', async () => {
    const rejecting = deviceIds.filter((deviceId) => lab.agents!.modeOf(deviceId) === 'rejecting').sort();
    const { connectionString, eventHubName } = lab.info.auditStream;
    const consumer = new EventHubConsumerClient('$Default', connectionString, eventHubName);
    const received: ReceivedEventData[] = [];
    const subscription = consumer.subscribe(
      { processEvents: async (events) => void received.push(...events), processError: async () => undefined },
      { startPosition: earliestEventPosition, maxWaitTimeInSeconds: 1 },
    );
    const rejectedDevices = () =>
      [...new Set(received.filter((event) => (event.body as { type?: string }).type === 'com.securitymoduletwins.twin.agent-rejected').map((event) => event.partitionKey as string))].sort();
    // Bounded: gives up after 30 polls and lets the assertion below say what was missing.
    for (let poll = 0; poll < 30 && rejectedDevices().length < rejecting.length; poll++) await new Promise((resolve) => setTimeout(resolve, 500));
    await subscription.close();
    await consumer.close();
    expect(rejectedDevices()).toEqual(rejecting);
    const event = received.find((candidate) => candidate.partitionKey === rejecting[0] && (candidate.body as { type?: string }).type === 'com.securitymoduletwins.twin.agent-rejected')!;
    expect(event.body).toMatchObject({ specversion: '1.0', subject: `devices/${rejecting[0]}/modules/azureiotsecurity`, data: { action: 'agent-rejected', severity: 'high' } });
  });
});
