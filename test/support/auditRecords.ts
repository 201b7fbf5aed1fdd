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

/** The correction the README's audit-stream example shows (and the schema tests use). */
export const exampleCorrectionRecord: AuditRecord = {
  id: 'correct|azureiotsecurity|sensor-17|v9',
  at: '2026-11-27T16:45:10.021Z',
  action: 'corrected',
  deviceId: 'sensor-17',
  moduleId: 'azureiotsecurity',
  baselineName: 'default',
  baselineVersion: 1,
  mode: 'enforce',
  changes: [{ setting: 'highPriorityMessageFrequency', kind: 'changed', from: 'PT1H', to: 'PT7M' }],
  assignment: { name: 'default', version: 1, mode: 'enforce', assignedAt: '2026-11-27T16:40:02.113Z' },
  reason: 'desired configuration differed from default v1 and was put back (twin-change notification)',
  correlationId: 'twin-change:sensor-17:9',
  twinVersion: 9,
};
