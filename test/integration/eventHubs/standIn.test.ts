// The local Event Hubs stand-in driven by the real @azure/event-hubs producer and consumer over AMQP on
// loopback: what the product's audit stream and the host's Event Hub trigger rely on.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  EventHubConsumerClient,
  EventHubProducerClient,
  earliestEventPosition,
  latestEventPosition,
  type EventPosition,
  type ReceivedEventData,
  type Subscription,
} from '@azure/event-hubs';
import { startEventHubsStandIn, type EventHubsStandIn } from '../../local/eventHubs';
import { sharedAccessSignature } from '../../local/eventHubs/sharedAccessSignature';

let standIn: EventHubsStandIn;
const clients: Array<{ close(): Promise<void> }> = [];
const subscriptions: Subscription[] = [];
let hubCounter = 0;

/** A fresh hub per test, so tests do not see each other's events. */
function freshHub(partitionCount = 4, consumerGroups: string[] = []): string {
  const name = `hub-${++hubCounter}`;
  standIn.createEventHub(name, { partitionCount, consumerGroups });
  return name;
}

const fastRetries = { maxRetries: 3, retryDelayInMs: 10, maxRetryDelayInMs: 50, timeoutInMs: 5_000 };

function producer(hub: string, connectionString = standIn.connectionString, retryOptions: object = fastRetries): EventHubProducerClient {
  const client = new EventHubProducerClient(connectionString, hub, { retryOptions });
  clients.push(client);
  return client;
}

function consumer(hub: string, consumerGroup = '$Default', connectionString = standIn.connectionString): EventHubConsumerClient {
  const client = new EventHubConsumerClient(consumerGroup, connectionString, hub, { retryOptions: fastRetries });
  clients.push(client);
  return client;
}

/** The SDK reports an operation whose retries ran out as an AggregateError of every attempt's error. */
function codesOf(error: unknown): Array<string | undefined> {
  if (error instanceof AggregateError) return error.errors.flatMap(codesOf);
  return [(error as { code?: string }).code];
}

async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const stopAt = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > stopAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Receives from one partition until `count` events arrived; errors are collected, not thrown. */
function receive(client: EventHubConsumerClient, partitionId: string, startPosition: EventPosition, options: { ownerLevel?: number } = {}) {
  const events: ReceivedEventData[] = [];
  const errors: Error[] = [];
  const subscription = client.subscribe(
    partitionId,
    {
      processEvents: async (batch) => {
        events.push(...batch);
      },
      processError: async (error) => {
        errors.push(error);
      },
    },
    { startPosition, maxBatchSize: 50, maxWaitTimeInSeconds: 1, ...options },
  );
  subscriptions.push(subscription);
  return { events, errors, subscription };
}

beforeAll(async () => {
  standIn = await startEventHubsStandIn({
    policies: [
      { name: 'RootManageSharedAccessKey', key: 'cm9vdC1rZXk=', rights: ['Send', 'Listen', 'Manage'] },
      { name: 'send-only', key: 'c2VuZC1rZXk=', rights: ['Send'] },
    ],
  });
});

