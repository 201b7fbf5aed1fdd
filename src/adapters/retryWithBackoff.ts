import { isProductError, TransientError, type ProductError } from '../domain/productError';

export interface RetryOptions {
  /** Longest total time, retries and waits included, before the last error is surfaced. */
  readonly budgetMs: number;
  /**
   * Epoch ms by which the caller must have an answer (its trigger's deadline): no wait reaches past it, and
   * an attempt still running then is abandoned with a transient `DeadlineExceeded`.
   */
  readonly deadlineAtMs?: number;
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
 * when the next wait would overrun the budget or the caller's deadline, so the trigger answers in time
 * and its own re-delivery stays in charge.
 */
export async function retryWithBackoff<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const started = now();
  const giveUpAt = Math.min(started + options.budgetMs, options.deadlineAtMs ?? Number.POSITIVE_INFINITY);
  for (let attempt = 1; ; attempt++) {
    try {
      return await withinDeadline(operation, options.deadlineAtMs, now);
    } catch (error) {
      if (!isProductError(error) || !options.isRetryable(error)) throw error;
      const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.max(error.retryAfterMs ?? 0, Math.round(random() * ceiling));
      if (now() + delayMs > giveUpAt) throw error;
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}

/**
 * Stops waiting for an attempt at the deadline. The request itself may still complete on the wire; callers
 * only ever make conditional writes, so a late success is re-read and recognised on the next delivery.
 */
async function withinDeadline<T>(operation: () => Promise<T>, deadlineAtMs: number | undefined, now: () => number): Promise<T> {
  if (deadlineAtMs === undefined) return operation();
  const left = deadlineAtMs - now();
  if (left <= 0) throw deadlineExceeded();
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(deadlineExceeded()), left);
  });
  try {
    return await Promise.race([operation(), expiry]);
  } finally {
    clearTimeout(timer);
  }
}

function deadlineExceeded(): TransientError {
  return new TransientError('DeadlineExceeded', "the trigger's deadline passed before the operation completed");
}
