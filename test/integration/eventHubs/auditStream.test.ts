// The security audit stream end to end on local stand-ins with the real SDKs: the audit table on Azurite
// (@azure/data-tables), the Event Hub on the AMQP stand-in (@azure/event-hubs producer, and a consumer as a
// SIEM would read it), wired from app settings as the product wires them.
import { testCorrectionRecord } from '../../support/auditRecords';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventHubConsumerClient, earliestEventPosition, type EventHubProducerClient, type ReceivedEventData, type Subscription } from '@azure/event-hubs';
import type { TableClient } from '@azure/data-tables';
import type { AuditRecord } from '../../../src/app/ports/auditSink';
import type { Logger } from '../../../src/app/ports/logger';
import { AuditStreamHealth, PublishingAuditSink, publishPendingAuditRecords } from '../../../src/app/publishingAuditSink';
import { createAuditProducer } from '../../../src/adapters/eventhubs/createAuditProducer';
import { EventHubAuditStream } from '../../../src/adapters/eventhubs/eventHubAuditStream';
import { createTableClient } from '../../../src/adapters/tables/createTableClient';
import { TableAuditSink } from '../../../src/adapters/tables/tableAuditSink';
import { loadConfig } from '../../../src/config';
import { auditEventSource, toAuditEvent, type AuditEvent } from '../../../src/domain/auditEvent';
import { isTransient } from '../../../src/domain/productError';
import { startEventHubsStandIn, type EventHubsStandIn } from '../../local/eventHubs';
import { startAzuriteTables, type RunningAzurite } from '../../local/lab/azurite';
import { FixedClock } from '../../support/fakes/fixedClock';

const hubHostName = 'smt-lab.azure-devices.net';
const source = auditEventSource(hubHostName);
let standIn: EventHubsStandIn;
let azurite: RunningAzurite;
const closing: Array<{ close(): Promise<void> }> = [];
let counter = 0;

beforeAll(async () => {
  [standIn, azurite] = await Promise.all([startEventHubsStandIn(), startAzuriteTables()]);
});
afterEach(async () => {
  standIn.faults.clear();
  await Promise.all(closing.splice(0).map((client) => client.close()));
});
afterAll(async () => {
  await Promise.all([standIn.close(), azurite.close()]);
});

/** A hub, and the app's producer for it built from app settings as the product builds it. */
function auditHub(partitionCount = 4): { hub: string; producer: EventHubProducerClient } {
  const hub = `security-audit-${++counter}`;
  standIn.createEventHub(hub, { partitionCount });
  const config = loadConfig({
    IOTHUB_CONNECTION_STRING: `HostName=${hubHostName};SharedAccessKeyName=service;SharedAccessKey=a2V5`,
    PRODUCT_STORAGE_CONNECTION_STRING: azurite.connectionString,
    AUDIT_EVENT_HUB_CONNECTION_STRING: standIn.connectionString,
    AUDIT_EVENT_HUB_NAME: hub,
  });
  const producer = createAuditProducer(config.auditStream!);
  closing.push(producer);
  return { hub, producer };
}

function freshTable(): { client: TableClient; sink: TableAuditSink } {
  const client = createTableClient({ kind: 'connectionString', connectionString: azurite.connectionString }, `StreamAudit${++counter}${Date.now() % 100_000}`);
  return { client, sink: new TableAuditSink(client) };
}

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const retry = { budgetMs: 500, baseDelayMs: 5, maxDelayMs: 25 };

let sequence = 0;
function record(deviceId: string, overrides: Partial<AuditRecord> = {}): AuditRecord {
  sequence += 1;
  return testCorrectionRecord(deviceId, sequence, overrides);
}

const heldFor = (hub: string, deviceId: string) =>
  standIn
    .events(hub, standIn.partitionIdForKey(hub, deviceId))
    .filter((event) => event.partitionKey === deviceId)
    .map((event) => event.body as AuditEvent);