afterEach(async () => {
  standIn.faults.clear();
  await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

afterAll(async () => {
  await standIn.close();
});

describe('Event Hubs stand-in with the real SDK', () => {
  it('listens on loopback only and hands out a development-emulator connection string', () => {
    expect(standIn.endpoint).toBe(`sb://127.0.0.1:${standIn.port}`);
    expect(standIn.connectionString).toBe(`Endpoint=sb://127.0.0.1:${standIn.port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=cm9vdC1rZXk=;UseDevelopmentEmulator=true`);
    expect(standIn.fullyQualifiedNamespace).toBe('smt-lab.servicebus.windows.net');
  });

  it('answers hub and partition properties through $management', async () => {
    const hub = freshHub(3);
    const client = producer(hub);
    expect(await client.getPartitionIds()).toEqual(['0', '1', '2']);
    const properties = await client.getEventHubProperties();
    expect(properties).toMatchObject({ name: hub, partitionIds: ['0', '1', '2'] });
    expect(await client.getPartitionProperties('1')).toMatchObject({ eventHubName: hub, partitionId: '1', isEmpty: true, lastEnqueuedSequenceNumber: -1 });

    await client.sendBatch([{ body: 'a' }, { body: 'b' }], { partitionId: '1' });
    expect(await client.getPartitionProperties('1')).toMatchObject({ isEmpty: false, lastEnqueuedSequenceNumber: 1 });
  });

  it('places a batch sent with a partition key on the partition the key hashes to, in order, with the key on every event', async () => {
    const hub = freshHub(4);
    const client = producer(hub);
    for (const device of ['sensor-1', 'sensor-2', 'sensor-3', 'sensor-4', 'sensor-5']) {
      const batch = await client.createBatch({ partitionKey: device });
      for (let i = 0; i < 3; i++) expect(batch.tryAdd({ body: { device, i }, properties: { n: i } })).toBe(true);
      await client.sendBatch(batch);
    }
    for (const device of ['sensor-1', 'sensor-2', 'sensor-3', 'sensor-4', 'sensor-5']) {
      const partition = standIn.partitionIdForKey(hub, device);
      const held = standIn.events(hub, partition).filter((event) => event.partitionKey === device);
      expect(held.map((event) => [event.body, event.properties['n']])).toEqual([0, 1, 2].map((i) => [{ device, i }, i]));
    }
    const total = Object.values(standIn.stats().eventsPerPartition[hub] ?? []).reduce((sum, count) => sum + count, 0);
    expect(total).toBe(15);
  });

  it('sends to a partition, and spreads unkeyed sends over the partitions', async () => {
    const hub = freshHub(2);
    const client = producer(hub);
    await client.sendBatch([{ body: 1 }, { body: 2 }], { partitionId: '1' });
    expect(standIn.events(hub, '1').map((event) => event.body)).toEqual([1, 2]);
    await client.sendBatch([{ body: 'x' }]);
    await client.sendBatch([{ body: 'y' }]);
    expect([...standIn.events(hub, '0'), ...standIn.events(hub, '1')].map((event) => event.body)).toEqual(expect.arrayContaining(['x', 'y']));
    expect(standIn.events(hub, '0')).toHaveLength(1);
  });

  it('delivers a partition to a consumer from the earliest event, with sequence numbers, offsets, enqueued times, keys and properties', async () => {
    const hub = freshHub(2);
    await producer(hub).sendBatch(
      [
        { body: { n: 1 }, properties: { kind: 'first' }, contentType: 'application/json', messageId: 'm1' },
        { body: { n: 2 }, properties: { kind: 'second' } },
      ],
      { partitionKey: 'device-a' },
    );
    const partition = standIn.partitionIdForKey(hub, 'device-a');
    const { events, errors } = receive(consumer(hub), partition, earliestEventPosition);
    await until('two events', () => events.length >= 2);
    expect(errors).toEqual([]);
    expect(events.map((event) => [event.body, event.properties?.['kind'], event.sequenceNumber, event.partitionKey])).toEqual([
      [{ n: 1 }, 'first', 0, 'device-a'],
      [{ n: 2 }, 'second', 1, 'device-a'],
    ]);
    expect(events[0]).toMatchObject({ contentType: 'application/json', messageId: 'm1' });
    expect(events.map((event) => event.offset)).toEqual(standIn.events(hub, partition).map((event) => event.offset));
    expect(events[0]!.enqueuedTimeUtc).toEqual(standIn.events(hub, partition)[0]!.enqueuedTime);
  });

  it('starts a consumer after a sequence number, at an offset, or at the latest event', async () => {
    const hub = freshHub(1);
    const client = producer(hub);
    await client.sendBatch([0, 1, 2, 3].map((n) => ({ body: n })));
    const held = standIn.events(hub, 0);

    const afterSequence = receive(consumer(hub), '0', { sequenceNumber: 1 });
    const fromOffset = receive(consumer(hub), '0', { offset: held[2]!.offset, isInclusive: true });
    await until('events after sequence number 1 and from the offset of #2', () => afterSequence.events.length >= 2 && fromOffset.events.length >= 2);
    expect(afterSequence.events.map((event) => event.body)).toEqual([2, 3]);
    expect(fromOffset.events.map((event) => event.body)).toEqual([2, 3]);

    const receivers = standIn.stats().receiversOpen;
    const latest = receive(consumer(hub), '0', latestEventPosition);
    await until('the latest receiver to attach', () => standIn.stats().receiversOpen > receivers);
    await client.sendBatch([{ body: 4 }]);
    await until('the new event', () => latest.events.length >= 1);
    expect(latest.events.map((event) => event.body)).toEqual([4]);
  });

  it('delivers events published from the test side to a waiting consumer, as a service routing into the hub would', async () => {
    const hub = freshHub(2);
    const { events } = receive(consumer(hub), '1', earliestEventPosition);
    const stored = standIn.publish(hub, [
      { body: { deviceId: 'd1', version: 3 }, properties: { 'iothub-message-source': 'twinChangeEvents', opType: 'updateTwin' }, messageAnnotations: { 'iothub-connection-device-id': 'd1' }, partitionId: '1' },
    ]);
    expect(stored[0]).toMatchObject({ partitionId: '1', sequenceNumber: 0, body: { deviceId: 'd1', version: 3 } });
    await until('the published event', () => events.length >= 1);
    expect(events[0]!.body).toEqual({ deviceId: 'd1', version: 3 });
    expect(events[0]!.properties).toEqual({ 'iothub-message-source': 'twinChangeEvents', opType: 'updateTwin' });
    expect(events[0]!.systemProperties).toMatchObject({ 'iothub-connection-device-id': 'd1' });
  });

  it('keeps consumer groups apart and refuses one that does not exist', async () => {
    const hub = freshHub(1, ['siem']);
    standIn.publish(hub, [{ body: 'e', partitionId: '0' }]);
    const inDefault = receive(consumer(hub), '0', earliestEventPosition);
    const inSiem = receive(consumer(hub, 'siem'), '0', earliestEventPosition);
    await until('both groups to receive', () => inDefault.events.length === 1 && inSiem.events.length === 1);

    const missing = receive(consumer(hub, 'nobody'), '0', earliestEventPosition);
    await until('an error', () => missing.errors.length > 0);
    expect(missing.errors[0]!.message).toMatch(/consumer group 'nobody'/);
    expect(missing.events).toEqual([]);
  });

  it('lets a receiver with a higher owner level take a partition from one with a lower level', async () => {
    const hub = freshHub(1);
    const first = receive(consumer(hub), '0', earliestEventPosition, { ownerLevel: 1 });
    standIn.publish(hub, [{ body: 'before', partitionId: '0' }]);
    await until('the first receiver', () => first.events.length === 1);
    const second = receive(consumer(hub), '0', earliestEventPosition, { ownerLevel: 2 });
    await until('the second receiver', () => second.events.length === 1);
    await until('the first receiver to be disconnected', () => first.errors.length > 0);
    expect(first.errors[0]!.name).toBe('MessagingError');
    expect((first.errors[0] as Error & { code?: string }).code).toBe('ReceiverDisconnectedError');
  });

  it('refuses a wrong key, an expired token, an unknown hub, and a receiver on a send-only policy', async () => {
    const hub = freshHub(1);
    const wrongKey = standIn.connectionString.replace('cm9vdC1rZXk=', 'd3Jvbmc=');
    await expect(producer(hub, wrongKey, { maxRetries: 0 }).sendBatch([{ body: 1 }])).rejects.toMatchObject({ code: 'UnauthorizedError' });

    const audience = `${standIn.endpoint}/${hub}`;
    const expired = sharedAccessSignature(audience, { name: 'RootManageSharedAccessKey', key: 'cm9vdC1rZXk=' }, Date.now() - 60_000);
    const expiredConnection = `Endpoint=${standIn.endpoint};SharedAccessSignature=${expired};UseDevelopmentEmulator=true`;
    await expect(producer(hub, expiredConnection, { maxRetries: 0 }).sendBatch([{ body: 1 }])).rejects.toMatchObject({ code: 'UnauthorizedError' });

    await expect(producer('no-such-hub', standIn.connectionString, { maxRetries: 0 }).sendBatch([{ body: 1 }])).rejects.toMatchObject({
      code: 'MessagingEntityNotFoundError',
    });

    const sendOnly = standIn.connectionStringFor('send-only');
    await producer(hub, sendOnly).sendBatch([{ body: 'allowed' }]);
    const listening = receive(consumer(hub, '$Default', sendOnly), '0', earliestEventPosition);
    await until('a refusal', () => listening.errors.length > 0);
    expect(new Set(listening.errors.flatMap(codesOf))).toEqual(new Set(['UnauthorizedError']));
    expect(standIn.events(hub, 0).map((event) => event.body)).toEqual(['allowed']);
    expect(standIn.stats().tokensRefused).toBeGreaterThanOrEqual(1);
  });

  it('refuses sends while told to (server busy): the SDK retries a short refusal and reports a long one', async () => {
    const hub = freshHub(1);
    const client = producer(hub);
    await client.getPartitionIds();
    const before = standIn.stats();

    standIn.faults.refuseSends({ count: 2 });
    await client.sendBatch([{ body: 'after two refusals' }]);
    expect(standIn.events(hub, 0).map((event) => event.body)).toEqual(['after two refusals']);
    expect(standIn.stats().sendsRefused - before.sendsRefused).toBe(2);

    standIn.faults.refuseSends({ eventHub: hub });
    const refused = await producer(hub, standIn.connectionString, { maxRetries: 1, retryDelayInMs: 1 })
      .sendBatch([{ body: 'refused' }])
      .then(() => undefined, (error: unknown) => error);
    expect(codesOf(refused)).toEqual(['ServerBusyError', 'ServerBusyError']);
    standIn.faults.clear();
    await client.sendBatch([{ body: 'accepted again' }]);
    expect(standIn.events(hub, 0).map((event) => event.body)).toEqual(['after two refusals', 'accepted again']);
  });

  it('refuses a message larger than the hub allows', async () => {
    const small = await startEventHubsStandIn({ maxMessageSizeBytes: 2048, eventHubs: { tiny: { partitionCount: 1 } } });
    const client = new EventHubProducerClient(small.connectionString, 'tiny', { retryOptions: { maxRetries: 0 } });
    try {
      const batch = await client.createBatch();
      expect(batch.maxSizeInBytes).toBe(2048);
      expect(batch.tryAdd({ body: 'x'.repeat(4096) })).toBe(false);
      expect(batch.tryAdd({ body: 'fits' })).toBe(true);
      await client.sendBatch(batch);
      expect(small.events('tiny', 0).map((event) => event.body)).toEqual(['fits']);
    } finally {
      await client.close();
      await small.close();
    }
  });

  it('survives dropped connections: the SDK reconnects and the hub keeps its events', async () => {
    const hub = freshHub(1);
    const client = producer(hub);
    await client.sendBatch([{ body: 'before' }]);
    const opened = standIn.stats().connectionsOpened;
    standIn.faults.dropConnections();
    await until('the connection to close', () => standIn.stats().connectionsOpen === 0);
    await client.sendBatch([{ body: 'after' }]);
    expect(standIn.events(hub, 0).map((event) => event.body)).toEqual(['before', 'after']);
    expect(standIn.stats().connectionsOpened).toBeGreaterThan(opened);
  });
});
