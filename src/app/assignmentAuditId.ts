/**
 * Every assignment the product writes is audited under an id derived from the twin and the assignment's
 * timestamp, so a record can be looked up (and re-written without duplication) from the twin alone.
 */
export function assignmentAuditId(deviceId: string, moduleId: string, assignedAt: string): string {
  return `assign|${moduleId}|${assignedAt}|${deviceId}`;
}
