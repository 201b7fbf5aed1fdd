import type { EventData, EventDataBatch, EventHubProducerClient } from '@azure/event-hubs';
import type { Deadline } from '../../app/deadline';
import type { AuditRecord } from '../../app/ports/auditSink';
import type { AuditStream } from '../../app/ports/auditStream';
import { toAuditEvent } from '../../domain/auditEvent';
import { isTransient, PermanentError } from '../../domain/productError';
import { retryWithBackoff } from '../retryWithBackoff';
import { translateEventHubsError } from './translateEventHubsError';

/** Structured-mode CloudEvents over AMQP: the whole event is the body. */
const cloudEventsContentType = 'application/cloudevents+json; charset=utf-8';

export interface AuditStreamRetry {
  /** Longest time one device's sends retry, waits included. */
  readonly budgetMs: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export interface EventHubAuditStreamOptions {
  /** The CloudEvents `source` of every event (`auditEventSource(hub host name)`). */
  readonly source: string;
  readonly retry: AuditStreamRetry;
  readonly deadline?: Deadline;
}

/**
 * The audit stream on Event Hubs through the real `EventHubProducerClient`: each device's records go in
 * batches created with the device ID as partition key, so they land on one partition in the order given;
 * records of several devices make several batches. A send the hub refuses or that cannot reach it is retried
 * with backoff within the retry budget and the trigger's deadline, then reported (the caller keeps the record
 * pending). A retried send may have reached the hub the first time: consumers recognise the repeat by its id.
 */
export class EventHubAuditStream implements AuditStream {
  constructor(
    private readonly producer: Pick<EventHubProducerClient, 'createBatch' | 'sendBatch'>,
    private readonly options: EventHubAuditStreamOptions,
  ) {}

  /** The same stream, with every publish abandoned at the trigger's deadline. */
  withDeadline(deadline: Deadline): EventHubAuditStream {
    return new EventHubAuditStream(this.producer, { ...this.options, deadline });
  }

  async publish(records: readonly AuditRecord[]): Promise<void> {
    for (const [deviceId, ofDevice] of byDevice(records)) {
      // A new AuditAction without a type and severity in src/domain/auditEvent.ts does not compile here.
      const events = ofDevice.map((record) => toEventData(toAuditEvent(record, this.options.source)));
      const batches = await this.#retry('create a batch of audit events', (abortSignal) => this.#batches(deviceId, events, abortSignal));
      for (const batch of batches) {
        await this.#retry('send audit events', (abortSignal) => this.producer.sendBatch(batch, { abortSignal }));
      }
    }
  }

  async #batches(deviceId: string, events: readonly EventData[], abortSignal: AbortSignal): Promise<EventDataBatch[]> {
    const batches: EventDataBatch[] = [];
    let batch = await this.producer.createBatch({ partitionKey: deviceId, abortSignal });
    for (const event of events) {
      if (batch.tryAdd(event)) continue;
      if (batch.count === 0) {
        throw new PermanentError('AuditEventTooLarge', `audit event ${String(event.messageId)} is larger than the Event Hub takes (${batch.maxSizeInBytes} bytes)`);
      }
      batches.push(batch);
      batch = await this.producer.createBatch({ partitionKey: deviceId, abortSignal });
      if (!batch.tryAdd(event)) {
        throw new PermanentError('AuditEventTooLarge', `audit event ${String(event.messageId)} is larger than the Event Hub takes (${batch.maxSizeInBytes} bytes)`);
      }
    }
    batches.push(batch);
    return batches;
  }

  #retry<T>(operation: string, attempt: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    const { retry, deadline } = this.options;
    return retryWithBackoff(
      async () => {
        // The SDK stops waiting when the deadline passes, instead of holding the link open for nothing.
        const signal = deadline === undefined ? new AbortController().signal : AbortSignal.timeout(Math.max(1, deadline.atMs - Date.now()));
        try {
          return await attempt(signal);
        } catch (error) {
          throw translateEventHubsError(error, operation);
        }
      },
      {
        budgetMs: retry.budgetMs,
        ...(deadline === undefined ? {} : { deadlineAtMs: deadline.atMs }),
        baseDelayMs: retry.baseDelayMs ?? 100,
        maxDelayMs: retry.maxDelayMs ?? 2_000,
        isRetryable: (error) => isTransient(error) && error.retryNow,
      },
    );
  }
}

function toEventData(event: ReturnType<typeof toAuditEvent>): EventData {
  return { body: event, contentType: cloudEventsContentType, messageId: event.id, properties: { type: event.type, severity: event.data.severity } };
}

/** Records by device, devices in order of first appearance, each device's records in the order given. */
function byDevice(records: readonly AuditRecord[]): Map<string, AuditRecord[]> {
  const groups = new Map<string, AuditRecord[]>();
  for (const record of records) {
    const group = groups.get(record.deviceId);
    if (group === undefined) groups.set(record.deviceId, [record]);
    else group.push(record);
  }
  return groups;
}
