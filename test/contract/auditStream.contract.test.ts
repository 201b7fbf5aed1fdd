// The audit stream's ports, each against the fake the use-case tests rely on and the real adapter: the
// AuditStream on the real @azure/event-hubs producer over AMQP to the local Event Hubs stand-in, and the
// audit table as its outbox on Azurite. The fakes cannot promise what the adapters do not do.
import { testCorrectionRecord } from '../support/auditRecords';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventHubProducerClient } from '@azure/event-hubs';
import type { AuditRecord } from '../../src/app/ports/auditSink';
import type { AuditOutbox, AuditStream } from '../../src/app/ports/auditStream';
import type { AuditSink } from '../../src/app/ports/auditSink';
import { EventHubAuditStream } from '../../src/adapters/eventhubs/eventHubAuditStream';
import { createTableClient } from '../../src/adapters/tables/createTableClient';
import { TableAuditSink } from '../../src/adapters/tables/tableAuditSink';
import { auditEventSource, toAuditEvent, type AuditEvent } from '../../src/domain/auditEvent';
import { isTransient } from '../../src/domain/productError';
import { startEventHubsStandIn, type EventHubsStandIn } from '../local/eventHubs';
import { startAzuriteTables, type RunningAzurite } from '../local/lab/azurite';
import { InMemoryAuditOutbox } from '../support/fakes/inMemoryAuditOutbox';
import { InMemoryAuditStream } from '../support/fakes/inMemoryAuditStream';

const source = auditEventSource('smt-test-hub.azure-devices.net');
let standIn: EventHubsStandIn;
let azurite: RunningAzurite;
const producers: EventHubProducerClient[] = [];
let counter = 0;

beforeAll(async () => {
  [standIn, azurite] = await Promise.all([startEventHubsStandIn(), startAzuriteTables()]);
});

afterAll(async () => {
  await Promise.all(producers.map((producer) => producer.close()));
  await Promise.all([standIn.close(), azurite.close()]);
});

let sequence = 0;
function record(deviceId: string, overrides: Partial<AuditRecord> = {}): AuditRecord {
  sequence += 1;
  return testCorrectionRecord(deviceId, sequence, overrides);
}

/** What a stream contract test needs besides the port: what a consumer would read, and an outage. */
interface StreamWorld {
  readonly port: AuditStream;
  /** A device's events as a consumer reads them, in stream order. */
  eventsFor(deviceId: string): AuditEvent[];
  goDown(): void;
  comeBack(): void;
}

const streamWorlds: Array<[string, () => StreamWorld]> = [
  [
    'InMemoryAuditStream',
    () => {
      const fake = new InMemoryAuditStream(source);
      return {
        port: fake,
        eventsFor: (deviceId) => fake.eventsFor(deviceId),
        goDown: () => (fake.down = true),
        comeBack: () => (fake.down = false),
      };
    },
  ],
  [
    'EventHubAuditStream on the Event Hubs stand-in',
    () => {
      const hub = `audit-${++counter}`;
      standIn.createEventHub(hub, { partitionCount: 4 });
      const producer = new EventHubProducerClient(standIn.connectionString, hub, { retryOptions: { maxRetries: 0, timeoutInMs: 5_000 } });
      producers.push(producer);
      return {
        port: new EventHubAuditStream(producer, { source, retry: { budgetMs: 300, baseDelayMs: 5, maxDelayMs: 20 } }),
        eventsFor: (deviceId) => {
          const onItsPartition = standIn.events(hub, standIn.partitionIdForKey(hub, deviceId)).filter((event) => event.partitionKey === deviceId);
          // Every event of the device is on the partition its ID hashes to, nowhere else.
          const everywhere = [0, 1, 2, 3].flatMap((partition) => standIn.events(hub, partition)).filter((event) => (event.body as AuditEvent).data.deviceId === deviceId);
          expect(everywhere).toHaveLength(onItsPartition.length);
          for (const event of onItsPartition) expect(event.contentType).toBe('application/cloudevents+json; charset=utf-8');
          return onItsPartition.map((event) => event.body as AuditEvent);
        },
        goDown: () => standIn.faults.refuseSends({ eventHub: hub }),
        comeBack: () => standIn.faults.clear(),
      };
    },
  ],
];

