// Drift as the app reports it: the summary line of each twin-change batch and of each sweep run carries
// counts by outcome; the lab adds them up for its progress line (drift seen, corrected, left in audit mode,
// contested) without a query of its own.
import type { HostLogEntry, HostLogger } from '../functionsHost';

export interface DriftCounts {
  /** Twins found not as assigned: corrected, observed in audit mode, or contested. */
  readonly seen: number;
  readonly corrected: number;
  readonly observed: number;
  readonly contested: number;
}

export interface DriftTally {
  /** Passes every entry on to `next` after reading it. */
  readonly logger: (next: HostLogger) => HostLogger;
  readonly counts: () => DriftCounts;
}

const summaryLine = /^(Twin-change batch of \d+ notifications handled|Sweep \S+ (finished|continues next run)) (\{.*\})$/;

export function driftTally(): DriftTally {
  let corrected = 0;
  let observed = 0;
  let contested = 0;
  const read = (entry: HostLogEntry) => {
    if (entry.category !== 'user') return;
    const match = summaryLine.exec(entry.message);
    if (match === null) return;
    const counts = (JSON.parse(match[3] as string) as { counts?: Record<string, number> }).counts ?? {};
    corrected += (counts['corrected'] ?? 0) + (counts['assigned'] ?? 0);
    observed += counts['drift-observed'] ?? 0;
    contested += counts['contested'] ?? 0;
  };
  return {
    logger: (next) => ({
      log: (entry) => {
        read(entry);
        next.log(entry);
      },
    }),
    counts: () => ({ seen: corrected + observed + contested, corrected, observed, contested }),
  };
}
