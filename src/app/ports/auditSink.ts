import type { SettingChange } from '../../domain/configurationDiff';

export type AuditAction = 'provisioned';

/** One change the product made to a module twin: who, what, which baseline, why. */
export interface AuditRecord {
  /** Deterministic, so that re-writing the record after a retry does not create a second one. */
  readonly id: string;
  readonly at: string;
  readonly action: AuditAction;
  readonly deviceId: string;
  readonly moduleId: string;
  readonly baselineName: string;
  readonly baselineVersion: number;
  readonly mode: 'enforce' | 'audit';
  /** The agent settings that changed, from what to what. */
  readonly changes: readonly SettingChange[];
  /** The twin's tags.securityBaseline as written. */
  readonly assignment: Readonly<Record<string, unknown>>;
  readonly reason: string;
  /** Id of the event or request that caused the change. */
  readonly correlationId: string;
  /** Twin version right after the change, when known. */
  readonly twinVersion?: number;
  /** true when written on a later delivery because the first write of the record did not happen. */
  readonly recovered?: boolean;
}

export interface AuditSink {
  /** Idempotent by record id. */
  record(entry: AuditRecord): Promise<void>;
  has(deviceId: string, id: string): Promise<boolean>;
  listForDevice(deviceId: string): Promise<AuditRecord[]>;
}
