// The Event Grid service side of one event subscription, for the lab and tests (reliability.md §1.1):
// at-least-once, unordered push delivery of batches (1 event per request by default, still as an
// array in the Event Grid schema); only 200–204 count as delivered; any other answer re-sends the
// WHOLE batch later on the retry schedule (10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, 3 h, 6 h,
// then every 12 h, jittered) until maxDeliveryAttempts or the event time-to-live runs out; 400, 401,
// 403 and 413 are not retried. Undeliverable batches are dead-lettered: logged at error level and kept
// for inspection, never dropped silently. Delivered batches can be sent a second time on purpose
// (duplicateRate), since Event Grid may deliver twice.
import type { EventGridWebhookResponse, HeaderBag } from './eventGridWebhook';
import { isCloudEvent, type DeliverableEvent } from './eventGridEvent';
import { consoleHostLogger, type HostLogEntry, type HostLogger } from './hostLogger';
import { seededRandom } from '../seededRandom';

export interface EventGridReceiver {
  deliverEventGrid(functionName: string | undefined, payload: unknown, headers: HeaderBag): Promise<EventGridWebhookResponse>;
}

/** In-process (a LocalFunctionsHost's webhook) or over HTTP (e.g. LocalHttpServer's webhook URL). */
export type EventGridDeliveryTarget = { readonly host: EventGridReceiver; readonly functionName: string } | { readonly url: string };

export interface EventGridDeliveryOptions {
  readonly target: EventGridDeliveryTarget;
  readonly subscriptionName?: string;
  /** Topic stamped on Event Grid schema events that have none. */
  readonly topic?: string;
  /** 1 by default, as Event Grid's default. */
  readonly maxEventsPerBatch?: number;
  /** Delay before retry n is retrySchedule[n-1] ms; the last entry repeats. */
  readonly retrySchedule?: readonly number[];
  /** 1–30; 30 by default. */
  readonly maxDeliveryAttempts?: number;
  /** 24 h by default. */
  readonly eventTimeToLiveMs?: number;
  /** Event Grid waits 30 s for an answer, then counts the attempt as failed (the handler keeps running). */
  readonly deliveryTimeoutMs?: number;
  /** Each retry delay is scaled by a factor in [1 − jitter, 1 + jitter]; 0.1 by default. */
  readonly jitter?: number;
  /** Maximum requests in flight; 8 by default. */
  readonly concurrency?: number;
  /** Probability (0..1) that a delivered batch is sent once more. */
  readonly duplicateRate?: number;
  readonly seed?: number;
  /** Where dead letters and failed attempts are reported; console (warnings and up) by default. */
  readonly logger?: HostLogger;
}

export type DeadLetterReason =
  | 'MaxDeliveryAttemptsExceeded'
  | 'TimeToLiveExceeded'
  | 'UndeliverableDueToHttpBadRequest'
  | 'UndeliverableDueToHttpUnauthorized'
  | 'UndeliverableDueToHttpForbidden'
  | 'UndeliverableDueToHttpRequestEntityTooLarge'
  | 'AbandonedOnClose';

export interface DeadLetteredBatch {
  readonly events: readonly DeliverableEvent[];
  readonly deadLetterReason: DeadLetterReason;
  readonly deliveryAttempts: number;
  readonly lastDeliveryOutcome?: string;
  readonly lastHttpStatusCode?: number;
  /** Response body or transport error of the last attempt. */
  readonly lastError?: string;
  readonly publishTime: string;
  readonly lastDeliveryAttemptTime?: string;
}

export interface EventGridDeliveryStats {
  /** Events accepted by publish(). */
  readonly published: number;
  /** Events whose batch was acknowledged with 200–204 (duplicates not counted). */
  readonly delivered: number;
  /** Delivery requests, first tries and retries (duplicates not counted). */
  readonly attempts: number;
  readonly failedAttempts: number;
  /** Events dead-lettered. */
  readonly deadLettered: number;
  /** Extra deliveries of already delivered batches. */
  readonly duplicatesSent: number;
}

/** The real schedule: 10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, 3 h, 6 h, then every 12 h. */
export const eventGridRetrySchedule: readonly number[] = [10e3, 30e3, 60e3, 300e3, 600e3, 1800e3, 3600e3, 10800e3, 21600e3, 43200e3];

