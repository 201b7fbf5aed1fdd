// Request accounting for tests: what each operation answered (overall and per device) and what was turned
// away before reaching an operation, by reason. Plain objects in snapshots so tests can `toEqual` them.
import type { OperationName } from './operations';

export type RejectionReason = 'auth' | 'throttle' | 'fault' | 'dropped';

export type OperationCounts = Partial<Record<OperationName, number>>;

export interface SimulatorStats {
  /** Requests an operation handled, whatever it answered (2xx or its own 4xx such as 404/409/412). */
  readonly answered: OperationCounts;
  /** The subset of `answered` that succeeded (2xx). */
  readonly succeeded: OperationCounts;
  /** `answered`, per device ID the request addressed (bulk requests count once for each device they list). */
  readonly byDevice: Readonly<Record<string, OperationCounts>>;
  /**
   * Requests that never reached their operation: 401 or a Host header naming another hub (auth), 429 from the throttle model (throttle), an
   * injected error status (fault), or an injected dropped connection (dropped). Faults that only add latency
   * are not rejections.
   */
  readonly rejected: Readonly<Record<RejectionReason, OperationCounts>>;
}

function bump(counts: Map<OperationName, number>, operation: OperationName, by = 1): void {
  counts.set(operation, (counts.get(operation) ?? 0) + by);
}

function toObject(counts: Map<OperationName, number>): OperationCounts {
  return Object.fromEntries(counts) as OperationCounts;
}

export class StatsCollector {
  private answered = new Map<OperationName, number>();
  private succeeded = new Map<OperationName, number>();
  private byDevice = new Map<string, Map<OperationName, number>>();
  private rejected = new Map<RejectionReason, Map<OperationName, number>>();

  recordAnswered(operation: OperationName, status: number, deviceIds: readonly string[]): void {
    bump(this.answered, operation);
    if (status >= 200 && status < 300) bump(this.succeeded, operation);
    for (const deviceId of deviceIds) {
      let counts = this.byDevice.get(deviceId);
      if (counts === undefined) this.byDevice.set(deviceId, (counts = new Map()));
      bump(counts, operation);
    }
  }

  recordRejected(reason: RejectionReason, operation: OperationName): void {
    let counts = this.rejected.get(reason);
    if (counts === undefined) this.rejected.set(reason, (counts = new Map()));
    bump(counts, operation);
  }

  /** Rejections by reason, summed over operations: cheap at any fleet size, unlike snapshot(), which copies every device's counts. */
  rejectionTotals(): Record<RejectionReason, number> {
    const total = (reason: RejectionReason): number => [...(this.rejected.get(reason)?.values() ?? [])].reduce((sum, count) => sum + count, 0);
    return { auth: total('auth'), throttle: total('throttle'), fault: total('fault'), dropped: total('dropped') };
  }

  snapshot(): SimulatorStats {
    const rejected = (reason: RejectionReason): OperationCounts => toObject(this.rejected.get(reason) ?? new Map());
    return {
      answered: toObject(this.answered),
      succeeded: toObject(this.succeeded),
      byDevice: Object.fromEntries([...this.byDevice].map(([deviceId, counts]) => [deviceId, toObject(counts)])),
      rejected: { auth: rejected('auth'), throttle: rejected('throttle'), fault: rejected('fault'), dropped: rejected('dropped') },
    };
  }

  reset(): void {
    this.answered = new Map();
    this.succeeded = new Map();
    this.byDevice = new Map();
    this.rejected = new Map();
  }
}
