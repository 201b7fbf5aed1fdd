import type { AuditRecord } from '../../src/app/ports/auditSink';

/**
 * A `corrected` audit record for `deviceId`, numbered by `sequence` (id, time one second apart, correlation
 * id and twin version all follow it), as the enforcer writes one; `overrides` on top.
 */
export function testCorrectionRecord(deviceId: string, sequence: number, overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: `correct|azureiotsecurity|${deviceId}|v${sequence}`,
    at: new Date(Date.UTC(2026, 10, 27, 12, 0, sequence)).toISOString(),
    action: 'corrected',
    deviceId,
    moduleId: 'azureiotsecurity',
    baselineName: 'default',
    baselineVersion: 1,
    mode: 'enforce',
    changes: [{ setting: 'eventPriorityLogin', kind: 'changed', from: 'Off', to: 'High' }],
    assignment: { name: 'default', version: 1, mode: 'enforce', assignedAt: '2026-11-27T11:00:00.000Z' },
    reason: 'test',
    correlationId: `event-${sequence}`,
    twinVersion: sequence,
    ...overrides,
  };
}
