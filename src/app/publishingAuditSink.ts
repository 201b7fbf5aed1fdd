import { isProductError, isTransient } from '../domain/productError';
import { hasPassed, type Deadline } from './deadline';
import type { AuditRecord, AuditSink } from './ports/auditSink';
import type { AuditOutbox, AuditStream } from './ports/auditStream';
import type { Clock } from './ports/clock';
import type { Logger } from './ports/logger';

/**
 * Whether the audit stream works, as one worker has seen it; shared by every per-invocation sink of the
 * worker. After a failure, records skip publishing in line for `pauseMs` and wait in the outbox, so an Event
 * Hubs outage costs each provisioned or corrected twin nothing but the table write, instead of a retry budget.
 */
export class AuditStreamHealth {
  #pausedUntilMs = 0;
  #failing = false;

  constructor(readonly pauseMs = 30_000) {}

  get failing(): boolean {
    return this.#failing;
  }

  allowsInlinePublish(nowMs: number): boolean {
    return nowMs >= this.#pausedUntilMs;
  }

  /** True when this failure starts an outage (the stream worked before). */
  failed(nowMs: number): boolean {
    const starts = !this.#failing;
    this.#failing = true;
    this.#pausedUntilMs = nowMs + this.pauseMs;
    return starts;
  }

  /** True when this success ends an outage. */
  succeeded(): boolean {
    const ends = this.#failing;
    this.#failing = false;
    this.#pausedUntilMs = 0;
    return ends;
  }
}

export interface PublishingAuditSinkDependencies {
  readonly table: AuditSink & AuditOutbox;
  readonly stream: AuditStream;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly health: AuditStreamHealth;
}

/**
 * The AuditSink the use cases write to when the audit stream is configured: the table first (the source of
 * truth, with the record pending publication), then the stream, then the record is flagged published. A
 * record the stream does not take (down beyond the retry budget, or paused after such a failure) is not lost
 * and does not fail the use case: it stays pending in the table and `publishPendingAuditRecords` (the
 * sweep) publishes it later. A failed table write fails the use case exactly as before.
 */
export class PublishingAuditSink implements AuditSink {
  constructor(private readonly deps: PublishingAuditSinkDependencies) {}

  async record(entry: AuditRecord): Promise<void> {
    const { table, stream, clock, health } = this.deps;
    await table.recordUnpublished(entry);
    if (!health.allowsInlinePublish(clock.now().getTime())) return;
    try {
      await stream.publish([entry]);
    } catch (error) {
      this.#streamFailed(error, 1);
      return;
    }
    if (health.succeeded()) this.deps.logger.info('Audit stream publishing again; records kept meanwhile are published by the sweep');
    try {
      await table.markPublished([entry]);
    } catch (error) {
      // Published but still pending: the sweep publishes it once more, under the same event id.
      this.deps.logger.warn('Audit record published but not flagged as published; it will be published again under the same id', {
        deviceId: entry.deviceId,
        recordId: entry.id,
        error: describe(error),
      });
    }
  }

  has(deviceId: string, id: string): Promise<boolean> {
    return this.deps.table.has(deviceId, id);
  }

  listForDevice(deviceId: string): Promise<AuditRecord[]> {
    return this.deps.table.listForDevice(deviceId);
  }

  #streamFailed(error: unknown, records: number): void {
    if (!this.deps.health.failed(this.deps.clock.now().getTime())) return;
    this.deps.logger.warn('Audit stream unavailable: audit records stay pending in the audit table and are published when it is back', {
      records,
      pauseMs: this.deps.health.pauseMs,
      error: describe(error),
    });
  }
}

export interface OutboxReport {
  /** Records published by this run. */
  readonly published: number;
  /** Whether records were still pending when the run stopped (at a failure, its limit or its deadline). */
  readonly morePending: boolean;
  /** Why the run stopped early, when it did: the stream's error. */
  readonly error?: string;
}

export interface OutboxOptions {
  /** Records read from the table at once. */
  readonly pageSize?: number;
  /** Most records one run publishes. */
  readonly limit?: number;
  readonly deadline?: Deadline;
}

/**
 * Publishes the records that are pending in the table (written while the stream was down, or whose in-line
 * publish did not finish), oldest first and a device's records in order, each device's records in one call
 * (so its events stay together and in order on its partition). Stops at the first transient failure (the
 * stream is down: the next run goes on), skips a device whose records the stream refuses for good (logged;
 * they stay pending), and stops at the deadline or after `limit` records.
 */
export async function publishPendingAuditRecords(
  deps: Pick<PublishingAuditSinkDependencies, 'table' | 'stream' | 'clock' | 'logger'> & { readonly health?: AuditStreamHealth },
  options: OutboxOptions = {},
): Promise<OutboxReport> {
  const pageSize = options.pageSize ?? 500;
  const limit = options.limit ?? 10_000;
  const refused = new Set<string>();
  let published = 0;
  for (;;) {
    if (published >= limit || (options.deadline !== undefined && hasPassed(options.deadline, deps.clock))) {
      return { published, morePending: true };
    }
    const page = await deps.table.listUnpublished(Math.min(pageSize, limit - published));
    const devices = groupByDevice(page.filter((record) => !refused.has(record.deviceId)));
    if (devices.length === 0) return { published, morePending: page.length > 0 };
    for (const { deviceId, records } of devices) {
      try {
        await deps.stream.publish(records);
      } catch (error) {
        if (isTransient(error) || !isProductError(error)) {
          deps.health?.failed(deps.clock.now().getTime());
          return { published, morePending: true, error: describe(error) };
        }
        refused.add(deviceId);
        deps.logger.error('Audit stream refused the records of a device; they stay pending', {
          deviceId,
          records: records.length,
          error: describe(error),
        });
        continue;
      }
      await deps.table.markPublished(records);
      published += records.length;
    }
    deps.health?.succeeded();
  }
}

/** Records grouped by device, devices in order of their oldest record, each device's records oldest first. */
function groupByDevice(records: readonly AuditRecord[]): Array<{ deviceId: string; records: AuditRecord[] }> {
  const groups = new Map<string, AuditRecord[]>();
  for (const record of [...records].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))) {
    const group = groups.get(record.deviceId);
    if (group === undefined) groups.set(record.deviceId, [record]);
    else group.push(record);
  }
  return [...groups].map(([deviceId, grouped]) => ({ deviceId, records: grouped }));
}

function describe(error: unknown): string {
  if (isProductError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
