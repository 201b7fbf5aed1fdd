import { RestError, type TableClient } from '@azure/data-tables';
import type { AuditRecord, AuditSink } from '../../app/ports/auditSink';
import type { SettingChange } from '../../domain/configurationDiff';
import { ensureTableOnce } from './createTableClient';
import { fromTableKey, toTableKey } from './tableKeys';

interface AuditEntity {
  partitionKey: string;
  rowKey: string;
  at: string;
  action: string;
  moduleId: string;
  baselineName: string;
  baselineVersion: number;
  mode: string;
  changesJson: string;
  changedSettings: number;
  assignmentJson: string;
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

  constructor(private readonly client: TableClient) {
    this.ensureTable = ensureTableOnce(client);
  }

  async record(entry: AuditRecord): Promise<void> {
    await this.ensureTable();
    const entity: AuditEntity = {
      partitionKey: toTableKey(entry.deviceId),
      rowKey: toTableKey(entry.id),
      at: entry.at,
      action: entry.action,
      moduleId: entry.moduleId,
      baselineName: entry.baselineName,
      baselineVersion: entry.baselineVersion,
      mode: entry.mode,
      changesJson: JSON.stringify(entry.changes),
      changedSettings: entry.changes.length,
      assignmentJson: JSON.stringify(entry.assignment),
      reason: entry.reason,
      correlationId: entry.correlationId,
      ...(entry.twinVersion === undefined ? {} : { twinVersion: entry.twinVersion }),
      ...(entry.recovered === undefined ? {} : { recovered: entry.recovered }),
    };
    await this.client.upsertEntity(entity, 'Replace');
  }

  async has(deviceId: string, id: string): Promise<boolean> {
    await this.ensureTable();
    try {
      await this.client.getEntity(toTableKey(deviceId), toTableKey(id), { queryOptions: { select: ['rowKey'] } });
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
    baselineName: entity.baselineName,
    baselineVersion: entity.baselineVersion,
    mode: entity.mode as AuditRecord['mode'],
    changes: JSON.parse(entity.changesJson) as SettingChange[],
    assignment: JSON.parse(entity.assignmentJson) as Record<string, unknown>,
    reason: entity.reason,
    correlationId: entity.correlationId,
    ...(typeof entity.twinVersion === 'number' ? { twinVersion: entity.twinVersion } : {}),
    ...(entity.recovered === true ? { recovered: true } : {}),
  };
}
