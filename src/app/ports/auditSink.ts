import type { SettingChange } from '../../domain/configurationDiff';

/**
 * - `provisioned`: a baseline assigned and written to a new device's twin that had none;
 * - `assigned`: the same for a twin found without an assignment later (by the enforcer or the sweep);
 * - `corrected`: a twin whose desired configuration differed from its assigned baseline was put back;
 * - `drift-observed`: the same difference on a twin in audit mode, recorded and left as it is;
 * - `assignment-unreadable`: `tags.securityBaseline` is present but unusable: nothing written (a finding);
 * - `baseline-missing`: the assignment names a baseline version that does not exist (or is for another
 *   agent): nothing written, nothing guessed (a finding);
 * - `contested`: a twin that keeps being changed back; its corrections back off (a finding worth an alert);
 * - `agent-rejected`: the twin holds its baseline, but the agent reports it refused it (a finding).
 */
export type AuditAction = 'provisioned' | 'assigned' | 'corrected' | 'drift-observed' | 'contested' | 'agent-rejected' | 'assignment-unreadable' | 'baseline-missing';

/** One change the product made to a module twin, or one security finding about it: who, what, which baseline, why. */
export interface AuditRecord {
  /** Deterministic, so that re-writing the record after a retry does not create a second one. */
  readonly id: string;
  readonly at: string;
  readonly action: AuditAction;
  readonly deviceId: string;
  readonly moduleId: string;
  /** The baseline the twin is (to be) held to; absent when the assignment could not be read. */
  readonly baselineName?: string;
  readonly baselineVersion?: number;
  readonly mode?: 'enforce' | 'audit';
  /** The agent settings that changed (or, for `drift-observed`, differ), from what to what. */
  readonly changes: readonly SettingChange[];
  /** The twin's tags.securityBaseline as written, or as found when it is a finding. */
  readonly assignment: unknown;
  /** For findings: what is wrong, one sentence per problem. */
  readonly findings?: readonly string[];
  readonly reason: string;
  /** Id of the event or request that caused the change. */
  readonly correlationId: string;
  /** Twin version right after the change (or when the finding was made), when known. */
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