describe.each(streamWorlds)('AuditStream contract: %s', (_name, makeWorld) => {
  let world: StreamWorld;
  beforeEach(() => {
    world = makeWorld();
  });

  it('publishes each record as its CloudEvent, a device’s records in the order given', async () => {
    const records = [record('d1'), record('d1', { action: 'drift-observed', mode: 'audit' }), record('d1', { action: 'contested', findings: ['fought over'] })];
    await world.port.publish(records);
    expect(world.eventsFor('d1')).toEqual(records.map((entry) => toAuditEvent(entry, source)));
  });

  it('publishes the records of several devices in one call, each device in order', async () => {
    const records = [record('a'), record('b'), record('a'), record('c'), record('b')];
    await world.port.publish(records);
    for (const device of ['a', 'b', 'c']) {
      expect(world.eventsFor(device).map((event) => event.id)).toEqual(records.filter((entry) => entry.deviceId === device).map((entry) => entry.id));
    }
  });

  it('publishes a record again under the same event id (at least once: consumers recognise the repeat)', async () => {
    const entry = record('again');
    await world.port.publish([entry]);
    await world.port.publish([entry]);
    expect(world.eventsFor('again').map((event) => event.id)).toEqual([entry.id, entry.id]);
  });

  it('does nothing for no records', async () => {
    await world.port.publish([]);
  });

  it('rejects with a transient error while the stream is down, keeps nothing, and publishes once it is back', async () => {
    const entry = record('outage');
    world.goDown();
    const failure = await world.port.publish([entry]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isTransient(failure)).toBe(true);
    expect(world.eventsFor('outage')).toEqual([]);
    world.comeBack();
    await world.port.publish([entry]);
    expect(world.eventsFor('outage').map((event) => event.id)).toEqual([entry.id]);
  });
});

const outboxes: Array<[string, () => AuditSink & AuditOutbox]> = [
  ['InMemoryAuditOutbox', () => new InMemoryAuditOutbox()],
  [
    'TableAuditSink on Azurite',
    () => new TableAuditSink(createTableClient({ kind: 'connectionString', connectionString: azurite.connectionString }, `Outbox${++counter}${Date.now() % 100_000}`)),
  ],
];

describe.each(outboxes)('AuditOutbox contract: %s', (_name, make) => {
  let outbox: AuditSink & AuditOutbox;
  beforeEach(() => {
    outbox = make();
  });

  it('keeps a record written unpublished pending, beside the record itself; a record written plainly is not pending', async () => {
    const pending = record('dev#1?');
    const plain = record('dev#1?');
    await outbox.recordUnpublished(pending);
    await outbox.record(plain);
    expect(await outbox.listUnpublished(10)).toEqual([pending]);
    expect(await outbox.listForDevice('dev#1?')).toEqual([pending, plain]);
  });

  it('lists pending records oldest first, at most the limit', async () => {
    const older = record('b', { at: '2026-11-27T10:00:00.000Z' });
    const newer = record('a', { at: '2026-11-27T11:00:00.000Z' });
    const newest = record('a', { at: '2026-11-27T12:00:00.000Z' });
    for (const entry of [newest, older, newer]) await outbox.recordUnpublished(entry);
    expect(await outbox.listUnpublished(10)).toEqual([older, newer, newest]);
    expect(await outbox.listUnpublished(2)).toEqual([older, newer]);
  });

  it('takes published records out, tolerating records already taken out, and a re-write makes a record pending again', async () => {
    const first = record('d/1');
    const second = record('d/1');
    await outbox.recordUnpublished(first);
    await outbox.recordUnpublished(second);
    await outbox.markPublished([first]);
    await outbox.markPublished([first, record('never-written')]);
    expect(await outbox.listUnpublished(10)).toEqual([second]);
    expect(await outbox.has('d/1', first.id)).toBe(true);

    await outbox.recordUnpublished(first);
    expect(await outbox.listUnpublished(10)).toEqual([first, second]);
  });

  it('keeps a record longer than one table property (32K characters) whole', async () => {
    // Each field within the record row's own limits, the whole record beyond one property. ASCII only:
    // Azurite 3.35.0 decodes a request body chunk by chunk (readRequestIntoText joins Buffers as strings), so a
    // multi-byte character that straddles two TCP chunks of a large write comes back as U+FFFD.
    const long = record('long', {
      findings: Array.from({ length: 100 }, (_, i) => `finding ${i}: ${'e'.repeat(200)}`),
      changes: [{ setting: 'eventPriorityLogin', kind: 'changed', from: 'x'.repeat(25_000), to: 'High', malformed: true }],
    });
    expect(JSON.stringify(long).length).toBeGreaterThan(45_000);
    await outbox.recordUnpublished(long);
    expect(await outbox.listUnpublished(1)).toEqual([long]);
  });
});
