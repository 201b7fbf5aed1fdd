import type { BaselineAssignment } from '../domain/assignment';
import { diffConfiguration } from '../domain/configurationDiff';
import type { CompiledDeviceSelector } from '../domain/deviceSelector';
import { assignmentAuditId } from './assignmentAuditId';
import { reconcileModuleTwin, type ReconcileCause, type ReconcileDependencies, type ReconcileTarget } from './reconcileModuleTwin';

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
  /** The twin already holds exactly the baseline it is assigned: nothing to do. */
  | { readonly kind: 'already-assigned'; readonly assignment: BaselineAssignment }
  /**
   * The twin carried an assignment but not its configuration (a forged or stale tag, a partial write by
   * someone else): the configuration was put back to the assigned baseline, and audited as a correction.
   */
  | { readonly kind: 'corrected'; readonly assignment: BaselineAssignment; readonly twinVersion: number; readonly changedSettings: number }
  /** The assignment is in audit mode and the twin differs from it: recorded, left as it is. */
  | { readonly kind: 'drift-observed'; readonly assignment: BaselineAssignment; readonly changedSettings: number }
  /** A twin someone keeps changing back: corrections back off until `until` (only with a correction gate). */
  | { readonly kind: 'contested'; readonly assignment: BaselineAssignment; readonly until: string }
  /** Exempt from enforcement for now: left as it is. */
  | { readonly kind: 'exempt'; readonly assignment: BaselineAssignment }
  /** The twin holds a tags.securityBaseline we cannot read: a security finding, recorded; nothing overwritten. */
  | { readonly kind: 'assignment-unreadable'; readonly problems: readonly string[] }
  /** The assignment names a baseline that does not exist (or is for another agent): recorded, not guessed. */
  | { readonly kind: 'baseline-missing'; readonly assignment: BaselineAssignment; readonly problem: string };

export interface ProvisioningDependencies extends ReconcileDependencies {
  readonly selector: CompiledDeviceSelector;
}

/**
 * Ensures a newly registered device has the security module holding exactly its assigned baseline (the
 * default one for a new module). Idempotent: re-deliveries and duplicates find the module (409) and the
 * assignment in line and stop there. Costs three hub calls when nothing fails: the device twin read (a
 * twin read, which also answers "IoT Edge?" and "gone?" before any identity operation is spent), the
 * module creation (the one identity operation) and one conditional PATCH.
 */
export async function provisionSecurityModule(deps: ProvisioningDependencies, notice: DeviceCreatedNotice): Promise<ProvisionOutcome> {
  const { registry, profile, selector } = deps;
  const { deviceId } = notice;

  if (!selector.matchesDeviceId(deviceId)) {
    return { kind: 'not-selected', reason: 'device ID does not match DEVICE_ID_PATTERN' };
  }
  // Read first, whatever the selector: an event for a device that does not exist (deleted since, or never
  // there) must not spend the identity budget that real new devices need.
  const device = await registry.getDevice(deviceId);
  if (device === undefined) return { kind: 'device-gone' };
  if (!selector.matchesDevice(device)) return { kind: 'not-selected', reason: 'IoT Edge devices are excluded (INCLUDE_EDGE_DEVICES=false)' };

  const created = await registry.createModule(deviceId, profile.moduleId);
  if (created.kind === 'device-not-found') return { kind: 'device-gone' };

  const cause: ReconcileCause = {
    correlationId: notice.eventId,
    description: `new device registered (DeviceCreated event ${notice.eventId})`,
    assignAction: 'provisioned',
  };
  // A module we just created is untouched: write without reading, conditioned on its fresh ETag.
  const fresh = created.kind === 'created' ? { deviceId, moduleId: profile.moduleId, etag: created.freshTwinEtag, tags: {}, desired: {} } : undefined;
  const outcome = await reconcileModuleTwin(deps, { deviceId, moduleId: profile.moduleId }, cause, fresh);

  switch (outcome.kind) {
    case 'assigned':
      return { kind: 'provisioned', baseline: { name: outcome.assignment.name, version: outcome.assignment.version }, twinVersion: outcome.twinVersion };
    case 'in-line':
      await recordMissingAuditOf(deps, notice, outcome.assignment, outcome.twin);
      return { kind: 'already-assigned', assignment: outcome.assignment };
    case 'corrected':
      return { kind: 'corrected', assignment: outcome.assignment, twinVersion: outcome.twinVersion, changedSettings: outcome.changes.length };
    case 'drift-observed':
      return { kind: 'drift-observed', assignment: outcome.assignment, changedSettings: outcome.changes.length };
    case 'twin-gone':
      return { kind: 'device-gone' };
    case 'contested':
      return { kind: 'contested', assignment: outcome.assignment, until: outcome.until };
    default:
      return outcome;
  }
}

/**
 * If an earlier delivery of this event patched the twin but failed before its audit record was written,
 * the retry lands here: write the record now so that no change of ours goes unaudited. Only a twin holding
 * exactly what provisioning writes qualifies (the default baseline's settings, and its tag in enforce mode
 * without rollout or exemption); anything else was not written by this flow and gets no record claiming it.
 */
async function recordMissingAuditOf(
  deps: ProvisioningDependencies,
  notice: DeviceCreatedNotice,
  assignment: BaselineAssignment,
  twin: ReconcileTarget,
): Promise<void> {
  const baseline = await deps.defaultBaseline();
  const writtenByProvisioning =
    assignment.rolloutId === undefined &&
    assignment.exemptUntil === undefined &&
    assignment.mode === 'enforce' &&
    assignment.name === baseline.name &&
    assignment.version === baseline.version;
  if (!writtenByProvisioning) return;
  const id = assignmentAuditId(twin.deviceId, twin.moduleId, assignment.assignedAt);
  if (await deps.audit.has(twin.deviceId, id)) return;
  await deps.audit.record({
    id,
    at: assignment.assignedAt,
    action: 'provisioned',
    deviceId: twin.deviceId,
    moduleId: twin.moduleId,
    baselineName: baseline.name,
    baselineVersion: baseline.version,
    mode: assignment.mode,
    assignment: { ...assignment },
    correlationId: notice.eventId,
    // The twin before the change is gone; provisioning writes the complete baseline, so that is the change.
    changes: diffConfiguration(deps.profile, {}, baseline.settings),
    ...(twin.version === undefined ? {} : { twinVersion: twin.version }),
    reason: `audit record recovered on re-delivery of DeviceCreated event ${notice.eventId}: the twin holds exactly the default baseline and its assignment, but the record was missing`,
    recovered: true,
  });
}
