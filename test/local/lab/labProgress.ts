// What a person watching the lab wants to know, in one line: how many devices are secured out of how many
// the app should secure, and what slowed it down — hub calls throttled by the tier's limits, hub calls
// failed by injected faults (--fault-rate), and Event Grid deliveries that failed and are re-sent.
import type { Lab } from './startLab';
import type { DriftCounts } from './driftTally';
import { fleetTally } from './fleetTally';

const noDrift: DriftCounts = { seen: 0, corrected: 0, observed: 0, contested: 0 };

export interface LabProgress {
  readonly secured: number;
  readonly selected: number;
  /** Hub calls answered 429 by the tier's throttle. */
  readonly throttled: number;
  /** Hub calls failed by fault injection (an error status or a dropped connection). */
  readonly failed: number;
  /** Event Grid delivery attempts that failed (each is re-sent, until the event is dead-lettered). */
  readonly redeliveries: number;
  readonly deadLettered: number;
  /** Drift the app found and what it did with it (from its own summary lines). */
  readonly drift: DriftCounts;
}

export type LabProgressReader = () => LabProgress;

export function labProgressReader(lab: Pick<Lab, 'simulator' | 'settings' | 'eventRoutes'>, drift: () => DriftCounts = () => noDrift): LabProgressReader {
  const tally = fleetTally(lab.simulator, lab.settings);
  return () => {
    const { secured, selected } = tally.counts();
    const rejected = lab.simulator.rejectionTotals();
    let redeliveries = 0;
    let deadLettered = 0;
    for (const { delivery } of lab.eventRoutes) {
      const stats = delivery.stats();
      redeliveries += stats.failedAttempts;
      deadLettered += stats.deadLettered;
    }
    return { secured, selected, throttled: rejected.throttle, failed: rejected.fault + rejected.dropped, redeliveries, deadLettered, drift: drift() };
  };
}

export function describeProgress(progress: LabProgress): string {
  const done = progress.selected > 0 && progress.secured === progress.selected ? ' ✓' : '';
  const deadLettered = progress.deadLettered > 0 ? `, ${progress.deadLettered} dead-lettered` : '';
  return (
    `secured ${progress.secured}/${progress.selected}${done} · ` +
    `hub calls: ${progress.throttled} throttled, ${progress.failed} failed · ` +
    `Event Grid: ${progress.redeliveries} re-deliveries${deadLettered} · ` +
    `drift: ${progress.drift.seen} seen, ${progress.drift.corrected} corrected` +
    (progress.drift.observed > 0 ? `, ${progress.drift.observed} left (audit mode)` : '') +
    (progress.drift.contested > 0 ? `, ${progress.drift.contested} contested` : '')
  );
}

export function sameProgress(a: LabProgress, b: LabProgress): boolean {
  return (
    a.secured === b.secured &&
    a.selected === b.selected &&
    a.throttled === b.throttled &&
    a.failed === b.failed &&
    a.redeliveries === b.redeliveries &&
    a.deadLettered === b.deadLettered &&
    a.drift.seen === b.drift.seen &&
    a.drift.corrected === b.drift.corrected
  );
}
