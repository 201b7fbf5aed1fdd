import type { Clock } from './ports/clock';

/**
 * The moment by which a trigger's work must be done, passed down from the trigger to every hub and storage
 * call (an Event Grid delivery must answer within 30 s, whatever its batch size): retries stop in time and
 * a late call is abandoned, so the trigger answers and its own re-delivery takes over.
 */
export interface Deadline {
  /** Epoch milliseconds. */
  readonly atMs: number;
}

export function deadlineAfter(clock: Clock, ms: number): Deadline {
  return { atMs: clock.now().getTime() + ms };
}

export function remainingMs(deadline: Deadline, clock: Clock): number {
  return Math.max(0, deadline.atMs - clock.now().getTime());
}

export function hasPassed(deadline: Deadline, clock: Clock): boolean {
  return remainingMs(deadline, clock) === 0;
}
