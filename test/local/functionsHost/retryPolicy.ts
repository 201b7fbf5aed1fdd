// A function-level retry policy as the host applies it after an uncaught exception, built from the
// retryOptions '@azure/functions' registered (durations already rounded to whole seconds by the library).
import type { RpcDuration, RpcRetryOptions } from './rpcTypes';

export interface RetryPolicy {
  readonly strategy: 'fixedDelay' | 'exponentialBackoff';
  /** -1 retries forever, as in the host. */
  readonly maxRetryCount: number;
  /** Delay in milliseconds before retry number `retryNumber` (1 for the first retry). */
  delayBeforeRetry(retryNumber: number, random: () => number): number;
}

export function retryPolicyFrom(options: RpcRetryOptions | undefined): RetryPolicy | undefined {
  if (!options) return undefined;
  const maxRetryCount = options.maxRetryCount ?? 0;
  const strategy = options.retryStrategy ?? (options['strategy'] as RpcRetryOptions['retryStrategy']);
  if (strategy === 'fixedDelay') {
    const delay = durationMs(options.delayInterval);
    return { strategy, maxRetryCount, delayBeforeRetry: () => delay };
  }
  if (strategy === 'exponentialBackoff') {
    const minimum = durationMs(options.minimumInterval);
    const maximum = durationMs(options.maximumInterval);
    return {
      strategy,
      maxRetryCount,
      // WebJobs' RandomizedExponentialBackoffStrategy: the first retry waits the minimum, each later
      // one adds minimum × 2^(n−2) randomised by ±20 %, capped at the maximum.
      delayBeforeRetry(retryNumber, random) {
        if (retryNumber <= 1) return Math.min(minimum, maximum);
        const factor = 0.8 + 0.4 * random();
        return Math.min(maximum, minimum + factor * 2 ** (retryNumber - 2) * minimum);
      },
    };
  }
  return undefined;
}

export function durationMs(duration: RpcDuration | null | undefined): number {
  if (!duration) return 0;
  return (duration.seconds ?? 0) * 1000 + (duration.nanos ?? 0) / 1e6;
}
