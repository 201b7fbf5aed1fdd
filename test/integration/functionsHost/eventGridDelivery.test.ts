import { app } from '@azure/functions';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventGridDelivery, eventGridRetrySchedule, type EventGridReceiver } from '../../local/functionsHost/eventGridDelivery';
import type { CloudEventV1, EventGridEvent } from '../../local/functionsHost/eventGridEvent';
import type { EventGridWebhookResponse, HeaderBag } from '../../local/functionsHost/eventGridWebhook';
import { LogBuffer } from '../../local/functionsHost/hostLogger';
import { LocalFunctionsHost } from '../../local/functionsHost/localFunctionsHost';
import { deviceCreatedCloudEvent } from '../../support/events/deviceCreatedEvent';

// Event ids → how many more deliveries of that event the handler fails.
const failuresLeft = new Map<string, number>();
const handled: string[] = [];
let running = 0;
let maxRunning = 0;
app.eventGrid('deliveryTarget', {
  handler: async (event) => {
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    try {
      await new Promise((resolve) => setImmediate(resolve));
      handled.push(event.id);
      const left = failuresLeft.get(event.id) ?? 0;
      if (left !== 0) {
        failuresLeft.set(event.id, left - 1);
        throw new Error(`transient failure for ${event.id}`);
      }
    } finally {
      running -= 1;
    }
  },
});

const event = (id: string): EventGridEvent => ({
  id,
  subject: `devices/${id}`,
  eventType: 'Microsoft.Devices.DeviceCreated',
  eventTime: '2025-01-01T10:00:00Z',
  data: { deviceId: id },
  dataVersion: '1.0',
});

interface Request {
  readonly payload: unknown;
  readonly headers: Record<string, string>;
}

/** Records each request Event Grid sends, then lets the real host webhook answer it. */
function recording(host: LocalFunctionsHost): EventGridReceiver & { requests: Request[] } {
  const requests: Request[] = [];
  return {
    requests,
    deliverEventGrid(functionName: string | undefined, payload: unknown, headers: HeaderBag) {
      requests.push({ payload, headers: { ...(headers as Record<string, string>) } });
      return host.deliverEventGrid(functionName, payload, headers);
    },
  };
}

function answering(...statuses: number[]): EventGridReceiver & { calls: number } {
  const receiver = {
    calls: 0,
    deliverEventGrid(): Promise<EventGridWebhookResponse> {
      const status = statuses[Math.min(receiver.calls, statuses.length - 1)] ?? 500;
      receiver.calls += 1;
      return Promise.resolve({ status });
    },
  };
  return receiver;
}

const fast = [20, 40, 80];

