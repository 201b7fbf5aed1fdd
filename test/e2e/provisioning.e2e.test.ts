// Black-box: the lab with the app's real functions; devices created and deleted through the real
// azure-iothub SDK; Event Grid duplicating and re-delivering; 10% of the app's hub calls failing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TableClient } from '@azure/data-tables';
import type { Registry } from 'azure-iothub';
import { LogBuffer } from '../local/functionsHost';
import { startLab, type Lab } from '../local/lab/startLab';
import { labRegistry, readLabInfo } from '../local/lab/labRegistry';
import { getAgentProfile } from '../../src/domain/agentProfiles';
import { defaultSettings } from '../../src/domain/defaultSettings';
import { desiredConfigurationDocument } from '../../src/domain/desiredConfiguration';
import { deviceCreatedCloudEvent, deviceCreatedEvent, subscriptionValidationEvent } from '../support/events/deviceCreatedEvent';

const profile = getAgentProfile('asc-classic');
const moduleId = profile.moduleId;
const matching = Array.from({ length: 500 }, (_, i) => `e2e-${String(i).padStart(4, '0')}`);
const deletedEarly = matching.filter((_, i) => i % 20 === 7); // 25 devices deleted before their event arrives
const notMatching = Array.from({ length: 30 }, (_, i) => `other-${i}`);
const edgeDevices = Array.from({ length: 20 }, (_, i) => `e2e-edge-${i}`);

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

async function queryDeviceIds(registry: Registry, sql: string): Promise<string[]> {
  const query = registry.createQuery(sql, 100);
  const ids: string[] = [];
  while (query.hasMoreResults) {
    const page = await query.nextAsTwin();
    ids.push(...page.result.map((twin) => twin.deviceId));
  }
  return ids.sort();
}

