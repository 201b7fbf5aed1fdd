import type { AuditRecord } from '../../../src/app/ports/auditSink';
import type { AuditStream } from '../../../src/app/ports/auditStream';
import { auditEventSource, toAuditEvent, type AuditEvent } from '../../../src/domain/auditEvent';
import { TransientError } from '../../../src/domain/productError';

/**
 * AuditStream fake: the events a real Event Hub would hold, in publish order. While `down`, every publish
 * fails as the adapter's does once its retries are spent (a transient ProductError), and nothing is kept.
 */
export class InMemoryAuditStream implements AuditStream {
  readonly events: AuditEvent[] = [];
  down = false;
  /** publish calls made, failed ones included. */
  calls = 0;

  constructor(readonly source = auditEventSource('smt-test-hub.azure-devices.net')) {}

  async publish(records: readonly AuditRecord[]): Promise<void> {
    this.calls += 1;
    if (this.down) throw new TransientError('ServiceUnavailable', 'audit stream: the Event Hub is unavailable (in-memory fake)');
    for (const record of records) this.events.push(toAuditEvent(structuredClone(record), this.source));
  }

  /** A device's events in the order the stream holds them. */
  eventsFor(deviceId: string): AuditEvent[] {
    return this.events.filter((event) => event.data.deviceId === deviceId);
  }
}