const notRetried: Readonly<Record<number, DeadLetterReason>> = {
  400: 'UndeliverableDueToHttpBadRequest',
  401: 'UndeliverableDueToHttpUnauthorized',
  403: 'UndeliverableDueToHttpForbidden',
  413: 'UndeliverableDueToHttpRequestEntityTooLarge',
};

interface QueuedEvent {
  readonly event: DeliverableEvent;
  readonly publishedAt: number;
}

interface PendingBatch {
  readonly events: DeliverableEvent[];
  readonly publishedAt: number;
  attempts: number;
  lastOutcome?: string;
  lastStatus?: number;
  lastError?: string;
  lastAttemptAt?: number;
}

interface AttemptResult {
  readonly status?: number;
  readonly outcome: string;
  readonly detail?: string;
}

export class EventGridDelivery {
  readonly #options: EventGridDeliveryOptions;
  readonly #logger: HostLogger;
  readonly #random: () => number;
  readonly #queue: QueuedEvent[] = [];
  readonly #ready: PendingBatch[] = [];
  readonly #scheduled = new Map<NodeJS.Timeout, PendingBatch>();
  readonly #running = new Set<Promise<void>>();
  readonly #deadLetters: DeadLetteredBatch[] = [];
  readonly #idleWaiters: (() => void)[] = [];
  #inFlight = 0;
  #closed = false;
  #stats = { published: 0, delivered: 0, attempts: 0, failedAttempts: 0, deadLettered: 0, duplicatesSent: 0 };

