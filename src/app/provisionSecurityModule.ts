import type { AgentProfile } from '../domain/agentProfile';
import { readAssignment, type BaselineAssignment } from '../domain/assignment';
import type { Baseline } from '../domain/baseline';
import { diffConfiguration } from '../domain/configurationDiff';
import type { CompiledDeviceSelector } from '../domain/deviceSelector';
import { TransientError } from '../domain/productError';
import { provisioningPatch } from '../domain/provisioningPatch';
import type { AuditRecord, AuditSink } from './ports/auditSink';
import type { Clock } from './ports/clock';
import type { ModuleTwin, TwinRegistry } from './ports/twinRegistry';
import { assignmentAuditId } from './assignmentAuditId';

/** A device that IoT Hub reports as newly registered (from a DeviceCreated event). */
export interface DeviceCreatedNotice {
  readonly deviceId: string;
  /** Id of the event, kept in the audit record as the cause of the change. */
  readonly eventId: string;
}

export type ProvisionOutcome =
  | { readonly kind: 'provisioned'; readonly baseline: { readonly name: string; readonly version: number }; readonly twinVersion: number }
  | { readonly kind: 'not-selected'; readonly reason: string }
  /** The device (or its module) was deleted before we got to it: nothing left to secure. */
  | { readonly kind: 'device-gone' }
  /** The twin already holds an assignment: keeping it in line is the enforcer's job, not ours. */
  | { readonly kind: 'already-assigned'; readonly assignment: BaselineAssignment }
  /** The twin holds a tags.securityBaseline we cannot read; we do not overwrite what someone wrote. */
  | { readonly kind: 'assignment-unreadable'; readonly problems: readonly string[] };

export interface ProvisioningDependencies {
  readonly registry: TwinRegistry;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly profile: AgentProfile;
  readonly selector: CompiledDeviceSelector;
  readonly defaultBaseline: () => Promise<Baseline>;
}

/** Concurrent writers can each invalidate our ETag once; more than this means something is looping. */
const maxConditionalWriteAttempts = 5;

/**
 * Ensures a newly registered device has the security module with the complete default baseline and its
 * assignment tag. Idempotent: re-deliveries and duplicates find the module (409) and the assignment and
 * stop there. Costs two hub calls when nothing fails (create module, patch twin) plus one device read when
 * the selector has to look at the registry.
 */
export async function provisionSecurityModule(deps: ProvisioningDependencies, notice: DeviceCreatedNotice): Promise<ProvisionOutcome> {
  const { registry, profile, selector } = deps;
  const { deviceId } = notice;

  if (!selector.matchesDeviceId(deviceId)) {
    return { kind: 'not-selected', reason: 'device ID does not match DEVICE_ID_PATTERN' };
  }
  if (selector.needsRegistry) {
    // The event's own twin is documented as a default placeholder (and has no capabilities), so the
    // registry is the only reliable answer to "is this an IoT Edge device?".
    const device = await registry.getDevice(deviceId);
    if (device === undefined) return { kind: 'device-gone' };
    if (!selector.matchesDevice(device)) return { kind: 'not-selected', reason: 'IoT Edge devices are excluded (INCLUDE_EDGE_DEVICES=false)' };
  }

  const baseline = await deps.defaultBaseline();
  const created = await registry.createModule(deviceId, profile.moduleId);
  if (created.kind === 'device-not-found') return { kind: 'device-gone' };

  if (created.kind === 'created') {
    // The module is ours and new: write without reading, conditioned on the twin still being untouched.
    const fresh: WriteTarget = { deviceId, moduleId: profile.moduleId, etag: created.freshTwinEtag, desired: {} };
    const outcome = await assignBaseline(deps, notice, baseline, fresh);
    if (outcome !== 'etag-mismatch') return outcome;
  }

  for (let attempt = 0; attempt < maxConditionalWriteAttempts; attempt++) {
    const twin = await registry.getModuleTwin(deviceId, profile.moduleId);
    if (twin === undefined) return { kind: 'device-gone' };

    const existing = readAssignment(twin.tags);
    if (existing.kind === 'valid') {
      await recordMissingAuditOf(deps, notice, baseline, twin, existing.assignment);
      return { kind: 'already-assigned', assignment: existing.assignment };
    }
    if (existing.kind === 'invalid') {
      return { kind: 'assignment-unreadable', problems: existing.issues.map((issue) => issue.message) };
    }
    const outcome = await assignBaseline(deps, notice, baseline, twin);
    if (outcome !== 'etag-mismatch') return outcome;
  }
  throw new TransientError('PreconditionFailed', `module twin ${deviceId}/${profile.moduleId} kept changing under ${maxConditionalWriteAttempts} conditional writes`);
}

