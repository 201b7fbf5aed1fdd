import { failureResponse } from '../domain/failurePolicy';
import type { DeliveryItemResult } from './provisionDelivery';

/** What one delivery came to, counted by outcome: the one line an operator reads per delivery. */
export interface DeliveryReport {
  readonly events: number;
  /**
   * Count per outcome kind (`provisioned`, `device-gone`, …), plus `already-done`, `cut-off`, `malformed`,
   * `ignored`, `failed` (to be retried: the delivery fails) and `refused` (failed for good: recorded, not retried).
   */
  readonly counts: Readonly<Record<string, number>>;
  /** Events not finished (failed or cut off by the deadline): the delivery must be re-sent. */
  readonly unfinished: number;
}

export function reportDelivery(results: readonly DeliveryItemResult[], skipped: { readonly malformed: number; readonly ignored: number }): DeliveryReport {
  const counts: Record<string, number> = {};
  const bump = (key: string, by = 1) => {
    if (by > 0) counts[key] = (counts[key] ?? 0) + by;
  };
  for (const result of results) {
    if (result.status === 'done') bump(result.outcome.kind);
    else if (result.status === 'failed') bump(failureResponse('event-grid-delivery', result.error).action === 'fail-invocation' ? 'failed' : 'refused');
    else bump(result.status);
  }
  bump('malformed', skipped.malformed);
  bump('ignored', skipped.ignored);
  const unfinished = (counts['failed'] ?? 0) + (counts['cut-off'] ?? 0);
  return { events: results.length + skipped.malformed + skipped.ignored, counts: sortedByKey(counts), unfinished };
}

function sortedByKey(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
}
