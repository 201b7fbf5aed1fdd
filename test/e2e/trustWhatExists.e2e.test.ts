// What provisioning meets that it did not write, and what it is sent that is not Event Grid: a forged
// assignment tag, an unreadable one, hostile webhook bodies, a flood of events for devices that do not
// exist, and credentials that must never reach a log line or an audit record. Black-box through the lab:
// the real azure-iothub SDK against the simulated hub, the app behind the local Functions host.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import type { Registry } from 'azure-iothub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogBuffer } from '../local/functionsHost';
import { labRegistry } from '../local/lab/labRegistry';
import { startLab, type Lab } from '../local/lab/startLab';
import { getAgentProfile } from '../../src/domain/agentProfiles';
import { defaultSettings } from '../../src/domain/defaultSettings';
import { readConfiguredSettings } from '../../src/domain/desiredConfiguration';
import { deviceCreatedEvent } from '../support/events/deviceCreatedEvent';

const profile = getAgentProfile('asc-classic');
const moduleId = profile.moduleId;
const container = 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration';

let lab: Lab;
let logs: LogBuffer;
let registry: Registry;

/** Registers a device whose security module someone else already created and wrote, before its DeviceCreated arrives. */
async function deviceWithPreparedModule(deviceId: string, patch: Record<string, unknown>): Promise<void> {
  lab.holdDeviceCreatedEvents();
  await registry.create({ deviceId });
  await registry.addModule({ deviceId, moduleId });
  const { responseBody: twin } = await registry.getModuleTwin(deviceId, moduleId);
  await registry.updateModuleTwin(deviceId, moduleId, patch, twin.etag);
  lab.releaseDeviceCreatedEvents();
  await lab.settle();
}

async function audit(deviceId: string): Promise<Array<Record<string, unknown>>> {
  const response = await fetch(`${lab.info.http.baseUrl}/devices/${encodeURIComponent(deviceId)}/audit`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { records: Array<Record<string, unknown>> }).records;
}

function postToWebhook(body: string, eventType = 'Notification'): Promise<Response> {
  return fetch(lab.info.eventGrid.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'aeg-event-type': eventType }, body });
}

beforeAll(async () => {
  logs = new LogBuffer(50_000);
  lab = await startLab({
    httpPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'smt-trust-')),
    throttle: false,
    logger: logs,
    settings: { INCLUDE_EDGE_DEVICES: 'true', EVENT_GRID_CONCURRENCY: '32' },
  });
  registry = labRegistry(lab.info);
});

afterAll(async () => {
  await lab?.stop();
});

describe('a forged or stale assignment tag', () => {
  it('does not make a device look secured: its configuration is put back and the correction audited with the real from → to', async () => {
    const forged = { name: 'default', version: 1, mode: 'enforce', assignedAt: '2026-11-01T00:00:00.000Z' };
    await deviceWithPreparedModule('forged-1', { tags: { securityBaseline: forged }, properties: { desired: { [container]: { eventPriorityLogin: { value: 'Off' } } } } });

    const { responseBody: twin } = await registry.getModuleTwin('forged-1', moduleId);
    expect(readConfiguredSettings(profile, twin.properties.desired)).toEqual(defaultSettings(profile));
    expect(twin.tags).toEqual({ securityBaseline: forged });

    const records = await audit('forged-1');
    expect(records.map((record) => record['action'])).toEqual(['corrected']);
    expect(records.some((record) => record['recovered'] === true)).toBe(false);
    const changes = records[0]!['changes'] as Array<{ setting: string; kind: string; from?: unknown; to?: unknown }>;
    const settingCount = Object.keys(defaultSettings(profile)).length;
    expect(changes).toHaveLength(settingCount);
    expect(changes.filter((change) => change.kind === 'added')).toHaveLength(settingCount - 1);
    expect(changes.find((change) => change.setting === 'eventPriorityLogin')).toMatchObject({ kind: 'changed', from: 'Off' });
  });
});