/** The twin as last seen: what a conditional write is based on. */
type WriteTarget = Pick<ModuleTwin, 'deviceId' | 'moduleId' | 'etag' | 'desired'>;

async function assignBaseline(
  deps: ProvisioningDependencies,
  notice: DeviceCreatedNotice,
  baseline: Baseline,
  twin: WriteTarget,
): Promise<ProvisionOutcome | 'etag-mismatch'> {
  const assignment: BaselineAssignment = {
    name: baseline.name,
    version: baseline.version,
    mode: 'enforce',
    assignedAt: deps.clock.now().toISOString(),
  };
  const patch = provisioningPatch(deps.profile, baseline, assignment, twin.desired);
  const result = await deps.registry.patchModuleTwin(twin.deviceId, twin.moduleId, patch, twin.etag);
  if (result.kind === 'etag-mismatch') return 'etag-mismatch';
  if (result.kind === 'not-found') return { kind: 'device-gone' };

  await deps.audit.record(
    auditRecordFor(deps, notice, baseline, assignment, {
      changes: diffConfiguration(deps.profile, twin.desired, baseline.settings),
      twinVersion: result.twin.version,
      reason: `new device registered (DeviceCreated event ${notice.eventId}); default baseline applied`,
    }),
  );
  return { kind: 'provisioned', baseline: { name: baseline.name, version: baseline.version }, twinVersion: result.twin.version };
}

/**
 * If an earlier delivery of this event patched the twin but failed before its audit record was written,
 * the retry lands here: write the record now so that no change of ours goes unaudited. Only assignments
 * shaped exactly as provisioning writes them qualify; anything else was not written by this flow.
 */
async function recordMissingAuditOf(
  deps: ProvisioningDependencies,
  notice: DeviceCreatedNotice,
  baseline: Baseline,
  twin: ModuleTwin,
  assignment: BaselineAssignment,
): Promise<void> {
  const writtenByProvisioning =
    assignment.rolloutId === undefined && assignment.mode === 'enforce' && assignment.name === baseline.name && assignment.version === baseline.version;
  if (!writtenByProvisioning) return;
  const id = assignmentAuditId(twin.deviceId, twin.moduleId, assignment.assignedAt);
  if (await deps.audit.has(twin.deviceId, id)) return;
  await deps.audit.record(
    auditRecordFor(deps, notice, baseline, assignment, {
      // The twin before the change is gone; provisioning writes the complete baseline, so that is the change.
      changes: diffConfiguration(deps.profile, {}, baseline.settings),
      twinVersion: twin.version,
      reason: `audit record recovered on re-delivery of DeviceCreated event ${notice.eventId}: the twin carried the assignment but its record was missing`,
      recovered: true,
    }),
  );
}

function auditRecordFor(
  deps: ProvisioningDependencies,
  notice: DeviceCreatedNotice,
  baseline: Baseline,
  assignment: BaselineAssignment,
  details: Pick<AuditRecord, 'changes' | 'reason' | 'twinVersion'> & { readonly recovered?: boolean },
): AuditRecord {
  return {
    id: assignmentAuditId(notice.deviceId, deps.profile.moduleId, assignment.assignedAt),
    at: assignment.assignedAt,
    action: 'provisioned',
    deviceId: notice.deviceId,
    moduleId: deps.profile.moduleId,
    baselineName: baseline.name,
    baselineVersion: baseline.version,
    mode: assignment.mode,
    assignment: { ...assignment },
    correlationId: notice.eventId,
    ...details,
  };
}
