import type { AuditRecord } from './auditSink';

/**
 * The security audit stream (an Event Hub, for a SIEM): each audit record published as one event
 * (`src/domain/auditEvent.ts`), a device's records in the order given.
 */
export interface AuditStream {
  /**
   * Resolves once the stream has accepted every record; rejects with a ProductError when it could not within
   * the retries allowed (some records may have been accepted then: publishing again is safe, since an event's
   * id is its record's id).
   */
  publish(records: readonly AuditRecord[]): Promise<void>;
}

/**
 * The audit table as the stream's outbox: the table is the source of truth, and a record written while the
 * stream is down stays pending until it has been published, so no record leaves the product unpublished.
 */
export interface AuditOutbox {
  /** Writes the record as `AuditSink.record` does (idempotent by id) and keeps it pending publication. */
  recordUnpublished(entry: AuditRecord): Promise<void>;
  /** Pending records, oldest first, at most `limit`. */
  listUnpublished(limit: number): Promise<AuditRecord[]>;
  /** Flags records as published and takes them out of the pending ones (records already taken out are ignored). */
  markPublished(records: readonly AuditRecord[]): Promise<void>;
}
