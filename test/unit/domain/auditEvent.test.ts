import { exampleCorrectionRecord } from '../../support/auditRecords';
import { describe, expect, it } from 'vitest';
import { auditEventSource, auditEventType, auditSeverity, toAuditEvent, type AuditEventAction, type AuditEventRecord } from '../../../src/domain/auditEvent';

const source = auditEventSource('Contoso-Fleet.azure-devices.net');

const corrected: AuditEventRecord = { ...exampleCorrectionRecord, reason: 'desired configuration differed from default v1 and was put back' };

describe('toAuditEvent', () => {
  it('makes a CloudEvents 1.0 event of a correction, with the record id as the event id', () => {
    expect(toAuditEvent(corrected, source)).toEqual({
      specversion: '1.0',
      id: 'correct|azureiotsecurity|sensor-17|v9',
      source: '/iothubs/contoso-fleet.azure-devices.net',
      type: 'com.securitymoduletwins.twin.corrected',
      subject: 'devices/sensor-17/modules/azureiotsecurity',
      time: '2026-11-27T16:45:10.021Z',
      datacontenttype: 'application/json',
      data: {
        action: 'corrected',
        severity: 'warning',
        deviceId: 'sensor-17',
        moduleId: 'azureiotsecurity',
        baseline: { name: 'default', version: 1 },
        mode: 'enforce',
        changes: [{ setting: 'highPriorityMessageFrequency', kind: 'changed', from: 'PT1H', to: 'PT7M' }],
        findings: [],
        assignment: { name: 'default', version: 1, mode: 'enforce', assignedAt: '2026-11-27T16:40:02.113Z' },
        reason: 'desired configuration differed from default v1 and was put back',
        correlationId: 'twin-change:sensor-17:9',
        twinVersion: 9,
        recovered: false,
      },
    });
  });

  it('keeps every data field for a finding without a baseline, mode or twin version (null, empty)', () => {
    const event = toAuditEvent(
      {
        id: 'assignment-unreadable|azureiotsecurity|d1|v0',
        at: '2026-11-27T17:00:00.000Z',
        action: 'assignment-unreadable',
        deviceId: 'd1',
        moduleId: 'azureiotsecurity',
        changes: [],
        assignment: undefined,
        findings: ['version must be a whole number'],
        reason: 'tags.securityBaseline cannot be read',
        correlationId: 'e1',
        recovered: true,
      },
      source,
    );
    expect(event.data).toEqual({
      action: 'assignment-unreadable',
      severity: 'high',
      deviceId: 'd1',
      moduleId: 'azureiotsecurity',
      baseline: null,
      mode: null,
      changes: [],
      findings: ['version must be a whole number'],
      assignment: null,
      reason: 'tags.securityBaseline cannot be read',
      correlationId: 'e1',
      twinVersion: null,
      recovered: true,
    });
    expect(Object.keys(event.data)).toEqual(Object.keys(toAuditEvent(corrected, source).data));
  });

  it('has no baseline when only its name or only its version is known', () => {
    const { baselineVersion: _version, ...nameOnly } = corrected;
    expect(toAuditEvent(nameOnly, source).data.baseline).toBeNull();
  });

  it('is the same event for the same record, and does not share the record’s arrays', () => {
    const first = toAuditEvent(corrected, source);
    expect(toAuditEvent(corrected, source)).toEqual(first);
    expect(first.data.changes).not.toBe(corrected.changes);
    expect(first.data.changes[0]).not.toBe(corrected.changes[0]);
  });
});

describe('audit event types and severities', () => {
  const expected: Array<[AuditEventAction, string]> = [
    ['provisioned', 'info'],
    ['assigned', 'info'],
    ['corrected', 'warning'],
    ['drift-observed', 'warning'],
    ['contested', 'high'],
    ['assignment-unreadable', 'high'],
    ['baseline-missing', 'high'],
    ['agent-rejected', 'high'],
  ];

  it.each(expected)('%s is %s', (action, severity) => {
    expect(auditSeverity(action)).toBe(severity);
    expect(auditEventType(action)).toBe(`com.securitymoduletwins.twin.${action}`);
  });
});
