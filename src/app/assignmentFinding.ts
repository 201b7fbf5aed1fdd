import type { BaselineAssignment } from '../domain/assignment';
import type { AuditRecord } from './ports/auditSink';

/** What a finding about a twin with a readable assignment says: nothing was changed, here is why it matters. */
export interface AssignmentFinding {
  /** Deterministic, so the same finding written again lands on the same record. */
  readonly id: string;
  readonly at: string;
  readonly action: 'contested' | 'agent-rejected';
  readonly twin: { readonly deviceId: string; readonly moduleId: string; readonly version?: number };
  readonly assignment: BaselineAssignment;
  readonly finding: string;
  readonly reason: string;
  readonly correlationId: string;
}

/** The audit record of a finding about an assigned twin (no change made: `changes` is empty). */
export function assignmentFindingRecord(finding: AssignmentFinding): AuditRecord {
  const { twin, assignment } = finding;
  return {
    id: finding.id,
    at: finding.at,
    action: finding.action,
    deviceId: twin.deviceId,
    moduleId: twin.moduleId,
    baselineName: assignment.name,
    baselineVersion: assignment.version,
    mode: assignment.mode,
    changes: [],
    assignment: { ...assignment },
    findings: [finding.finding],
    reason: finding.reason,
    correlationId: finding.correlationId,
    ...(twin.version === undefined ? {} : { twinVersion: twin.version }),
  };
}
