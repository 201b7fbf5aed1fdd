import type { AuditRecord } from '../../../src/app/ports/auditSink';
import type { AuditOutbox } from '../../../src/app/ports/auditStream';
import { InMemoryAuditSink } from './inMemoryAuditSink';

/** The audit table fake with the stream's outbox, as TableAuditSink keeps it: pending copies, oldest first. */
export class InMemoryAuditOutbox extends InMemoryAuditSink implements AuditOutbox {
  readonly pending = new Map<string, AuditRecord>();
  readonly published = new Set<string>();

  async recordUnpublished(entry: AuditRecord): Promise<void> {
    // The pending copy first, as the table writes it.
    if (this.failNextWrites === 0) this.pending.set(pendingKey(entry), structuredClone(entry));
    await this.record(entry);
    this.published.delete(recordKey(entry));
  }

  async listUnpublished(limit: number): Promise<AuditRecord[]> {
    return [...this.pending.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .slice(0, limit)
      .map(([, record]) => structuredClone(record));
  }

  async markPublished(records: readonly AuditRecord[]): Promise<void> {
    for (const record of records) {
      this.pending.delete(pendingKey(record));
      if (this.records.has(recordKey(record))) this.published.add(recordKey(record));
    }
  }

  isPublished(deviceId: string, id: string): boolean {
    return this.published.has(`${deviceId}\u0000${id}`);
  }
}

const recordKey = (record: AuditRecord) => `${record.deviceId}\u0000${record.id}`;
const pendingKey = (record: AuditRecord) => `${record.at}\u0000${record.deviceId}\u0000${record.id}`;
