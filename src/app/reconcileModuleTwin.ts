import type { AgentProfile } from '../domain/agentProfile';
import { readAssignment, type BaselineAssignment } from '../domain/assignment';
import type { Baseline } from '../domain/baseline';
import { diffConfiguration, type SettingChange } from '../domain/configurationDiff';
import { TransientError } from '../domain/productError';
import { provisioningPatch } from '../domain/provisioningPatch';
import { assignmentAuditId } from './assignmentAuditId';
import type { AuditRecord, AuditSink } from './ports/auditSink';
import type { Clock } from './ports/clock';
import type { ModuleTwin, TwinRegistry } from './ports/twinRegistry';

/**
 * The one comparison of a module twin with the baseline it is assigned, shared by every flow that keeps
 * twins in line (provisioning now; the twin-change enforcer, the sweep and rollouts next): read the
 * assignment from `tags.securityBaseline`, diff the desired configuration against
 * `baseline[name, version]`, and PATCH with the twin's ETag only when they differ. A twin without an
 * assignment gets the default baseline. Nothing is guessed: an unreadable tag or a baseline version that
 * does not exist is recorded as a finding and the twin is left as it is.
 */
export interface ReconcileDependencies {
  readonly registry: TwinRegistry;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly profile: AgentProfile;
  /** The stored baseline `name` version `version`, or undefined when there is none. */
  readonly baseline: (name: string, version: number) => Promise<Baseline | undefined>;
  /** The baseline a twin without an assignment gets. */
  readonly defaultBaseline: () => Promise<Baseline>;
  /**
   * The assignment the product last wrote to this twin (from its audit records), so a tag someone removed
   * is restored rather than replaced by today's default. Without it, a twin without a tag gets the default.
   */
  readonly lastAssignment?: (deviceId: string, moduleId: string) => Promise<BaselineAssignment | undefined>;
  /**
   * Asked just before a correction is written: a twin that keeps being changed back is contested, and its
   * corrections back off instead of fighting a person for ever. Without it, every correction is written.
   */
  readonly correctionGate?: (twin: ReconcileTarget, assignment: BaselineAssignment) => Promise<CorrectionGate>;
}

export type CorrectionGate = { readonly allowed: true } | { readonly allowed: false; readonly until: string; readonly reason: string };

/** Why this reconcile happens: kept in the audit records. */
export interface ReconcileCause {
  /** Id of the event or request. */
  readonly correlationId: string;
  /** One sentence for the audit record, e.g. "new device registered (DeviceCreated event e1)". */
  readonly description: string;
  /** The audit action of assigning a baseline to a twin that has none. */
  readonly assignAction: 'provisioned' | 'assigned';
}

/** The twin as last seen: what a conditional write is based on. */
export type ReconcileTarget = Pick<ModuleTwin, 'deviceId' | 'moduleId' | 'etag' | 'tags' | 'desired'> & { readonly version?: number };

export type ReconcileOutcome =
  /** The twin had no assignment and now holds the default baseline and its tag. */
  | { readonly kind: 'assigned'; readonly assignment: BaselineAssignment; readonly twinVersion: number; readonly changes: readonly SettingChange[] }
  /** The twin already holds exactly its assigned baseline: nothing written. */
  | { readonly kind: 'in-line'; readonly assignment: BaselineAssignment; readonly twin: ModuleTwin | ReconcileTarget }
  /** The desired configuration differed from the assigned baseline and was put back. */
  | { readonly kind: 'corrected'; readonly assignment: BaselineAssignment; readonly twinVersion: number; readonly changes: readonly SettingChange[] }
  /** Audit mode: the difference was recorded and left. */
  | { readonly kind: 'drift-observed'; readonly assignment: BaselineAssignment; readonly changes: readonly SettingChange[] }
  /** Exempt until `exemptUntil`: not compared. */
  | { readonly kind: 'exempt'; readonly assignment: BaselineAssignment }
  /** Drifted, but corrections back off on this contested twin until `until`. */
  | { readonly kind: 'contested'; readonly assignment: BaselineAssignment; readonly until: string; readonly changes: readonly SettingChange[] }
  | { readonly kind: 'assignment-unreadable'; readonly problems: readonly string[] }
  | { readonly kind: 'baseline-missing'; readonly assignment: BaselineAssignment; readonly problem: string }
  /** The module (or its device) no longer exists. */
  | { readonly kind: 'twin-gone' };

/** Concurrent writers can each invalidate our ETag once; more than this means something is looping. */
const maxConditionalWriteAttempts = 5;

/**
 * Reconciles one module twin. `known` is the twin as the caller last saw it (saves a read); without it,
 * or when a conditional write finds the twin changed (412), the twin is read afresh and compared again.
 */