describe('EventGridDelivery', () => {
  let host: LocalFunctionsHost;
  let logs: LogBuffer;

  beforeAll(async () => {
    host = await LocalFunctionsHost.load({ functionModules: [] });
  });

  beforeEach(() => {
    failuresLeft.clear();
    handled.length = 0;
    maxRunning = 0;
    logs = new LogBuffer();
  });

  it("uses Event Grid's real retry schedule unless told otherwise", () => {
    expect(eventGridRetrySchedule).toEqual([10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000]);
  });

  it('delivers one event per request by default, as an array with Event Grid headers and stamped metadata', async () => {
    const receiver = recording(host);
    const delivery = new EventGridDelivery({ target: { host: receiver, functionName: 'deliveryTarget' }, logger: logs, subscriptionName: 'provision' });
    delivery.publish([event('a'), event('b'), event('c')]);
    await delivery.drain();

    expect(receiver.requests.map((r) => (r.payload as EventGridEvent[]).map((e) => e.id))).toEqual([['a'], ['b'], ['c']]);
    expect(receiver.requests[0]!.headers).toMatchObject({
      'aeg-event-type': 'Notification',
      'aeg-subscription-name': 'PROVISION',
      'aeg-delivery-count': '0',
      'aeg-data-version': '1.0',
      'aeg-metadata-version': '1',
      'content-type': 'application/json',
    });
    expect((receiver.requests[0]!.payload as EventGridEvent[])[0]).toMatchObject({ metadataVersion: '1', topic: expect.any(String) });
    expect(handled.sort()).toEqual(['a', 'b', 'c']);
    expect(delivery.stats()).toEqual({ published: 3, delivered: 3, attempts: 3, failedAttempts: 0, deadLettered: 0, duplicatesSent: 0 });
  });

  it('re-sends the WHOLE batch when one event of it fails', async () => {
    failuresLeft.set('b', 1);
    const receiver = recording(host);
    const delivery = new EventGridDelivery({ target: { host: receiver, functionName: 'deliveryTarget' }, maxEventsPerBatch: 3, retrySchedule: fast, logger: logs });
    delivery.publish([event('a'), event('b'), event('c')]);
    await delivery.drain();

    expect(receiver.requests.map((r) => [(r.payload as EventGridEvent[]).map((e) => e.id), r.headers['aeg-delivery-count']])).toEqual([
      [['a', 'b', 'c'], '0'],
      [['a', 'b', 'c'], '1'],
    ]);
    expect(handled.sort()).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
    expect(delivery.stats()).toMatchObject({ delivered: 3, attempts: 2, failedAttempts: 1, deadLettered: 0 });
    expect(logs.entries({ minLevel: 'warning' })[0]!.message).toContain('failed (attempt 1, GenericError 500)');
  });

  it('dead-letters after maxDeliveryAttempts, logging at error level and keeping the batch inspectable', async () => {
    failuresLeft.set('poison', -1);
    const delivery = new EventGridDelivery({ target: { host, functionName: 'deliveryTarget' }, maxDeliveryAttempts: 3, retrySchedule: fast, logger: logs });
    delivery.publish([event('poison')]);
    await delivery.drain();

    expect(handled).toEqual(['poison', 'poison', 'poison']);
    expect(delivery.deadLetters()).toEqual([
      {
        events: [expect.objectContaining({ id: 'poison' })],
        deadLetterReason: 'MaxDeliveryAttemptsExceeded',
        deliveryAttempts: 3,
        lastDeliveryOutcome: 'GenericError',
        lastHttpStatusCode: 500,
        lastError: 'Exception while executing function: Functions.deliveryTarget',
        publishTime: expect.any(String),
        lastDeliveryAttemptTime: expect.any(String),
      },
    ]);
    expect(delivery.stats()).toMatchObject({ delivered: 0, attempts: 3, failedAttempts: 3, deadLettered: 1 });
    expect(logs.entries({ minLevel: 'error' }).map((l) => l.message)).toEqual([expect.stringContaining('dead-lettered 1 event(s) [poison]: MaxDeliveryAttemptsExceeded after 3 attempt(s)')]);
  });

  it('does not retry 400 and 413, but does retry other client errors such as 404', async () => {
    const badRequest = answering(400);
    const tooLarge = answering(413);
    const notFound = answering(404);
    const deliveries = [badRequest, tooLarge, notFound].map(
      (receiver) => new EventGridDelivery({ target: { host: receiver, functionName: 'x' }, maxDeliveryAttempts: 2, retrySchedule: fast, logger: logs }),
    );
    deliveries.forEach((d, i) => d.publish([event(`e${i}`)]));
    await Promise.all(deliveries.map((d) => d.drain()));

    expect([badRequest.calls, tooLarge.calls, notFound.calls]).toEqual([1, 1, 2]);
    expect(deliveries.map((d) => d.deadLetters()[0]!.deadLetterReason)).toEqual([
      'UndeliverableDueToHttpBadRequest',
      'UndeliverableDueToHttpRequestEntityTooLarge',
      'MaxDeliveryAttemptsExceeded',
    ]);
    expect(deliveries[2]!.deadLetters()[0]).toMatchObject({ lastHttpStatusCode: 404, lastDeliveryOutcome: 'NotFound' });
  });

  it('dead-letters when the next retry would fall after the event time-to-live', async () => {
    const delivery = new EventGridDelivery({ target: { host: answering(503), functionName: 'x' }, eventTimeToLiveMs: 30, retrySchedule: [200], jitter: 0, logger: logs });
    delivery.publish([event('late')]);
    await delivery.drain();
    expect(delivery.deadLetters()[0]).toMatchObject({ deadLetterReason: 'TimeToLiveExceeded', deliveryAttempts: 1, lastDeliveryOutcome: 'Busy' });
  });

  it('counts an unanswered request as a timed-out attempt and retries it', async () => {
    let calls = 0;
    const slowOnce: EventGridReceiver = {
      deliverEventGrid: () => (calls++ === 0 ? new Promise<EventGridWebhookResponse>(() => undefined) : Promise.resolve({ status: 202 })),
    };
    const delivery = new EventGridDelivery({ target: { host: slowOnce, functionName: 'x' }, deliveryTimeoutMs: 30, retrySchedule: fast, logger: logs });
    delivery.publish([event('slow')]);
    await delivery.drain();
    expect(delivery.stats()).toMatchObject({ delivered: 1, attempts: 2, failedAttempts: 1 });
    expect(logs.entries({ minLevel: 'warning' })[0]!.message).toContain('TimedOut 408');
  });

  it('sends delivered batches a second time at duplicateRate, reproducibly for a seed', async () => {
    const always = new EventGridDelivery({ target: { host, functionName: 'deliveryTarget' }, duplicateRate: 1, logger: logs });
    always.publish([event('d1'), event('d2')]);
    await always.drain();
    expect(handled.sort()).toEqual(['d1', 'd1', 'd2', 'd2']);
    expect(always.stats()).toMatchObject({ delivered: 2, attempts: 2, duplicatesSent: 2 });

    const runWithSeed = async (seed: number) => {
      const delivery = new EventGridDelivery({ target: { host: answering(200), functionName: 'x' }, duplicateRate: 0.5, seed, logger: logs });
      delivery.publish(Array.from({ length: 40 }, (_, i) => event(`s${i}`)));
      await delivery.drain();
      return delivery.stats().duplicatesSent;
    };
    const first = await runWithSeed(7);
    expect(await runWithSeed(7)).toBe(first);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(40);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    const delivery = new EventGridDelivery({ target: { host, functionName: 'deliveryTarget' }, concurrency: 1, logger: logs });
    delivery.publish([event('c1'), event('c2'), event('c3')]);
    await delivery.drain();
    expect(handled).toEqual(['c1', 'c2', 'c3']);
    expect(maxRunning).toBe(1);
  });

  it('delivers CloudEvents as single objects, or as a batch array when batching', async () => {
    const cloud = (id: string): CloudEventV1 => deviceCreatedCloudEvent(id, { id });
    const single = recording(host);
    const batched = recording(host);
    const one = new EventGridDelivery({ target: { host: single, functionName: 'deliveryTarget' }, logger: logs });
    const many = new EventGridDelivery({ target: { host: batched, functionName: 'deliveryTarget' }, maxEventsPerBatch: 10, logger: logs });
    one.publish([cloud('ce1')]);
    many.publish([cloud('ce2'), cloud('ce3')]);
    await Promise.all([one.drain(), many.drain()]);

    expect(single.requests[0]).toMatchObject({ payload: { id: 'ce1', specversion: '1.0' }, headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' } });
    expect(batched.requests[0]).toMatchObject({ payload: [{ id: 'ce2' }, { id: 'ce3' }], headers: { 'content-type': 'application/cloudevents-batch+json; charset=utf-8' } });
    expect(handled.sort()).toEqual(['ce1', 'ce2', 'ce3']);
  });

  it('dead-letters what still waits for a retry on close and refuses new events', async () => {
    failuresLeft.set('pending', -1);
    const delivery = new EventGridDelivery({ target: { host, functionName: 'deliveryTarget' }, retrySchedule: [60_000], logger: logs });
    delivery.publish([event('pending')]);
    await expect.poll(() => delivery.stats().failedAttempts).toBe(1);
    await delivery.close();
    await delivery.drain();
    expect(delivery.deadLetters()).toEqual([expect.objectContaining({ deadLetterReason: 'AbandonedOnClose', deliveryAttempts: 1 })]);
    expect(() => delivery.publish([event('after-close')])).toThrow('closed');
  });

  it('validates its options', () => {
    const target = { host, functionName: 'deliveryTarget' };
    expect(() => new EventGridDelivery({ target, maxDeliveryAttempts: 31 })).toThrow('maxDeliveryAttempts');
    expect(() => new EventGridDelivery({ target, maxEventsPerBatch: 0 })).toThrow('maxEventsPerBatch');
    expect(() => new EventGridDelivery({ target, duplicateRate: 2 })).toThrow('duplicateRate');
    expect(() => new EventGridDelivery({ target, retrySchedule: [] })).toThrow('retrySchedule');
  });
});
