import type { AuditRecord, AuditSink } from '../../../src/app/ports/auditSink';

/** AuditSink fake: records keyed by device and id, so re-writes replace (as the table upsert does). */
export class InMemoryAuditSink implements AuditSink {
  readonly records = new Map<string, AuditRecord>();
  /** Makes the next N writes fail, as a storage outage would. */
  failNextWrites = 0;

  async record(entry: AuditRecord): Promise<void> {
    if (this.failNextWrites > 0) {
      this.failNextWrites -= 1;
      throw new Error('audit storage unavailable');
    }
    this.records.set(`${entry.deviceId}\u0000${entry.id}`, structuredClone(entry));
  }

  async has(deviceId: string, id: string): Promise<boolean> {
    return this.records.has(`${deviceId}\u0000${id}`);
  }

  async listForDevice(deviceId: string): Promise<AuditRecord[]> {
    return [...this.records.values()].filter((record) => record.deviceId === deviceId).sort((a, b) => a.at.localeCompare(b.at));
  }
}