export async function reconcileModuleTwin(
  deps: ReconcileDependencies,
  twinId: { readonly deviceId: string; readonly moduleId: string },
  cause: ReconcileCause,
  known?: ReconcileTarget,
): Promise<ReconcileOutcome> {
  let twin: ReconcileTarget | undefined = known;
  for (let attempt = 0; attempt < maxConditionalWriteAttempts; attempt++) {
    twin ??= await deps.registry.getModuleTwin(twinId.deviceId, twinId.moduleId);
    if (twin === undefined) return { kind: 'twin-gone' };
    const outcome = await reconcileOnce(deps, twin, cause);
    if (outcome !== 'etag-mismatch') return outcome;
    twin = undefined;
  }
  throw new TransientError(
    'PreconditionFailed',
    `module twin ${twinId.deviceId}/${twinId.moduleId} kept changing under ${maxConditionalWriteAttempts} conditional writes`,
    { retryNow: false },
  );
}

async function reconcileOnce(deps: ReconcileDependencies, twin: ReconcileTarget, cause: ReconcileCause): Promise<ReconcileOutcome | 'etag-mismatch'> {
  const reading = readAssignment(twin.tags);
  // The assignment is the product's: where its audit history says what it last wrote, a tag that is gone,
  // unreadable or names another baseline is put back. (Mode and exemption edits on the same baseline are
  // an operator's to make, and stand.)
  const restored = await restorableAssignment(deps, twin);
  if (restored !== undefined) {
    const found = reading.kind === 'valid' ? reading.assignment : undefined;
    if (found === undefined || found.name !== restored.assignment.name || found.version !== restored.assignment.version) {
      const what = reading.kind === 'absent' ? 'was removed' : reading.kind === 'invalid' ? 'could not be read' : `named ${found?.name} v${found?.version}`;
      return restoreAssignment(deps, twin, cause, restored.assignment, restored.baseline, what);
    }
  }
  if (reading.kind === 'absent') return assignDefault(deps, twin, cause);
  if (reading.kind === 'invalid') {
    const problems = reading.issues.map((issue) => issue.message);
    await recordFinding(deps, twin, cause, {
      action: 'assignment-unreadable',
      findings: problems,
      assignment: twin.tags['securityBaseline'],
      reason: `tags.securityBaseline cannot be read, so the twin's configuration cannot be checked; left as it is (${cause.description})`,
    });
    return { kind: 'assignment-unreadable', problems };
  }

  const { assignment } = reading;
  const exempt = assignment.exemptUntil !== undefined && Date.parse(assignment.exemptUntil) > deps.clock.now().getTime();
  const baseline = await deps.baseline(assignment.name, assignment.version);
  const problem =
    baseline === undefined
      ? `baseline ${assignment.name} v${assignment.version} does not exist`
      : baseline.profile === deps.profile.id
        ? undefined
        : `baseline ${assignment.name} v${assignment.version} is for agent profile ${baseline.profile}, not ${deps.profile.id}`;
  if (baseline === undefined || problem !== undefined) {
    const finding = problem as string;
    await recordFinding(deps, twin, cause, {
      action: 'baseline-missing',
      findings: [finding],
      assignment,
      reason: `the assignment names a baseline the product cannot apply; left as it is (${cause.description})`,
    });
    return { kind: 'baseline-missing', assignment, problem: finding };
  }

  const changes = diffConfiguration(deps.profile, twin.desired, baseline.settings);
  if (changes.length === 0) return exempt ? { kind: 'exempt', assignment } : { kind: 'in-line', assignment, twin };

  if (assignment.mode === 'audit' || exempt) {
    // Seen and recorded, not corrected: the operator asked for audit mode, or for an exemption until then.
    const why = exempt ? `exempt until ${assignment.exemptUntil}${assignment.exemptReason === undefined ? '' : ` (${assignment.exemptReason})`}` : 'audit mode';
    await deps.audit.record({
      ...recordBase(deps, twin, cause, 'drift-observed', assignment),
      id: `drift|${twin.moduleId}|${twin.deviceId}|v${twin.version ?? 0}`,
      changes,
      reason: `desired configuration differs from ${assignment.name} v${assignment.version}; ${why}, left as it is (${cause.description})`,
      ...(twin.version === undefined ? {} : { twinVersion: twin.version }),
    });
    return exempt ? { kind: 'exempt', assignment } : { kind: 'drift-observed', assignment, changes };
  }

  const gate = (await deps.correctionGate?.(twin, assignment)) ?? { allowed: true };
  if (!gate.allowed) return { kind: 'contested', assignment, until: gate.until, changes };

  // The assignment is written again as it is, beside the complete configuration: the notification of this
  // write then holds both, so the enforcer recognises it as its own without reading the twin.
  const result = await deps.registry.patchModuleTwin(twin.deviceId, twin.moduleId, provisioningPatch(deps.profile, baseline, assignment, twin.desired), twin.etag);
  if (result.kind === 'etag-mismatch') return 'etag-mismatch';
  if (result.kind === 'not-found') return { kind: 'twin-gone' };
  await deps.audit.record({
    ...recordBase(deps, twin, cause, 'corrected', assignment),
    // Keyed by the version our PATCH produced: a retried write of this record lands on the same row.
    id: `correct|${twin.moduleId}|${twin.deviceId}|v${result.twin.version}`,
    changes,
    twinVersion: result.twin.version,
    reason: `desired configuration differed from ${assignment.name} v${assignment.version} and was put back (${cause.description})`,
  });
  return { kind: 'corrected', assignment, twinVersion: result.twin.version, changes };
}

