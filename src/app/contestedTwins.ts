import type { BaselineAssignment } from '../domain/assignment';
import { assignmentFindingRecord } from './assignmentFinding';
import type { AuditSink } from './ports/auditSink';
import type { Clock } from './ports/clock';
import type { CorrectionGate, ReconcileTarget } from './reconcileModuleTwin';

export interface ContestPolicy {
  /** More corrections than this within `windowMs` make a twin contested. */
  readonly maxCorrections: number;
  readonly windowMs: number;
  /** The first back-off; each correction made while contested doubles it. */
  readonly backoffMs: number;
}

/**
 * A twin that keeps being changed back is being fought over, usually by a person or another tool with a
 * reason. Rather than correct it for ever (Kubernetes-style hot loops), corrections back off exponentially
 * once it has been corrected more than `maxCorrections` times within the window, and each new back-off
 * level is recorded once as a `contested` audit record: the finding a security team wants an alert on.
 * The history is the audit table itself, so every worker and the sweep agree without another store.
 */
export function contestedTwins(deps: { readonly audit: Pick<AuditSink, 'listForDevice' | 'record'>; readonly clock: Clock }, policy: ContestPolicy) {
  const standing = async (deviceId: string, moduleId: string): Promise<{ corrections: number; level: number; latest?: number; until?: number }> => {
    const now = deps.clock.now().getTime();
    const since = new Date(now - policy.windowMs).toISOString();
    const corrections = (await deps.audit.listForDevice(deviceId)).filter((record) => record.moduleId === moduleId && record.action === 'corrected' && record.at >= since);
    const level = corrections.length - policy.maxCorrections;
    if (level < 0) return { corrections: corrections.length, level };
    const latest = Math.max(...corrections.map((record) => Date.parse(record.at)));
    return { corrections: corrections.length, level, latest, until: latest + policy.backoffMs * 2 ** level };
  };

  /** For reconcile: may this twin be corrected now? Records the contest when it starts a new back-off level. */
  const gate = async (twin: ReconcileTarget, assignment: BaselineAssignment): Promise<CorrectionGate> => {
    const { corrections, latest, until } = await standing(twin.deviceId, twin.moduleId);
    if (until === undefined || until <= deps.clock.now().getTime()) return { allowed: true };
    const untilText = new Date(until).toISOString();
    const reason = `corrected ${corrections} times within ${Math.round(policy.windowMs / 60_000)} min; corrections back off until ${untilText}`;
    await deps.audit.record(
      assignmentFindingRecord({
        // One record per back-off (keyed by the correction it follows): notifications while backing off do
        // not pile up copies, and a later contest gets a record of its own.
        id: `contested|${twin.moduleId}|${twin.deviceId}|${new Date(latest as number).toISOString()}`,
        at: deps.clock.now().toISOString(),
        action: 'contested',
        twin,
        assignment,
        finding: reason,
        reason: `the twin keeps being changed back: ${reason}`,
        correlationId: `contested:${twin.deviceId}`,
      }),
    );
    return { allowed: false, until: untilText, reason };
  };

  /** For compliance: until when the twin's corrections back off, if they do now. */
  const contestedUntil = async (deviceId: string, moduleId: string): Promise<string | undefined> => {
    const { until } = await standing(deviceId, moduleId);
    return until !== undefined && until > deps.clock.now().getTime() ? new Date(until).toISOString() : undefined;
  };

  return { gate, contestedUntil };
}
