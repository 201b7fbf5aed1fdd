import path from 'node:path';
import { app } from '@azure/functions';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalFunctionsHost } from '../../local/functionsHost/localFunctionsHost';
import type { EventHubMessage } from '../../local/functionsHost/triggerInput';
import { sampleBehaviour, sampleCalls } from './fixtures/sampleApp';

const sampleApp = path.join(__dirname, 'fixtures', 'sampleApp.ts');
const settings = {
  SampleEventHubConnection: 'Endpoint=sb://smt-local.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=a2V5',
  SampleTwinHub: 'twin-changes',
  SampleSweepSchedule: '0 */5 * * * *',
};

const noRetryBatches: number[][] = [];
app.eventHub('ehNoRetry', {
  connection: 'SampleEventHubConnection',
  eventHubName: 'twin',
  cardinality: 'many',
  handler: (messages: unknown[]) => {
    noRetryBatches.push(messages.map((m) => (m as { n: number }).n));
    throw new Error('always fails');
  },
});

// Cardinality one: each handler waits until every event of the received batch has started.
const single = { expected: 0, started: 0, open: () => undefined as void, opened: Promise.resolve(), attempts: new Map<number, number>() };
app.eventHub('ehSingle', {
  connection: 'SampleEventHubConnection',
  eventHubName: 'twin',
  retry: { strategy: 'fixedDelay', maxRetryCount: 2, delayInterval: { seconds: 1 } },
  handler: async (message: unknown) => {
    const n = (message as { n: number }).n;
    single.attempts.set(n, (single.attempts.get(n) ?? 0) + 1);
    if (single.attempts.get(n) === 1) {
      single.started += 1;
      if (single.started === single.expected) single.open();
      await single.opened;
    }
    if (n === 2) throw new Error('event 2 is poison');
  },
});

const messages = (count: number, firstSequence = 1): EventHubMessage[] =>
  Array.from({ length: count }, (_, i) => ({
    body: { n: firstSequence + i },
    sequenceNumber: firstSequence + i,
    offset: String((firstSequence + i) * 1024),
    enqueuedTimeUtc: '2025-01-01T10:00:00Z',
  }));