async function until(what: string, condition: () => boolean): Promise<void> {
  const stopAt = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > stopAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('security audit stream on the Event Hubs stand-in', () => {
  it('gets a record written during an outage to the stream afterwards, and a SIEM reads it as its CloudEvent', async () => {
    const { hub, producer } = auditHub();
    const { client, sink: table } = freshTable();
    const stream = new EventHubAuditStream(producer, { source, retry });
    const clock = new FixedClock();
    const health = new AuditStreamHealth(60_000);
    const sink = new PublishingAuditSink({ table, stream, clock, logger: silent, health });

    const before = record('sensor-1');
    await sink.record(before);
    standIn.faults.refuseSends({ eventHub: hub });
    const during = [record('sensor-1'), record('sensor-2')];
    for (const entry of during) await sink.record(entry);

    // Written, not published, not lost: the table holds them flagged unpublished and pending.
    expect((await table.listForDevice('sensor-1')).map((entry) => entry.id)).toEqual([before.id, during[0]!.id]);
    expect(heldFor(hub, 'sensor-1').map((event) => event.id)).toEqual([before.id]);
    expect((await client.getEntity<{ published?: boolean }>('sensor-1', during[0]!.id)).published).toBe(false);
    expect((await client.getEntity<{ published?: boolean }>('sensor-1', before.id)).published).toBe(true);
    expect((await table.listUnpublished(10)).map((entry) => entry.id)).toEqual(during.map((entry) => entry.id));
    expect(health.failing).toBe(true);

    // Still down: the sweep's run publishes nothing and says so.
    const stillDown = await publishPendingAuditRecords({ table, stream, clock, logger: silent, health });
    expect(stillDown).toMatchObject({ published: 0, morePending: true, error: expect.stringContaining('ServerBusyError') });

    standIn.faults.clear();
    expect(await publishPendingAuditRecords({ table, stream, clock, logger: silent, health })).toEqual({ published: 2, morePending: false });
    expect(heldFor(hub, 'sensor-1').map((event) => event.id)).toEqual([before.id, during[0]!.id]);
    expect(heldFor(hub, 'sensor-2').map((event) => event.id)).toEqual([during[1]!.id]);
    expect(await table.listUnpublished(10)).toEqual([]);
    expect((await client.getEntity<{ published?: boolean }>('sensor-2', during[1]!.id)).published).toBe(true);
    expect(health.failing).toBe(false);

    // What a SIEM's consumer reads: the CloudEvent, structured mode.
    const consumer = new EventHubConsumerClient('$Default', standIn.connectionString, hub);
    closing.push(consumer);
    const received: ReceivedEventData[] = [];
    const subscription: Subscription = consumer.subscribe(
      standIn.partitionIdForKey(hub, 'sensor-2'),
      { processEvents: async (events) => void received.push(...events), processError: async () => undefined },
      { startPosition: earliestEventPosition, maxWaitTimeInSeconds: 1 },
    );
    await until('the event of sensor-2', () => received.some((event) => event.partitionKey === 'sensor-2'));
    await subscription.close();
    const event = received.find((candidate) => candidate.partitionKey === 'sensor-2')!;
    expect(event.body).toEqual(toAuditEvent(during[1]!, source));
    expect(event).toMatchObject({ contentType: 'application/cloudevents+json; charset=utf-8', messageId: during[1]!.id });
    expect(event.properties).toEqual({ type: 'com.securitymoduletwins.twin.corrected', severity: 'warning' });
  });

  it('retries sends the hub refuses for a moment, within the retry budget', async () => {
    const { hub, producer } = auditHub();
    const stream = new EventHubAuditStream(producer, { source, retry: { budgetMs: 5_000, baseDelayMs: 5, maxDelayMs: 25 } });
    await stream.publish([record('warm-up')]);
    const refusedBefore = standIn.stats().sendsRefused;
    standIn.faults.refuseSends({ eventHub: hub, count: 3 });
    const entry = record('busy');
    await stream.publish([entry]);
    expect(standIn.stats().sendsRefused - refusedBefore).toBe(3);
    expect(heldFor(hub, 'busy').map((event) => event.id)).toEqual([entry.id]);
  });

  it('sends one batch per device, each to the partition its device ID hashes to, in order', async () => {
    const { hub, producer } = auditHub();
    const stream = new EventHubAuditStream(producer, { source, retry });
    await stream.publish([record('warm-up')]);
    const sendsBefore = standIn.stats().sendsAccepted;
    const records = ['d-1', 'd-2', 'd-3'].flatMap((deviceId) => [record(deviceId), record(deviceId), record(deviceId)]);
    await stream.publish(records);
    expect(standIn.stats().sendsAccepted - sendsBefore).toBe(3);
    for (const deviceId of ['d-1', 'd-2', 'd-3']) {
      expect(heldFor(hub, deviceId)).toEqual(records.filter((entry) => entry.deviceId === deviceId).map((entry) => toAuditEvent(entry, source)));
    }
  });

  it("splits a device's records over several batches when they exceed one message, keeping their order", async () => {
    const small = await startEventHubsStandIn({ maxMessageSizeBytes: 8 * 1024, eventHubs: { 'security-audit': { partitionCount: 2 } } });
    const producer = createAuditProducer({ eventHubName: 'security-audit', credential: { kind: 'connectionString', connectionString: small.connectionString }, retryBudgetMs: 500 });
    try {
      const stream = new EventHubAuditStream(producer, { source, retry });
      const records = Array.from({ length: 12 }, () => record('chatty', { reason: 'r'.repeat(1_500) }));
      await stream.publish(records);
      const held = small.events('security-audit', small.partitionIdForKey('security-audit', 'chatty'));
      expect(held.map((event) => (event.body as AuditEvent).id)).toEqual(records.map((entry) => entry.id));
      expect(small.stats().sendsAccepted).toBeGreaterThan(2);
    } finally {
      await producer.close();
      await small.close();
    }
  });

  it('gives up at the deadline with a transient error, having sent nothing', async () => {
    const { hub, producer } = auditHub();
    const stream = new EventHubAuditStream(producer, { source, retry }).withDeadline({ atMs: Date.now() - 1 });
    const failure = await stream.publish([record('late')]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isTransient(failure)).toBe(true);
    expect(failure).toMatchObject({ code: 'DeadlineExceeded' });
    expect(heldFor(hub, 'late')).toEqual([]);
  });

  it('reports a hub that does not exist as transient but not worth retrying now, and a wrong key likewise', async () => {
    const missing = createAuditProducer({ eventHubName: 'no-such-hub', credential: { kind: 'connectionString', connectionString: standIn.connectionString }, retryBudgetMs: 500 });
    closing.push(missing);
    const failure = await new EventHubAuditStream(missing, { source, retry }).publish([record('x')]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ kind: 'transient', code: 'MessagingEntityNotFoundError', retryNow: false });

    const { hub } = auditHub();
    const wrongKey = createAuditProducer({
      eventHubName: hub,
      credential: { kind: 'connectionString', connectionString: standIn.connectionString.replace(/SharedAccessKey=[^;]+/, 'SharedAccessKey=d3Jvbmc=') },
      retryBudgetMs: 500,
    });
    closing.push(wrongKey);
    const refused = await new EventHubAuditStream(wrongKey, { source, retry }).publish([record('x')]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ kind: 'transient', code: 'UnauthorizedError', retryNow: false });
    expect(String((refused as Error).message)).not.toContain('d3Jvbmc=');
  });

  it('reaches a namespace with the managed identity (DefaultAzureCredential) when configured so', async () => {
    const producer = createAuditProducer({
      eventHubName: 'security-audit',
      credential: { kind: 'managedIdentity', fullyQualifiedNamespace: 'smt-prod.servicebus.windows.net', clientId: '00000000-0000-0000-0000-000000000001' },
      retryBudgetMs: 500,
    });
    closing.push(producer);
    expect(producer.fullyQualifiedNamespace).toBe('smt-prod.servicebus.windows.net');
    expect(producer.eventHubName).toBe('security-audit');
  });
});
