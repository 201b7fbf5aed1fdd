import type { Clock } from '../../../src/app/ports/clock';

/** A clock that only moves when the test says so. */
export class FixedClock implements Clock {
  constructor(private current: Date = new Date('2026-11-27T12:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