describe('LocalFunctionsHost.deliverEventHubBatch', () => {
  let host: LocalFunctionsHost;

  beforeAll(async () => {
    host = await LocalFunctionsHost.load({ functionModules: [sampleApp], settings, eventHubs: { retryDelayScale: 0.0005 } });
  });

  beforeEach(() => {
    sampleCalls.length = 0;
    sampleBehaviour.failTwinChangesTimes = 0;
  });

  it('splits by maxEventBatchSize for cardinality many and checkpoints after each batch', async () => {
    const result = await host.deliverEventHubBatch('sampleTwinChanges', messages(250), { partitionId: '1' });
    expect(sampleCalls.map((c) => (c.input as unknown[]).length)).toEqual([100, 100, 50]);
    expect(result.outcomes.map((o) => [o.status, o.attempts, o.sequenceNumbers.length])).toEqual([
      ['succeeded', 1, 100],
      ['succeeded', 1, 100],
      ['succeeded', 1, 50],
    ]);
    expect(result.checkpoint).toEqual({ sequenceNumber: 250, offset: String(250 * 1024) });
    expect(host.eventHubCheckpoint('sampleTwinChanges', '1')).toEqual(result.checkpoint);
  });

  it('retries an uncaught exception under the exponential policy with the same events and a growing retry context', async () => {
    sampleBehaviour.failTwinChangesTimes = 2;
    const result = await host.deliverEventHubBatch('sampleTwinChanges', messages(3, 300), { partitionId: '2' });
    expect(result.outcomes).toEqual([expect.objectContaining({ status: 'succeeded', attempts: 3, sequenceNumbers: [300, 301, 302] })]);
    expect(sampleCalls.map((c) => c.input)).toEqual(Array.from({ length: 3 }, () => [{ n: 300 }, { n: 301 }, { n: 302 }]));
    expect(sampleCalls.map((c) => c.retryContext)).toEqual([
      { retryCount: 0, maxRetryCount: 3 },
      { retryCount: 1, maxRetryCount: 3, exception: expect.objectContaining({ message: 'hub throttled (429)', source: 'Error' }) },
      { retryCount: 2, maxRetryCount: 3, exception: expect.objectContaining({ message: 'hub throttled (429)' }) },
    ]);
    expect(new Set(result.outcomes[0]!.invocationIds).size).toBe(3);
    expect(host.logs({ functionName: 'sampleTwinChanges' }).some((l) => l.message.startsWith('Waiting for') && l.message.includes("Next attempt: '2'"))).toBe(true);
  });

  it('gives up after maxRetryCount, records the batch as lost and still advances the checkpoint to the next batch', async () => {
    sampleBehaviour.failTwinChangesTimes = 4;
    const lostBefore = host.eventHubLosses().length;
    const result = await host.deliverEventHubBatch('sampleTwinChanges', messages(4, 500), { partitionId: '3', maxEventBatchSize: 2 });

    expect(result.outcomes.map((o) => [o.status, o.attempts, o.sequenceNumbers])).toEqual([
      ['lost', 4, [500, 501]],
      ['succeeded', 1, [502, 503]],
    ]);
    expect(result.lost[0]!.error).toEqual(new Error('hub throttled (429)'));
    expect(host.eventHubLosses().slice(lostBefore)).toEqual(result.lost);
    expect(result.checkpoint).toEqual({ sequenceNumber: 503, offset: String(503 * 1024) });
    expect(host.logs({ functionName: 'sampleTwinChanges', minLevel: 'error' }).map((l) => l.message)).toContainEqual(
      expect.stringContaining('(sequence numbers 500..501) after 4 attempt(s); the checkpoint advances and these events are lost for this function.'),
    );
  });

  it('without a retry policy, loses a failing batch after one attempt', async () => {
    noRetryBatches.length = 0;
    const result = await host.deliverEventHubBatch('ehNoRetry', messages(3), { maxEventBatchSize: 2 });
    expect(noRetryBatches).toEqual([[1, 2], [3]]);
    expect(result.lost.map((o) => o.attempts)).toEqual([1, 1]);
    expect(result.checkpoint).toEqual({ sequenceNumber: 3, offset: '3072' });
  });

  it('for cardinality one invokes per event, the events of a received batch in parallel, each with its own retries', async () => {
    single.expected = 3;
    single.started = 0;
    single.attempts.clear();
    single.opened = new Promise<void>((resolve) => (single.open = resolve));
    const deadlock = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('events of a received batch did not run in parallel')), 5000).unref());
    const result = await Promise.race([host.deliverEventHubBatch('ehSingle', messages(3)), deadlock]);

    expect(result.outcomes.map((o) => [o.sequenceNumbers, o.status, o.attempts])).toEqual([
      [[1], 'succeeded', 1],
      [[2], 'lost', 3],
      [[3], 'succeeded', 1],
    ]);
    expect(result.checkpoint).toEqual({ sequenceNumber: 3, offset: '3072' });
  });

  it('processes one partition a batch at a time and keeps a checkpoint per partition', async () => {
    const first = host.deliverEventHubBatch('sampleTwinChanges', messages(2, 700), { partitionId: '7', maxEventBatchSize: 1 });
    const second = host.deliverEventHubBatch('sampleTwinChanges', messages(2, 710), { partitionId: '7', maxEventBatchSize: 1 });
    const other = host.deliverEventHubBatch('sampleTwinChanges', messages(1, 800), { partitionId: '8' });
    await Promise.all([first, second, other]);
    const partition7 = sampleCalls.map((c) => (c.input as { n: number }[])[0]!.n).filter((n) => n < 800);
    expect(partition7).toEqual([700, 701, 710, 711]);
    expect(host.eventHubCheckpoint('sampleTwinChanges', '7')).toEqual({ sequenceNumber: 711, offset: String(711 * 1024) });
    expect(host.eventHubCheckpoint('sampleTwinChanges', '8')).toEqual({ sequenceNumber: 800, offset: String(800 * 1024) });
  });

  it('rejects functions that are not Event Hubs triggered', async () => {
    await expect(host.deliverEventHubBatch('sampleSweep', messages(1))).rejects.toThrow('is not an Event Hubs triggered function');
  });
});
