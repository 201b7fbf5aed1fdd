import type { AgentProfile } from '../domain/agentProfile';
import { readAssignment } from '../domain/assignment';
import type { Baseline } from '../domain/baseline';
import { classifyCompliance } from '../domain/compliance';
import { diffConfiguration } from '../domain/configurationDiff';
import { DeviceIdFilter } from '../domain/deviceIdFilter';
import type { CompiledDeviceSelector } from '../domain/deviceSelector';
import { isTransient } from '../domain/productError';
import { hasPassed, type Deadline } from './deadline';
import type { Pacer } from './pacer';
import { assignmentFindingRecord } from './assignmentFinding';
import type { AuditSink } from './ports/auditSink';
import type { Clock } from './ports/clock';
import type { SweepState, SweepStateStore } from './ports/sweepStateStore';
import type { ModuleTwin, TwinRegistry } from './ports/twinRegistry';
import type { DeviceCreatedNotice, ProvisionOutcome } from './provisionSecurityModule';
import type { ReconcileCause, ReconcileOutcome } from './reconcileModuleTwin';

export interface SweepDependencies {
  readonly registry: Pick<TwinRegistry, 'listModuleTwins' | 'listDevices' | 'countDevices'>;
  readonly store: SweepStateStore;
  readonly clock: Clock;
  readonly profile: AgentProfile;
  readonly selector: CompiledDeviceSelector;
  readonly baseline: (name: string, version: number) => Promise<Baseline | undefined>;
  /** Reconciles a twin the sweep read (its ETag from the query is what the write is conditioned on). */
  readonly reconcile: (twin: ModuleTwin, cause: ReconcileCause) => Promise<ReconcileOutcome>;
  /** Gives a selected device without the module its module and assignment, as provisioning does. */
  readonly provision: (notice: DeviceCreatedNotice) => Promise<ProvisionOutcome>;
  /** The sweep's share of the hub's budgets: queries, and the writes its findings cost. */
  readonly pace: { readonly queries: Pacer; readonly writes: Pacer };
  /** Where a finding goes (an agent that refused its configuration). */
  readonly audit: Pick<AuditSink, 'record'>;
  /** A fresh seed for each sweep's device filter, so what one sweep's false positives miss the next finds. */
  readonly newSeed: () => number;
}

export interface SweepOptions {
  /** When this run must stop (the timer invocation's time limit, less a margin); the next run resumes. */
  readonly deadline: Deadline;
  /** Twins or devices per query page (IoT Hub serves at most 1,000). */
  readonly pageSize: number;
  /** A new sweep starts this long after the previous one started. */
  readonly intervalMs: number;
  /** Pages between saves of the device filter (the state is saved with every page). */
  readonly filterSaveEveryPages: number;
}

export interface SweepRun {
  readonly sweepId: string;
  readonly phase: SweepState['phase'];
  /** This run's counts by outcome (`in-line`, `corrected`, `module-created`, …) and pages read. */
  readonly counts: Readonly<Record<string, number>>;
  /** Why the run stopped before the sweep was done, if it did. */
  readonly stoppedBy?: 'deadline' | 'transient-failure';
  /** The sweep had finished and the next is not due yet: nothing was read. */
  readonly idle?: true;
  readonly failure?: unknown;
}

/**
 * The periodic sweep (DESIGN §1): what notifications missed — dropped events, outages, modules deleted by
 * hand, devices registered before the product was installed, exemptions that expired. It pages through
 * every security module twin and reconciles those not as assigned (in-line twins cost nothing beyond the
 * query), remembering in a Bloom filter which devices have the module; then it pages through the devices and
 * provisions the selected ones the filter says lack it. Paced within its share of the hub's budgets, it never
 * holds the fleet in memory (a million devices: about 1.2 MB of filter), and resumes where it stopped when
 * a run ends at its deadline or on a throttled hub.
 */
