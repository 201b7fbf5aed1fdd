import { isProductError, type ProductError } from '../domain/productError';

export interface RetryOptions {
  /** Longest total time, retries and waits included, before the last error is surfaced. */
  readonly budgetMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Whether this error is worth another attempt. */
  readonly isRetryable: (error: ProductError) => boolean;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly onRetry?: (error: ProductError, attempt: number, delayMs: number) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `operation`, retrying retryable ProductErrors with exponential backoff and full jitter (spreads
 * retries of many workers hit by the same hub-wide throttle) and honouring a server's Retry-After. Stops
 * when the next wait would overrun the budget, so a trigger's own timeout and re-delivery stay in charge.
 */
export async function retryWithBackoff<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isProductError(error) || !options.isRetryable(error)) throw error;
      const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.max(error.retryAfterMs ?? 0, Math.round(random() * ceiling));
      if (now() - started + delayMs > options.budgetMs) throw error;
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}
