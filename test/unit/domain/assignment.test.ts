import { describe, expect, it } from 'vitest';
import { ASSIGNMENT_TAG, assignmentTagPatch, readAssignment, validateAssignment, type BaselineAssignment } from '../../../src/domain/assignment';
import { applyMergePatch } from '../../local/iothubSimulator/mergePatch';

const minimal: BaselineAssignment = { name: 'default', version: 2, mode: 'enforce', assignedAt: '2024-05-01T12:00:00Z' };
const full: BaselineAssignment = { ...minimal, mode: 'audit', rolloutId: 'rollout-7', exemptUntil: '2024-06-01T00:00:00Z', exemptReason: 'maintenance window' };

describe('readAssignment', () => {
  it.each([undefined, null, {}, { securityGroup: 'default' }])('is absent for tags %j', (tags) => {
    expect(readAssignment(tags)).toEqual({ kind: 'absent' });
  });

  it.each([minimal, full])('reads a valid assignment ($mode)', (assignment) => {
    expect(readAssignment({ [ASSIGNMENT_TAG]: assignment, other: 1 })).toEqual({ kind: 'valid', assignment });
  });

  it('ignores fields it does not know, for forward compatibility', () => {
    expect(readAssignment({ securityBaseline: { ...minimal, futureField: true } })).toEqual({ kind: 'valid', assignment: minimal });
  });

  it('is invalid when tags are not an object', () => {
    expect(readAssignment('tags')).toEqual({ kind: 'invalid', issues: [expect.objectContaining({ path: 'tags', rule: 'assignment-type' })] });
  });

  it.each([null, 'default', [minimal]])('is invalid when the tag is %j', (tag) => {
    expect(readAssignment({ securityBaseline: tag })).toEqual({
      kind: 'invalid',
      issues: [expect.objectContaining({ path: 'tags.securityBaseline', rule: 'assignment-type', message: expect.stringContaining('tags.securityBaseline must be a JSON object') })],
    });
  });

  it.each([
    { field: 'name', value: 'Default', rule: 'baseline-name' },
    { field: 'version', value: '2', rule: 'baseline-version', says: 'written without quotes' },
    { field: 'version', value: 0, rule: 'baseline-version' },
    { field: 'mode', value: 'Enforce', rule: 'assignment-mode', says: 'must be "enforce" or "audit"' },
    { field: 'assignedAt', value: 'yesterday', rule: 'timestamp' },
    { field: 'rolloutId', value: '', rule: 'assignment-rollout' },
    { field: 'rolloutId', value: 7, rule: 'assignment-rollout' },
    { field: 'exemptUntil', value: '2024-06-01', rule: 'timestamp' },
    { field: 'exemptReason', value: false, rule: 'assignment-exempt-reason' },
  ])('is invalid when $field is $value', ({ field, value, rule, says }) => {
    const reading = readAssignment({ securityBaseline: { ...minimal, [field]: value } });
    expect(reading).toEqual({
      kind: 'invalid',
      issues: [
        {
          path: `tags.securityBaseline.${field}`,
          rule,
          severity: 'error',
          message: expect.stringContaining(says ?? `tags.securityBaseline.${field} (${JSON.stringify(value)})`),
        },
      ],
    });
  });

  it('reports every problem at once', () => {
    const reading = readAssignment({ securityBaseline: { mode: 'x' } });
    expect(reading.kind === 'invalid' ? reading.issues.map((issue) => issue.path) : []).toEqual([
      'tags.securityBaseline.name',
      'tags.securityBaseline.version',
      'tags.securityBaseline.mode',
      'tags.securityBaseline.assignedAt',
    ]);
  });
});

describe('validateAssignment', () => {
  it('rejects an assignment whose tag would break IoT Hub tag limits', () => {
    expect(validateAssignment({ ...minimal, exemptReason: 'r'.repeat(5000) })).toEqual({
      ok: false,
      issues: [expect.objectContaining({ path: 'tags.securityBaseline.exemptReason', rule: 'twin-string-length' })],
    });
  });

  it('accepts a valid assignment', () => {
    expect(validateAssignment(full)).toEqual({ ok: true, value: full, warnings: [] });
  });
});

describe('assignmentTagPatch', () => {
  it('writes every field under securityBaseline', () => {
    expect(assignmentTagPatch(full)).toEqual({ securityBaseline: full });
  });

  it('sends null for absent optional fields, so stale ones do not survive the merge', () => {
    expect(assignmentTagPatch(minimal)).toEqual({ securityBaseline: { ...minimal, rolloutId: null, exemptUntil: null, exemptReason: null } });
    const tags = applyMergePatch({ securityBaseline: full, securityGroup: 'default' }, assignmentTagPatch(minimal));
    expect(tags).toEqual({ securityBaseline: minimal, securityGroup: 'default' });
    expect(readAssignment(tags)).toEqual({ kind: 'valid', assignment: minimal });
  });

  it('round-trips through readAssignment', () => {
    expect(readAssignment(applyMergePatch({}, assignmentTagPatch(full)))).toEqual({ kind: 'valid', assignment: full });
  });
});
