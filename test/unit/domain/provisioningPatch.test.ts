import { describe, expect, it } from 'vitest';
import type { BaselineAssignment } from '../../../src/domain/assignment';
import { readAssignment } from '../../../src/domain/assignment';
import type { Baseline } from '../../../src/domain/baseline';
import { diffConfiguration } from '../../../src/domain/configurationDiff';
import { InvariantError } from '../../../src/domain/productError';
import { ascClassic } from '../../../src/domain/profiles/ascClassic';
import { defenderMicroAgent } from '../../../src/domain/profiles/defenderMicroAgent';
import { provisioningPatch } from '../../../src/domain/provisioningPatch';
import { applyMergePatch } from '../../local/iothubSimulator/mergePatch';

const baseline: Baseline = {
  name: 'default',
  version: 4,
  profile: 'asc-classic',
  settings: { snapshotFrequency: 'PT6H' },
  createdAt: '2024-05-01T12:00:00Z',
  createdBy: 'ops',
  description: '',
};
const assignment: BaselineAssignment = { name: 'default', version: 4, mode: 'enforce', assignedAt: '2024-05-02T08:00:00Z' };

describe('provisioningPatch', () => {
  it('carries the assignment tag and the complete configuration in one body', () => {
    const twin = { tags: { securityGroup: 'default' }, properties: { desired: { $version: 1, $metadata: {} } } };
    const patch = provisioningPatch(ascClassic, baseline, assignment, twin.properties.desired);
    const after = applyMergePatch(twin, patch) as { tags: unknown; properties: { desired: unknown } };
    expect(readAssignment(after.tags)).toEqual({ kind: 'valid', assignment });
    expect(diffConfiguration(ascClassic, after.properties.desired, baseline.settings)).toEqual([]);
    expect(after.tags).toMatchObject({ securityGroup: 'default' });
  });

  it('works without the current desired properties', () => {
    const patch = provisioningPatch(ascClassic, baseline, assignment);
    expect(Object.keys(patch)).toEqual(['tags', 'properties']);
    expect(diffConfiguration(ascClassic, applyMergePatch({}, patch.properties.desired), baseline.settings)).toEqual([]);
  });

  it('refuses a baseline of another profile', () => {
    expect(() => provisioningPatch(defenderMicroAgent, baseline, assignment)).toThrow(
      expect.objectContaining({ code: 'ProfileMismatch', kind: 'invariant' }),
    );
  });

  it.each([
    { ...assignment, name: 'other' },
    { ...assignment, version: 5 },
  ])('refuses an assignment to another baseline ($name v$version)', (other) => {
    expect(() => provisioningPatch(ascClassic, baseline, other)).toThrow(InvariantError);
    expect(() => provisioningPatch(ascClassic, baseline, other)).toThrow(/does not match baseline default v4/);
  });
});