async function restorableAssignment(deps: ReconcileDependencies, twin: ReconcileTarget): Promise<{ assignment: BaselineAssignment; baseline: Baseline } | undefined> {
  const assignment = await deps.lastAssignment?.(twin.deviceId, twin.moduleId);
  if (assignment === undefined) return undefined;
  const baseline = await deps.baseline(assignment.name, assignment.version);
  return baseline === undefined || baseline.profile !== deps.profile.id ? undefined : { assignment, baseline };
}

/** The tag was removed or changed: the assignment the product last wrote is put back, with its configuration. */
async function restoreAssignment(
  deps: ReconcileDependencies,
  twin: ReconcileTarget,
  cause: ReconcileCause,
  assignment: BaselineAssignment,
  baseline: Baseline,
  what: string,
): Promise<ReconcileOutcome | 'etag-mismatch'> {
  const result = await deps.registry.patchModuleTwin(twin.deviceId, twin.moduleId, provisioningPatch(deps.profile, baseline, assignment, twin.desired), twin.etag);
  if (result.kind === 'etag-mismatch') return 'etag-mismatch';
  if (result.kind === 'not-found') return { kind: 'twin-gone' };
  const changes = diffConfiguration(deps.profile, twin.desired, baseline.settings);
  await deps.audit.record({
    ...recordBase(deps, twin, cause, 'corrected', assignment),
    id: `correct|${twin.moduleId}|${twin.deviceId}|v${result.twin.version}`,
    changes,
    twinVersion: result.twin.version,
    reason: `tags.securityBaseline ${what}; the last assignment, ${assignment.name} v${assignment.version}, was put back (${cause.description})`,
  });
  return { kind: 'corrected', assignment, twinVersion: result.twin.version, changes };
}

async function assignDefault(deps: ReconcileDependencies, twin: ReconcileTarget, cause: ReconcileCause): Promise<ReconcileOutcome | 'etag-mismatch'> {
  const baseline = await deps.defaultBaseline();
  const assignment: BaselineAssignment = { name: baseline.name, version: baseline.version, mode: 'enforce', assignedAt: deps.clock.now().toISOString() };
  const patch = provisioningPatch(deps.profile, baseline, assignment, twin.desired);
  const result = await deps.registry.patchModuleTwin(twin.deviceId, twin.moduleId, patch, twin.etag);
  if (result.kind === 'etag-mismatch') return 'etag-mismatch';
  if (result.kind === 'not-found') return { kind: 'twin-gone' };

  const changes = diffConfiguration(deps.profile, twin.desired, baseline.settings);
  await deps.audit.record({
    ...recordBase(deps, twin, cause, cause.assignAction, assignment),
    id: assignmentAuditId(twin.deviceId, twin.moduleId, assignment.assignedAt),
    at: assignment.assignedAt,
    changes,
    twinVersion: result.twin.version,
    reason: `${cause.description}; default baseline ${baseline.name} v${baseline.version} assigned`,
  });
  return { kind: 'assigned', assignment, twinVersion: result.twin.version, changes };
}

function recordBase(
  deps: ReconcileDependencies,
  twin: ReconcileTarget,
  cause: ReconcileCause,
  action: AuditRecord['action'],
  assignment: BaselineAssignment,
): Omit<AuditRecord, 'id' | 'changes' | 'reason'> {
  return {
    at: deps.clock.now().toISOString(),
    action,
    deviceId: twin.deviceId,
    moduleId: twin.moduleId,
    baselineName: assignment.name,
    baselineVersion: assignment.version,
    mode: assignment.mode,
    assignment: { ...assignment },
    correlationId: cause.correlationId,
  };
}

/**
 * A finding changes nothing, so it is keyed by the twin version it was made on: re-deliveries of the same
 * event, or other events while the twin stays as it is, do not pile up copies.
 */
async function recordFinding(
  deps: ReconcileDependencies,
  twin: ReconcileTarget,
  cause: ReconcileCause,
  finding: Pick<AuditRecord, 'findings' | 'assignment' | 'reason'> & { readonly action: 'assignment-unreadable' | 'baseline-missing' },
): Promise<void> {
  await deps.audit.record({
    id: `${finding.action}|${twin.moduleId}|${twin.deviceId}|v${twin.version ?? 0}`,
    at: deps.clock.now().toISOString(),
    deviceId: twin.deviceId,
    moduleId: twin.moduleId,
    changes: [],
    correlationId: cause.correlationId,
    ...(twin.version === undefined ? {} : { twinVersion: twin.version }),
    ...finding,
  });
}
