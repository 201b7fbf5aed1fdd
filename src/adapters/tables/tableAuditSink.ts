import { RestError, type TableClient } from '@azure/data-tables';
import type { AuditRecord, AuditSink } from '../../app/ports/auditSink';
import type { SettingChange } from '../../domain/configurationDiff';
import type { Deadline } from '../../app/deadline';
import { ensureTableOnce } from './createTableClient';
import { fromTableKey, toTableKey } from './tableKeys';

interface AuditEntity {
  partitionKey: string;
  rowKey: string;
  at: string;
  action: string;
  moduleId: string;
  baselineName?: string;
  baselineVersion?: number;
  mode?: string;
  changesJson: string;
  changedSettings: number;
  assignmentJson: string;
  findingsJson?: string;
  reason: string;
  correlationId: string;
  twinVersion?: number;
  recovered?: boolean;
}

/**
 * Audit records in Azure Table Storage, one partition per device so a device's history is one query.
 * Upserts keyed by the record id make a retried write land on the same row.
 */
export class TableAuditSink implements AuditSink {
  private readonly ensureTable: () => Promise<void>;

  constructor(
    private readonly client: TableClient,
    private readonly deadline?: Deadline,
    ensureTable?: () => Promise<void>,
  ) {
    this.ensureTable = ensureTable ?? ensureTableOnce(client);
  }

  /** The same sink, with each write abandoned at the trigger's deadline (the SDK's own retries included). */
  withDeadline(deadline: Deadline): TableAuditSink {
    return new TableAuditSink(this.client, deadline, this.ensureTable);
  }

  private abortSignal(): { abortSignal?: AbortSignal } {
    if (this.deadline === undefined) return {};
    return { abortSignal: AbortSignal.timeout(Math.max(1, this.deadline.atMs - Date.now())) };
  }

  async record(entry: AuditRecord): Promise<void> {
    await this.ensureTable();
    const entity: AuditEntity = {
      partitionKey: toTableKey(entry.deviceId),
      rowKey: toTableKey(entry.id),
      at: entry.at,
      action: entry.action,
      moduleId: entry.moduleId,
      ...(entry.baselineName === undefined ? {} : { baselineName: entry.baselineName }),
      ...(entry.baselineVersion === undefined ? {} : { baselineVersion: entry.baselineVersion }),
      ...(entry.mode === undefined ? {} : { mode: entry.mode }),
      changesJson: JSON.stringify(entry.changes),
      changedSettings: entry.changes.length,
      // A finding keeps the tag as found, which may be any JSON (even absent): stored as JSON text.
      assignmentJson: JSON.stringify(entry.assignment ?? null),
      ...(entry.findings === undefined ? {} : { findingsJson: JSON.stringify(entry.findings) }),
      reason: entry.reason,
      correlationId: entry.correlationId,
      ...(entry.twinVersion === undefined ? {} : { twinVersion: entry.twinVersion }),
      ...(entry.recovered === undefined ? {} : { recovered: entry.recovered }),
    };
    await this.client.upsertEntity(entity, 'Replace', this.abortSignal());
  }

  async has(deviceId: string, id: string): Promise<boolean> {
    await this.ensureTable();
    try {
      await this.client.getEntity(toTableKey(deviceId), toTableKey(id), { queryOptions: { select: ['rowKey'] }, ...this.abortSignal() });
      return true;
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return false;
      throw error;
    }
  }

  async listForDevice(deviceId: string): Promise<AuditRecord[]> {
    await this.ensureTable();
    const records: AuditRecord[] = [];
    const partition = toTableKey(deviceId).replace(/'/g, "''");
    for await (const entity of this.client.listEntities<AuditEntity>({ queryOptions: { filter: `PartitionKey eq '${partition}'` } })) {
      records.push(toRecord(entity as AuditEntity));
    }
    return records.sort((a, b) => a.at.localeCompare(b.at));
  }

}

function toRecord(entity: AuditEntity): AuditRecord {
  return {
    id: fromTableKey(entity.rowKey),
    at: entity.at,
    action: entity.action as AuditRecord['action'],
    deviceId: fromTableKey(entity.partitionKey),
    moduleId: entity.moduleId,
    ...(typeof entity.baselineName === 'string' ? { baselineName: entity.baselineName } : {}),
    ...(typeof entity.baselineVersion === 'number' ? { baselineVersion: entity.baselineVersion } : {}),
    ...(entity.mode === 'enforce' || entity.mode === 'audit' ? { mode: entity.mode } : {}),
    changes: JSON.parse(entity.changesJson) as SettingChange[],
    assignment: JSON.parse(entity.assignmentJson) as unknown,
    ...(typeof entity.findingsJson === 'string' ? { findings: JSON.parse(entity.findingsJson) as string[] } : {}),
    reason: entity.reason,
    correlationId: entity.correlationId,
    ...(typeof entity.twinVersion === 'number' ? { twinVersion: entity.twinVersion } : {}),
    ...(entity.recovered === true ? { recovered: true } : {}),
  };
}
