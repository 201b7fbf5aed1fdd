import { RestError, type TableClient } from '@azure/data-tables';
import type { AuditRecord, AuditSink } from '../../app/ports/auditSink';
import type { AuditOutbox } from '../../app/ports/auditStream';
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
  /** Whether the record has reached the audit stream; absent on records written while no stream was configured. */
  published?: boolean;
}

/**
 * The records pending publication to the audit stream, each a full copy (so publishing needs no second read)
 * keyed by time, so the oldest go first. One partition that no device's can be: toTableKey writes '%' only
 * before two hex digits. A pending row outlives its record's publication only until markPublished.
 */
const outboxPartition = '%outbox';
/** A table string property holds at most 32K characters: a long record is split over several. */
const outboxChunkLength = 30_000;
const markConcurrency = 16;

interface OutboxEntity {
  partitionKey: string;
  rowKey: string;
  /** The record as JSON, continued in recordJson1, recordJson2, … when long. */
  recordJson: string;
  [continuation: `recordJson${number}`]: string;
}

/**
 * Audit records in Azure Table Storage, one partition per device so a device's history is one query.
 * Upserts keyed by the record id make a retried write land on the same row.
 */
export class TableAuditSink implements AuditSink, AuditOutbox {
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
    await this.client.upsertEntity(toEntity(entry), 'Replace', this.abortSignal());
  }

  /** The pending copy first: a record whose own write then fails is still published (what it records happened). */
  async recordUnpublished(entry: AuditRecord): Promise<void> {
    await this.ensureTable();
    await this.client.upsertEntity(toOutboxEntity(entry), 'Replace', this.abortSignal());
    await this.client.upsertEntity({ ...toEntity(entry), published: false }, 'Replace', this.abortSignal());
  }

  async listUnpublished(limit: number): Promise<AuditRecord[]> {
    await this.ensureTable();
    const records: AuditRecord[] = [];
    const pages = this.client.listEntities<OutboxEntity>({ queryOptions: { filter: `PartitionKey eq '${outboxPartition}'` }, ...this.abortSignal() }).byPage({ maxPageSize: Math.min(limit, 1000) });
    for await (const page of pages) {
      for (const entity of page) {
        if (records.length >= limit) return records;
        records.push(fromOutboxEntity(entity as OutboxEntity));
      }
      if (records.length >= limit) break;
    }
    return records;
  }

  async markPublished(records: readonly AuditRecord[]): Promise<void> {
    await this.ensureTable();
    const mark = async (entry: AuditRecord) => {
      await ignoreNotFound(
        this.client.updateEntity({ partitionKey: toTableKey(entry.deviceId), rowKey: toTableKey(entry.id), published: true }, 'Merge', this.abortSignal()),
      );
      await ignoreNotFound(this.client.deleteEntity(outboxPartition, outboxRowKey(entry), this.abortSignal()));
    };
    const queue = [...records];
    await Promise.all(
      Array.from({ length: Math.min(markConcurrency, queue.length) }, async () => {
        for (let entry = queue.shift(); entry !== undefined; entry = queue.shift()) await mark(entry);
      }),
    );
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

function toEntity(entry: AuditRecord): AuditEntity {
  return {
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
}

function outboxRowKey(entry: AuditRecord): string {
  return `${toTableKey(entry.at)}|${toTableKey(entry.deviceId)}|${toTableKey(entry.id)}`;
}

function toOutboxEntity(entry: AuditRecord): OutboxEntity {
  const json = JSON.stringify(entry);
  const entity: OutboxEntity = { partitionKey: outboxPartition, rowKey: outboxRowKey(entry), recordJson: json.slice(0, outboxChunkLength) };
  for (let chunk = 1; chunk * outboxChunkLength < json.length; chunk++) {
    entity[`recordJson${chunk}`] = json.slice(chunk * outboxChunkLength, (chunk + 1) * outboxChunkLength);
  }
  return entity;
}

function fromOutboxEntity(entity: OutboxEntity): AuditRecord {
  let json = entity.recordJson;
  for (let chunk = 1; typeof entity[`recordJson${chunk}`] === 'string'; chunk++) json += entity[`recordJson${chunk}`];
  return JSON.parse(json) as AuditRecord;
}

async function ignoreNotFound(operation: Promise<unknown>): Promise<void> {
  try {
    await operation;
  } catch (error) {
    if (!(error instanceof RestError && error.statusCode === 404)) throw error;
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