describe('an unreadable assignment tag', () => {
  it('is a security finding: a warning naming the device and the problems, an audit record, and a hub query that finds it', async () => {
    const unreadable = { name: 'Default Baseline', version: '1' };
    await deviceWithPreparedModule('unreadable-1', { tags: { securityBaseline: unreadable } });

    const warning = logs.entries({ minLevel: 'warning' }).find((entry) => entry.message.includes('unreadable-1') && entry.message.includes('assignment-unreadable'));
    expect(warning?.message).toContain('tags.securityBaseline.version');

    const records = await audit('unreadable-1');
    expect(records).toEqual([expect.objectContaining({ action: 'assignment-unreadable', changes: [], assignment: unreadable })]);
    expect((records[0]!['findings'] as string[]).join(' ')).toMatch(/tags\.securityBaseline\.name.*tags\.securityBaseline\.version|tags\.securityBaseline\.version.*tags\.securityBaseline\.name/s);

    const { responseBody: twin } = await registry.getModuleTwin('unreadable-1', moduleId);
    expect(twin.tags).toEqual({ securityBaseline: unreadable });

    // The README's two counts: twins carrying a tag, and twins carrying a readable one. IoT Hub's query
    // language has no type tests (only IS_DEFINED), so the difference is what tells unreadable tags apart.
    const count = async (where: string) => {
      const { result } = await registry.createQuery(`SELECT COUNT() AS twins FROM devices.modules WHERE moduleId = '${moduleId}' AND ${where}`, 100).next();
      return (result as Array<{ twins: number }>)[0]!.twins;
    };
    const tagged = await count('IS_DEFINED(tags.securityBaseline)');
    const readable = await count(`tags.securityBaseline.version >= 1 AND tags.securityBaseline.mode IN ['enforce', 'audit']`);
    expect(tagged - readable).toBe(1);
  });
});

describe('requests that are not Event Grid deliveries', () => {
  it.each([
    ['an empty body', '', /the request body is empty/],
    ['invalid JSON', '[{"id": "1", ', /not valid JSON/],
    ['JSON nested 5,000 levels deep', `${'['.repeat(5_000)}${']'.repeat(5_000)}`, /nests 5000 levels deep/],
  ])('%s is answered 400 with the reason, and logged with it', async (_what, body, reason) => {
    const before = logs.entries().length;
    const response = await postToWebhook(body);

    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(reason);
    const lines = logs.entries().slice(before).filter((entry) => entry.category === 'user');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warning', functionName: 'onDeviceCreated' });
    expect(lines[0]!.message).toMatch(reason);
  });

  it('10,000 events for devices that do not exist: one summary line, counts by outcome, no identity operation', async () => {
    const events = Array.from({ length: 10_000 }, (_, i) => deviceCreatedEvent(`unknown-${i}`, { id: `unknown-event-${i}`, hubName: 'smt-lab' }));
    lab.simulator.resetStats();
    const before = logs.entries().length;

    const response = await postToWebhook(JSON.stringify(events));

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ counts: { 'device-gone': 10_000 } });
    const lines = logs.entries().slice(before).filter((entry) => entry.category === 'user');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.message).toContain('Event Grid delivery of 10000 events handled');
    const { answered } = lab.simulator.stats();
    expect(answered).toEqual({ getTwin: 10_000 });
  });
});

describe('credentials', () => {
  it('never appear in a log line or an audit record, even when hub calls fail', async () => {
    // Make provisioning fail for a while (every call 503, short deadline), so errors reach the logs.
    lab.simulator.setFaults({ errorRate: 1, statuses: [503], seed: 3 });
    lab.holdDeviceCreatedEvents();
    await registry.create({ deviceId: 'secret-1' }).catch(() => undefined);
    lab.simulator.setFaults(undefined);
    await registry.create({ deviceId: 'secret-2' });
    lab.simulator.setFaults({ errorRate: 1, statuses: [503, 500], seed: 4 });
    const failed = await postToWebhook(
      JSON.stringify([deviceCreatedEvent('secret-2', { id: 'secret-event', hubName: 'smt-lab' })]),
    );
    lab.simulator.setFaults(undefined);
    lab.releaseDeviceCreatedEvents();
    await lab.settle();
    expect(failed.status).toBe(503);

    const key = /SharedAccessKey=([^;]+)/.exec(lab.info.iotHub.connectionString)![1]!;
    const storageKey = /AccountKey=([^;]+)/.exec(lab.info.storage.connectionString)![1]!;
    const everything = logs.entries().map((entry) => entry.message);
    expect(everything.some((message) => message.includes('secret-2') && message.includes('provisioning failed'))).toBe(true);
    const table = TableClient.fromConnectionString(lab.info.storage.connectionString, 'SecurityTwinAudit', { allowInsecureConnection: true });
    for await (const entity of table.listEntities()) everything.push(JSON.stringify(entity));
    for (const text of everything) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(encodeURIComponent(key));
      expect(text).not.toContain(storageKey);
      expect(text).not.toMatch(/SharedAccessSignature sr=[^ ]*sig=(?!\*\*\*)/);
    }
  });
});