describe('provisioning through the lab', () => {
  let lab: Lab;
  let registry: Registry;
  let appHubCalls: { updateModuleTwin: number; faultsInjected: number };

  beforeAll(async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'smt-e2e-'));
    lab = await startLab({
      httpPort: 0,
      stateDir,
      logger: new LogBuffer(),
      throttle: { tier: 'S3', units: 1 },
      eventGrid: { retrySchedule: [50, 100, 200, 400, 800], maxEventsPerBatch: 5, duplicateRate: 0.2, seed: 11 },
      settings: { DEVICE_ID_PATTERN: 'e2e-.*', INCLUDE_EDGE_DEVICES: 'false', IOTHUB_RETRY_BUDGET_MS: '400' },
    });
    registry = labRegistry(readLabInfo(join(stateDir, 'lab.json')));

    // Event Grid is slow today: nothing is delivered until every device exists and some are deleted again.
    lab.holdDeviceCreatedEvents();
    await inBatches([...matching, ...notMatching], 25, (deviceId) => registry.create({ deviceId }));
    await inBatches(edgeDevices, 10, (deviceId) => registry.create({ deviceId, capabilities: { iotEdge: true } } as Parameters<Registry['create']>[0]));
    await inBatches(deletedEarly, 25, (deviceId) => registry.delete(deviceId));

    lab.simulator.resetStats();
    lab.simulator.setFaults({ errorRate: 0.1, statuses: [429, 503], seed: 5 });
    lab.releaseDeviceCreatedEvents();
    await lab.settle();
    lab.simulator.setFaults(undefined);
    const stats = lab.simulator.stats();
    appHubCalls = {
      updateModuleTwin: stats.succeeded.updateModuleTwin ?? 0,
      faultsInjected: Object.values(stats.rejected.fault).reduce((sum, n) => sum + (n ?? 0), 0),
    };
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it('went through failures: injected hub faults, re-deliveries and duplicates', () => {
    const delivery = lab.deviceCreated.stats();
    console.info(`e2e provisioning: ${JSON.stringify({ delivery, appHubCalls })}`);
    expect(appHubCalls.faultsInjected).toBeGreaterThan(0);
    expect(delivery.failedAttempts).toBeGreaterThan(0);
    expect(delivery.duplicatesSent).toBeGreaterThan(0);
    expect(delivery.published).toBe(matching.length + notMatching.length + edgeDevices.length);
    expect(lab.deviceCreated.deadLetters()).toEqual([]);
  });

  it('gave every existing matching device the module, exactly the baseline and its tag', async () => {
    const expectedDesired = desiredConfigurationDocument(profile, defaultSettings(profile));
    const survivors = matching.filter((deviceId) => !deletedEarly.includes(deviceId));
    const twins = new Map<string, { tags: Record<string, unknown>; properties: { desired: Record<string, unknown> } }>();
    await inBatches(survivors, 50, async (deviceId) => {
      const { responseBody } = await registry.getModuleTwin(deviceId, moduleId);
      twins.set(deviceId, responseBody as never);
    });
    for (const deviceId of survivors) {
      const twin = twins.get(deviceId)!;
      const { $metadata: _metadata, $version: _version, ...desired } = twin.properties.desired;
      expect(desired, deviceId).toEqual(expectedDesired);
      expect(twin.tags, deviceId).toEqual({ securityBaseline: { name: 'default', version: 1, mode: 'enforce', assignedAt: expect.any(String) } });
    }
  });

  it('gave non-matching, IoT Edge and deleted devices no module', async () => {
    const withModule = await queryDeviceIds(registry, `SELECT * FROM devices.modules WHERE moduleId = '${moduleId}'`);
    const expected = matching.filter((deviceId) => !deletedEarly.includes(deviceId)).sort();
    expect(withModule).toEqual(expected);
  });

  it('recorded exactly one audit record per twin change', async () => {
    const { storage } = lab.info;
    const table = TableClient.fromConnectionString(storage.connectionString, 'SecurityTwinAudit', { allowInsecureConnection: true });
    const perDevice = new Map<string, number>();
    for await (const entity of table.listEntities<{ action: string; baselineVersion: number }>({ queryOptions: { filter: "PartitionKey ne '%outbox'" } })) {
      expect(entity.action).toBe('provisioned');
      perDevice.set(entity.partitionKey!, (perDevice.get(entity.partitionKey!) ?? 0) + 1);
    }
    const records = [...perDevice.values()].reduce((sum, n) => sum + n, 0);
    expect(records).toBe(appHubCalls.updateModuleTwin);
    expect(perDevice.size).toBe(matching.length - deletedEarly.length);
    expect([...perDevice.values()].every((count) => count === 1)).toBe(true);
  });

  it('serves the audit of a device and the default baseline over HTTP', async () => {
    const audit = (await (await fetch(`${lab.info.http.baseUrl}/devices/e2e-0001/audit`)).json()) as { records: Array<{ action: string; baselineVersion: number }> };
    expect(audit.records).toMatchObject([{ action: 'provisioned', baselineVersion: 1 }]);
    const baseline = (await (await fetch(`${lab.info.http.baseUrl}/baselines/default`)).json()) as { version: number; profile: string };
    expect(baseline).toMatchObject({ name: 'default', version: 1, profile: 'asc-classic' });
  });

  it('accepts Event Grid deliveries from outside: handshake, a malformed event, and a real one', async () => {
    const post = (body: unknown, type: string) =>
      fetch(lab.info.eventGrid.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'aeg-event-type': type }, body: JSON.stringify(body) });

    const handshake = await post([subscriptionValidationEvent('abc-123')], 'SubscriptionValidation');
    expect(handshake.status).toBe(200);
    expect(await handshake.json()).toEqual({ validationResponse: 'abc-123' });

    const malformed = await post([{ ...deviceCreatedEvent('x', { id: 'bad-1' }), data: {} }], 'Notification');
    expect(malformed.status).toBe(200);
    expect(lab.host.logs({ minLevel: 'error' }).some((entry) => entry.message.includes('Rejected malformed device events') && entry.message.includes('bad-1'))).toBe(true);

    lab.holdDeviceCreatedEvents();
    await registry.create({ deviceId: 'e2e-outside' });
    const delivered = await post([deviceCreatedEvent('e2e-outside', { id: 'outside-1', hubName: 'smt-lab' })], 'Notification');
    expect(delivered.status).toBe(200);
    const { responseBody: twin } = await registry.getModuleTwin('e2e-outside', moduleId);
    expect(twin.tags).toMatchObject({ securityBaseline: { name: 'default', version: 1 } });

    // The same event in the CloudEvents 1.0 schema, as a subscription with that schema delivers it.
    await registry.create({ deviceId: 'e2e-cloudevent' });
    const handshakeOptions = await fetch(lab.info.eventGrid.webhookUrl, { method: 'OPTIONS', headers: { 'WebHook-Request-Origin': 'eventgrid.azure.net' } });
    expect(handshakeOptions.headers.get('webhook-allowed-origin')).toBe('eventgrid.azure.net');
    const cloudEvent = await fetch(lab.info.eventGrid.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json; charset=utf-8', 'aeg-event-type': 'Notification' },
      body: JSON.stringify(deviceCreatedCloudEvent('e2e-cloudevent', { id: 'ce-outside-1', hubName: 'smt-lab' })),
    });
    expect(cloudEvent.status).toBe(200);
    const { responseBody: cloudTwin } = await registry.getModuleTwin('e2e-cloudevent', moduleId);
    expect(cloudTwin.tags).toMatchObject({ securityBaseline: { name: 'default', version: 1 } });
  });
});
