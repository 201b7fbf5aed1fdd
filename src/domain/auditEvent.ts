import type { SettingChange } from './configurationDiff';

/**
 * The security audit stream's event: one audit record as a CloudEvents 1.0 event (structured mode, JSON), so a
 * SIEM (Microsoft Sentinel, Splunk, a Stream Analytics job) reads every change and finding of the product
 * without knowing its tables. The README's "Security audit stream" documents the schema with an example that
 * a test compares with what `toAuditEvent` produces.
 */
export interface AuditEvent {
  readonly specversion: '1.0';
  /** The audit record's id: deterministic, so an event published twice (a retry, the outbox) is recognisably the same. */
  readonly id: string;
  /** The IoT hub whose twin it is: `/iothubs/<hub host name>` (`auditEventSource`). */
  readonly source: string;
  /** `com.securitymoduletwins.twin.<action>`. */
  readonly type: string;
  /** `devices/<deviceId>/modules/<moduleId>`. */
  readonly subject: string;
  /** When the product made the change or the finding (the record's `at`), RFC 3339. */
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: AuditEventData;
}

/** The record's content. Every field is always present (null or empty when the record has none), so a SIEM's schema is one shape. */
export interface AuditEventData {
  readonly action: AuditEventAction;
  readonly severity: AuditSeverity;
  readonly deviceId: string;
  readonly moduleId: string;
  /** The baseline the twin is (to be) held to; null when the assignment could not be read. */
  readonly baseline: { readonly name: string; readonly version: number } | null;
  readonly mode: 'enforce' | 'audit' | null;
  /** Each agent setting that changed (or, for drift seen in audit mode, differs): from the twin's value to the baseline's. */
  readonly changes: readonly SettingChange[];
  /** For findings: what is wrong, one sentence per problem; empty otherwise. */
  readonly findings: readonly string[];
  /** The twin's `tags.securityBaseline` as written, or as found when it is a finding (any JSON, null when absent). */
  readonly assignment: unknown;
  readonly reason: string;
  /** Id of the event or request that caused it (a DeviceCreated event, a twin-change notification, a sweep). */
  readonly correlationId: string;
  /** Twin version right after the change, or when the finding was made; null when unknown. */
  readonly twinVersion: number | null;
  /** True when the record was written on a later delivery because its first write did not happen. */
  readonly recovered: boolean;
}

/** `info`: the product did what it is for; `warning`: someone or something changed a twin; `high`: a twin the product cannot keep in line. */
export type AuditSeverity = 'info' | 'warning' | 'high';

/**
 * Type and severity of every audit action. Keyed by every action an audit record can carry, so an action
 * added to the audit records without a line here does not compile where records are published
 * (`toAuditEvent` accepts only these actions). `agent-rejected` is the agent-report finding to come.
 */
const auditEventKinds = {
  provisioned: 'info',
  assigned: 'info',
  corrected: 'warning',
  'drift-observed': 'warning',
  contested: 'high',
  'assignment-unreadable': 'high',
  'baseline-missing': 'high',
  'agent-rejected': 'high',
} as const satisfies Readonly<Record<string, AuditSeverity>>;

export type AuditEventAction = keyof typeof auditEventKinds;

export const auditEventTypePrefix = 'com.securitymoduletwins.twin.';

/** What `toAuditEvent` reads of an audit record (the app's AuditRecord has this shape). */
export interface AuditEventRecord {
  readonly id: string;
  readonly at: string;
  readonly action: AuditEventAction;
  readonly deviceId: string;
  readonly moduleId: string;
  readonly baselineName?: string;
  readonly baselineVersion?: number;
  readonly mode?: 'enforce' | 'audit';
  readonly changes: readonly SettingChange[];
  readonly assignment: unknown;
  readonly findings?: readonly string[];
  readonly reason: string;
  readonly correlationId: string;
  readonly twinVersion?: number;
  readonly recovered?: boolean;
}

/** The event `source` of a hub: `/iothubs/contoso.azure-devices.net` (host names are case-insensitive: lower case). */
export function auditEventSource(hubHostName: string): string {
  return `/iothubs/${hubHostName.toLowerCase()}`;
}

export function auditEventType(action: AuditEventAction): string {
  return `${auditEventTypePrefix}${action}`;
}

export function auditSeverity(action: AuditEventAction): AuditSeverity {
  return auditEventKinds[action];
}

/** The CloudEvent for one audit record; the same record always gives the same event. */
export function toAuditEvent(record: AuditEventRecord, source: string): AuditEvent {
  return {
    specversion: '1.0',
    id: record.id,
    source,
    type: auditEventType(record.action),
    // IoT Hub device and module IDs cannot hold '/', so the subject splits back unambiguously.
    subject: `devices/${record.deviceId}/modules/${record.moduleId}`,
    time: record.at,
    datacontenttype: 'application/json',
    data: {
      action: record.action,
      severity: auditSeverity(record.action),
      deviceId: record.deviceId,
      moduleId: record.moduleId,
      baseline: record.baselineName === undefined || record.baselineVersion === undefined ? null : { name: record.baselineName, version: record.baselineVersion },
      mode: record.mode ?? null,
      changes: record.changes.map((change) => ({ ...change })),
      findings: [...(record.findings ?? [])],
      assignment: record.assignment ?? null,
      reason: record.reason,
      correlationId: record.correlationId,
      twinVersion: record.twinVersion ?? null,
      recovered: record.recovered === true,
    },
  };
}