  constructor(options: EventGridDeliveryOptions) {
    const attempts = options.maxDeliveryAttempts ?? 30;
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > 30) throw new Error('maxDeliveryAttempts must be an integer from 1 to 30.');
    const perBatch = options.maxEventsPerBatch ?? 1;
    if (!Number.isInteger(perBatch) || perBatch < 1 || perBatch > 5000) throw new Error('maxEventsPerBatch must be an integer from 1 to 5000.');
    if ((options.retrySchedule ?? eventGridRetrySchedule).length === 0) throw new Error('retrySchedule needs at least one delay.');
    const duplicateRate = options.duplicateRate ?? 0;
    if (duplicateRate < 0 || duplicateRate > 1) throw new Error('duplicateRate must be between 0 and 1.');
    this.#options = options;
    this.#logger = options.logger ?? consoleHostLogger('warning');
    this.#random = seededRandom(options.seed ?? 1);
  }

  publish(events: readonly DeliverableEvent[]): void {
    if (this.#closed) throw new Error('EventGridDelivery is closed.');
    const now = Date.now();
    for (const event of events) {
      this.#queue.push({ event: this.#stamp(event), publishedAt: now });
      this.#stats.published += 1;
    }
    this.#pump();
  }

  /** Resolves once nothing is queued, waiting for a retry, or in flight. */
  drain(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  stats(): EventGridDeliveryStats {
    return { ...this.#stats };
  }

  deadLetters(): readonly DeadLetteredBatch[] {
    return [...this.#deadLetters];
  }

  /** Stops delivering; what is still queued or awaiting a retry is dead-lettered as AbandonedOnClose. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const [timer, batch] of this.#scheduled) {
      clearTimeout(timer);
      this.#ready.push(batch);
    }
    this.#scheduled.clear();
    for (const batch of this.#ready.splice(0)) this.#deadLetter(batch, 'AbandonedOnClose');
    while (this.#queue.length > 0) {
      const batch = this.#nextBatch();
      if (batch) this.#deadLetter(batch, 'AbandonedOnClose');
    }
    await Promise.allSettled([...this.#running]);
    this.#notifyIfIdle();
  }

  #stamp(event: DeliverableEvent): DeliverableEvent {
    if (isCloudEvent(event)) return event;
    // Event Grid fills these in when it accepts an Event Grid schema event.
    return { ...event, topic: event.topic ?? this.#options.topic ?? '/subscriptions/local/resourceGroups/local/providers/Microsoft.EventGrid/topics/local', metadataVersion: event.metadataVersion ?? '1' };
  }

  #pump(): void {
    const concurrency = this.#options.concurrency ?? 8;
    while (!this.#closed && this.#inFlight < concurrency) {
      const batch = this.#ready.shift() ?? this.#nextBatch();
      if (!batch) break;
      this.#inFlight += 1;
      this.#track(
        this.#attempt(batch).finally(() => {
          this.#inFlight -= 1;
          this.#pump();
        }),
      );
    }
    this.#notifyIfIdle();
  }

  // A subscription delivers one schema; a batch takes consecutive events of the same schema.
  #nextBatch(): PendingBatch | undefined {
    const first = this.#queue[0];
    if (!first) return undefined;
    const cloud = isCloudEvent(first.event);
    const max = this.#options.maxEventsPerBatch ?? 1;
    let count = 0;
    while (count < max && count < this.#queue.length && isCloudEvent((this.#queue[count] as QueuedEvent).event) === cloud) count += 1;
    const taken = this.#queue.splice(0, count);
    return { events: taken.map((q) => q.event), publishedAt: Math.min(...taken.map((q) => q.publishedAt)), attempts: 0 };
  }

  async #attempt(batch: PendingBatch): Promise<void> {
    const ttl = this.#options.eventTimeToLiveMs ?? 24 * 3600e3;
    if (Date.now() > batch.publishedAt + ttl) {
      this.#deadLetter(batch, 'TimeToLiveExceeded');
      return;
    }
    const deliveryCount = batch.attempts;
    batch.attempts += 1;
    batch.lastAttemptAt = Date.now();
    this.#stats.attempts += 1;
    const result = await this.#send(batch.events, deliveryCount);
    batch.lastOutcome = result.outcome;
    if (result.status === undefined) delete batch.lastStatus;
    else batch.lastStatus = result.status;
    if (result.detail === undefined) delete batch.lastError;
    else batch.lastError = result.detail;

    if (result.status !== undefined && result.status >= 200 && result.status <= 204) {
      this.#stats.delivered += batch.events.length;
      if (this.#random() < (this.#options.duplicateRate ?? 0)) this.#sendDuplicate(batch);
      return;
    }
    this.#stats.failedAttempts += 1;
    this.#log('warning', `Event Grid delivery of ${describe(batch.events)} failed (attempt ${batch.attempts}, ${result.outcome}${result.status === undefined ? '' : ` ${result.status}`})`);

    const permanent = result.status === undefined ? undefined : notRetried[result.status];
    if (permanent) return this.#deadLetter(batch, permanent);
    if (batch.attempts >= (this.#options.maxDeliveryAttempts ?? 30)) return this.#deadLetter(batch, 'MaxDeliveryAttemptsExceeded');
    const delay = this.#retryDelay(batch.attempts);
    if (Date.now() + delay > batch.publishedAt + ttl) return this.#deadLetter(batch, 'TimeToLiveExceeded');
    if (this.#closed) return this.#deadLetter(batch, 'AbandonedOnClose');
    const timer = setTimeout(() => {
      this.#scheduled.delete(timer);
      this.#ready.push(batch);
      this.#pump();
    }, delay);
    this.#scheduled.set(timer, batch);
  }

  #sendDuplicate(batch: PendingBatch): void {
    this.#stats.duplicatesSent += 1;
    this.#track(
      this.#send(batch.events, batch.attempts).then((result) => {
        if (result.status === undefined || result.status < 200 || result.status > 204) {
          this.#log('warning', `Duplicate Event Grid delivery of ${describe(batch.events)} was answered ${result.outcome}`);
        }
      }),
    );
  }

  #retryDelay(failedAttempts: number): number {
    const schedule = this.#options.retrySchedule ?? eventGridRetrySchedule;
    const base = schedule[Math.min(failedAttempts, schedule.length) - 1] ?? 0;
    const jitter = this.#options.jitter ?? 0.1;
    return Math.max(0, base * (1 + jitter * (2 * this.#random() - 1)));
  }

  async #send(events: readonly DeliverableEvent[], deliveryCount: number): Promise<AttemptResult> {
    const cloud = events.every(isCloudEvent);
    const single = cloud && (this.#options.maxEventsPerBatch ?? 1) === 1;
    const payload: unknown = single ? events[0] : events;
    const headers: Record<string, string> = {
      'content-type': cloud ? (single ? 'application/cloudevents+json; charset=utf-8' : 'application/cloudevents-batch+json; charset=utf-8') : 'application/json',
      'aeg-event-type': 'Notification',
      'aeg-subscription-name': (this.#options.subscriptionName ?? 'LOCAL-SUBSCRIPTION').toUpperCase(),
      'aeg-delivery-count': String(deliveryCount),
      'aeg-metadata-version': '1',
      ...(cloud ? {} : { 'aeg-data-version': (events[0] as { dataVersion?: string } | undefined)?.dataVersion ?? '' }),
    };
    const timeoutMs = this.#options.deliveryTimeoutMs ?? 30_000;
    const target = this.#options.target;
    try {
      if ('url' in target) {
        const response = await fetch(target.url, { method: 'POST', headers, body: JSON.stringify(payload), signal: AbortSignal.timeout(timeoutMs) });
        const text = await response.text();
        return { status: response.status, outcome: outcomeFor(response.status), ...(text === '' ? {} : { detail: text }) };
      }
      // Over the wire the receiver gets its own copy; handlers that mutate events cannot affect retries.
      const wire: unknown = JSON.parse(JSON.stringify(payload));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      });
      const answer = await Promise.race([target.host.deliverEventGrid(target.functionName, wire, headers), timedOut]).finally(() => clearTimeout(timer));
      if (answer === undefined) return { status: 408, outcome: 'TimedOut', detail: `No answer within ${timeoutMs} ms` };
      const detail = typeof answer.body === 'string' && answer.body !== '' ? { detail: answer.body } : {};
      return { status: answer.status, outcome: outcomeFor(answer.status), ...detail };
    } catch (error) {
      if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
        return { status: 408, outcome: 'TimedOut', detail: `No answer within ${timeoutMs} ms` };
      }
      return { outcome: 'GenericError', detail: error instanceof Error ? error.message : String(error) };
    }
  }

  #deadLetter(batch: PendingBatch, reason: DeadLetterReason): void {
    const record: DeadLetteredBatch = {
      events: batch.events,
      deadLetterReason: reason,
      deliveryAttempts: batch.attempts,
      ...(batch.lastOutcome === undefined ? {} : { lastDeliveryOutcome: batch.lastOutcome }),
      ...(batch.lastStatus === undefined ? {} : { lastHttpStatusCode: batch.lastStatus }),
      ...(batch.lastError === undefined ? {} : { lastError: batch.lastError }),
      publishTime: new Date(batch.publishedAt).toISOString(),
      ...(batch.lastAttemptAt === undefined ? {} : { lastDeliveryAttemptTime: new Date(batch.lastAttemptAt).toISOString() }),
    };
    this.#deadLetters.push(record);
    this.#stats.deadLettered += batch.events.length;
    this.#log(
      'error',
      `Event Grid dead-lettered ${describe(batch.events)}: ${reason} after ${batch.attempts} attempt(s)` +
        (batch.lastStatus === undefined ? '' : `, last answer ${batch.lastStatus}`) +
        (batch.lastError === undefined ? '' : ` (${batch.lastError})`),
    );
  }

  #track(work: Promise<void>): void {
    this.#running.add(work);
    void work.finally(() => {
      this.#running.delete(work);
      this.#notifyIfIdle();
    });
  }

  #isIdle(): boolean {
    return this.#queue.length === 0 && this.#ready.length === 0 && this.#scheduled.size === 0 && this.#inFlight === 0 && this.#running.size === 0;
  }

  #notifyIfIdle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #log(level: HostLogEntry['level'], message: string): void {
    this.#logger.log({ timestamp: new Date().toISOString(), level, category: 'host', message });
  }
}

function outcomeFor(status: number): string {
  if (status >= 200 && status <= 204) return 'Succeeded';
  const named: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 408: 'TimedOut', 409: 'Conflict', 413: 'RequestEntityTooLarge', 503: 'Busy' };
  return named[status] ?? 'GenericError';
}

function describe(events: readonly DeliverableEvent[]): string {
  const ids = events.map((e) => e.id).join(', ');
  return `${events.length} event(s) [${ids}]`;
}
