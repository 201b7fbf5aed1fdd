import type { AgentProfile, ProfileId } from '../domain/agentProfile';
import { readAssignment, type BaselineAssignment } from '../domain/assignment';
import type { Baseline } from '../domain/baseline';
import { classifyCompliance, type ComplianceVerdict } from '../domain/compliance';
import { ValidationError } from '../domain/productError';
import type { Clock } from './ports/clock';
import type { ModuleTwin, TwinRegistry } from './ports/twinRegistry';

/** What classifying a twin needs besides the twin. */
export interface ComplianceDependencies {
  readonly profile: AgentProfile;
  readonly clock: Clock;
  /** The stored baseline `name` version `version`, or undefined when there is none. */
  readonly baseline: (name: string, version: number) => Promise<Baseline | undefined>;
  /**
   * Until when the enforcer backs off correcting this twin (ISO-8601), undefined when it does not. Asked
   * only about twins whose configuration differs from their baseline: a contest is a finding about drift.
   */
  readonly contestedUntil: (deviceId: string, moduleId: string) => Promise<string | undefined>;
}

export interface DeviceCompliance extends ComplianceVerdict {
  readonly deviceId: string;
  /** The assignment read from the twin, when it could be read. */
  readonly assignment?: BaselineAssignment;
  /** The baseline the assignment names, when it exists. */
  readonly baseline?: { readonly name: string; readonly version: number; readonly profile: ProfileId; readonly description: string };
}

/** IoT Hub device IDs are 1-128 characters; anything else cannot have a twin and is a bad request. */
const maxDeviceIdLength = 128;

/** The compliance of one device's security module twin, read from the hub now. */
export async function readDeviceCompliance(
  deps: ComplianceDependencies & { readonly registry: Pick<TwinRegistry, 'getModuleTwin'> },
  deviceId: string,
): Promise<DeviceCompliance> {
  if (deviceId === '' || deviceId.length > maxDeviceIdLength) {
    throw new ValidationError('InvalidDeviceId', `deviceId must be 1-${maxDeviceIdLength} characters, got ${deviceId.length}`);
  }
  const twin = await deps.registry.getModuleTwin(deviceId, deps.profile.moduleId);
  const { verdict, assignment, baseline } = await classifyModuleTwin(deps, twin);
  return {
    deviceId,
    ...verdict,
    ...(assignment === undefined ? {} : { assignment }),
    ...(baseline === undefined ? {} : { baseline: { name: baseline.name, version: baseline.version, profile: baseline.profile, description: baseline.description } }),
  };
}

/**
 * Classifies one module twin (undefined: the module does not exist): reads its assignment, looks up the
 * baseline it names, and asks whether corrections back off only when the twin turns out to differ from it,
 * so a fleet-wide count asks about the few drifted twins, not about every twin.
 */
export async function classifyModuleTwin(
  deps: ComplianceDependencies,
  twin: Pick<ModuleTwin, 'deviceId' | 'moduleId' | 'tags' | 'desired' | 'reported'> | undefined,
): Promise<{ readonly verdict: ComplianceVerdict; readonly assignment?: BaselineAssignment; readonly baseline?: Baseline }> {
  const reading = twin === undefined ? undefined : readAssignment(twin.tags);
  const assignment = reading?.kind === 'valid' ? reading.assignment : undefined;
  const baseline = assignment === undefined ? undefined : await deps.baseline(assignment.name, assignment.version);
  const input = { profile: deps.profile, twin, baseline, now: deps.clock.now() };
  let verdict = classifyCompliance(input);
  if (verdict.state === 'drifted' && twin !== undefined) {
    const contestedUntil = await deps.contestedUntil(twin.deviceId, twin.moduleId);
    if (contestedUntil !== undefined) verdict = classifyCompliance({ ...input, contestedUntil });
  }
  return { verdict, ...(assignment === undefined ? {} : { assignment }), ...(baseline === undefined ? {} : { baseline }) };
}
