import { validateAssignment, type BaselineAssignment } from '../domain/assignment';
import type { AuditSink } from './ports/auditSink';

/** Actions whose record carries the assignment as the product wrote it to the twin. */
const writtenAssignment = new Set(['provisioned', 'assigned', 'corrected']);

/**
 * The assignment the product last wrote to a twin, read back from its audit records: when someone removes
 * the tag, this is what the twin is to hold again (not whatever the default is today).
 */
export function lastAssignmentFrom(audit: Pick<AuditSink, 'listForDevice'>): (deviceId: string, moduleId: string) => Promise<BaselineAssignment | undefined> {
  return async (deviceId, moduleId) => {
    const records = await audit.listForDevice(deviceId);
    for (const record of [...records].reverse()) {
      if (record.moduleId !== moduleId || !writtenAssignment.has(record.action)) continue;
      const assignment = validateAssignment(record.assignment);
      if (assignment.ok) return assignment.value;
    }
    return undefined;
  };
}