export async function sweepFleet(deps: SweepDependencies, options: SweepOptions): Promise<SweepRun> {
  let state = await deps.store.load();
  const now = deps.clock.now();
  if (state === undefined || (state.phase === 'done' && now.getTime() - Date.parse(state.sweepId) >= options.intervalMs)) {
    state = await startSweep(deps, now);
  }
  if (state.phase === 'done') return { sweepId: state.sweepId, phase: 'done', counts: {}, idle: true };
  const loaded = state;

  const filter = DeviceIdFilter.restore(loaded.filter.bits, loaded.filter.hashCount, loaded.filter.seed);
  const counts: Record<string, number> = {};
  const current: { state: SweepState } = { state: loaded };
  const tally = (key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  const total = { ...state.counts };
  let pagesSinceFilterSave = 0;
  const save = async (next: SweepState, withFilter: boolean) => {
    for (const [key, value] of Object.entries(counts)) total[key] = (loaded.counts[key] ?? 0) + value;
    current.state = { ...next, counts: { ...total }, filter: { bits: filter.bits, hashCount: filter.hashCount, seed: filter.seed } };
    await deps.store.save(current.state, { withFilter });
    if (withFilter) pagesSinceFilterSave = 0;
  };

  const cause: ReconcileCause = { correlationId: `sweep:${current.state.sweepId}`, description: `periodic sweep started ${current.state.sweepId}`, assignAction: 'assigned' };
  try {
    while (!hasPassed(options.deadline, deps.clock) && current.state.phase !== 'done') {
      const token = current.state.continuationToken;
      const paging = { pageSize: options.pageSize, ...(token === undefined ? {} : { continuationToken: token }) };
      await deps.pace.queries.take();
      if (current.state.phase === 'twins') {
        const page = await deps.registry.listModuleTwins(deps.profile.moduleId, paging);
        tally('twin-pages');
        for (const twin of page.twins) {
          filter.add(twin.deviceId);
          tally(await checkTwin(deps, twin, cause));
        }
        pagesSinceFilterSave++;
        const done = page.continuationToken === undefined;
        const { continuationToken: _previous, ...rest } = current.state;
        await save(
          done ? { ...rest, phase: 'devices' } : { ...rest, continuationToken: page.continuationToken as string },
          done || pagesSinceFilterSave >= options.filterSaveEveryPages,
        );
      } else {
        const page = await deps.registry.listDevices(paging);
        tally('device-pages');
        for (const device of page.devices) {
          if (!deps.selector.matchesDeviceId(device.deviceId) || !deps.selector.matchesDevice(device)) continue;
          if (filter.mightContain(device.deviceId)) continue;
          await deps.pace.writes.take();
          const outcome = await deps.provision({ deviceId: device.deviceId, eventId: `sweep:${current.state.sweepId}:${device.deviceId}` });
          tally(outcome.kind === 'provisioned' ? 'module-created' : `missing-module-${outcome.kind}`);
        }
        const done = page.continuationToken === undefined;
        const { continuationToken: _previous, ...rest } = current.state;
        await save(
          done ? { ...rest, phase: 'done', finishedAt: deps.clock.now().toISOString() } : { ...rest, continuationToken: page.continuationToken as string },
          false,
        );
      }
    }
  } catch (error) {
    // A throttled or unavailable hub ends the run (the timer's failure policy: stop, resume next time);
    // anything else is a bug and fails the run, loudly.
    await save(current.state, pagesSinceFilterSave > 0);
    if (!isTransient(error)) throw error;
    return { sweepId: current.state.sweepId, phase: current.state.phase, counts, stoppedBy: 'transient-failure', failure: error };
  }
  if (current.state.phase !== 'done' && pagesSinceFilterSave > 0) await save(current.state, true);
  return { sweepId: current.state.sweepId, phase: current.state.phase, counts, ...(current.state.phase === 'done' ? {} : { stoppedBy: 'deadline' as const }) };
}

async function startSweep(deps: SweepDependencies, now: Date): Promise<SweepState> {
  await deps.pace.queries.take();
  const devices = await deps.registry.countDevices();
  // Room for growth during the sweep; 1 % of devices without the module may be missed per sweep.
  const filter = DeviceIdFilter.forCapacity(devices * 1.1 + 100, 0.01, deps.newSeed());
  const state: SweepState = { sweepId: now.toISOString(), phase: 'twins', counts: {}, filter: { bits: filter.bits, hashCount: filter.hashCount, seed: filter.seed } };
  await deps.store.save(state, { withFilter: true });
  return state;
}

/** In line with its assignment (or exempt): no call. Otherwise reconciled, within the sweep's write pace. */
async function checkTwin(deps: SweepDependencies, twin: ModuleTwin, cause: ReconcileCause): Promise<string> {
  const reading = readAssignment(twin.tags);
  if (reading.kind === 'valid') {
    const { assignment } = reading;
    if (assignment.exemptUntil !== undefined && Date.parse(assignment.exemptUntil) > deps.clock.now().getTime()) return 'exempt';
    const baseline = await deps.baseline(assignment.name, assignment.version);
    if (baseline !== undefined && baseline.profile === deps.profile.id && diffConfiguration(deps.profile, twin.desired, baseline.settings).length === 0) {
      // The twin is as assigned; whether the agent took it is in what it reported (no call needed).
      const verdict = classifyCompliance({ profile: deps.profile, twin, baseline, now: deps.clock.now() });
      if (verdict.state !== 'rejected') return 'in-line';
      await deps.audit.record(
        assignmentFindingRecord({
          // Once per twin version: every sweep finds it again while it lasts, and writes the same record.
          id: `agent-rejected|${twin.moduleId}|${twin.deviceId}|v${twin.version}`,
          at: deps.clock.now().toISOString(),
          action: 'agent-rejected',
          twin,
          assignment,
          finding: verdict.reason,
          reason: `the security agent refused ${assignment.name} v${assignment.version}: ${verdict.reason}`,
          correlationId: cause.correlationId,
        }),
      );
      return 'agent-rejected';
    }
  }
  await deps.pace.writes.take();
  const outcome = await deps.reconcile(twin, cause);
  return outcome.kind;
}
