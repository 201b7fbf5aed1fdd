import type { Clock } from './ports/clock';

/**
 * Spaces calls to at most `ratePerSecond` (a token bucket holding one second's allowance), so a
 * long-running flow such as the sweep stays inside its share of the hub's throttle instead of meeting 429s.
 */
export class Pacer {
  private tokens: number;
  private updatedAt: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ratePerSecond: number,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.tokens = Math.max(1, ratePerSecond);
    this.updatedAt = clock.now().getTime();
  }

  /** Resolves when one call may be made; callers are served in order. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async waitForToken(): Promise<void> {
    for (;;) {
      const now = this.clock.now().getTime();
      this.tokens = Math.min(Math.max(1, this.ratePerSecond), this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
      this.updatedAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000));
    }
  }
}
