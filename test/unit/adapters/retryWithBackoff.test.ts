import { describe, expect, it } from 'vitest';
import { retryWithBackoff } from '../../../src/adapters/retryWithBackoff';
import { PermanentError, TransientError } from '../../../src/domain/productError';

/** A virtual clock: sleeping advances it, so budgets are tested without real waiting. */
function virtualTime() {
  let now = 0;
  const sleeps: number[] = [];
  return { now: () => now, sleep: async (ms: number) => void (sleeps.push(ms), (now += ms)), sleeps };
}

describe('retryWithBackoff', () => {
  it('retries transient failures with exponentially growing, jittered waits until success', async () => {
    const time = virtualTime();
    let calls = 0;
    const result = await retryWithBackoff(
      async () => {
        calls += 1;
        if (calls < 4) throw new TransientError('ThrottlingException', 'slow down');
        return 'ok';
      },
      { budgetMs: 60_000, baseDelayMs: 100, maxDelayMs: 1_000, isRetryable: (e) => e.kind === 'transient', random: () => 1, ...time },
    );
    expect(result).toBe('ok');
    expect(time.sleeps).toEqual([100, 200, 400]);
  });

  it('caps waits, honours Retry-After, and applies jitter', async () => {
    const time = virtualTime();
    let calls = 0;
    await retryWithBackoff(
      async () => {
        calls += 1;
        if (calls === 1) throw new TransientError('ThrottlingException', 'wait', { retryAfterMs: 5_000 });
        if (calls < 5) throw new TransientError('ServiceUnavailable', 'later');
      },
      { budgetMs: 60_000, baseDelayMs: 1_000, maxDelayMs: 2_000, isRetryable: () => true, random: () => 0.5, ...time },
    );
    expect(time.sleeps).toEqual([5_000, 1_000, 1_000, 1_000]);
  });

  it('surfaces the last error when the next wait would overrun the budget', async () => {
    const time = virtualTime();
    const retried: number[] = [];
    await expect(
      retryWithBackoff(
        async () => {
          throw new TransientError('ServiceUnavailable', 'down');
        },
        { budgetMs: 1_000, baseDelayMs: 300, maxDelayMs: 10_000, isRetryable: () => true, random: () => 1, onRetry: (_e, attempt) => retried.push(attempt), ...time },
      ),
    ).rejects.toMatchObject({ code: 'ServiceUnavailable' });
    expect(time.sleeps).toEqual([300, 600]);
    expect(retried).toEqual([1, 2]);
  });

  it('does not retry what is not retryable, nor foreign errors', async () => {
    const time = virtualTime();
    await expect(retryWithBackoff(async () => Promise.reject(new PermanentError('DeviceNotFound', 'gone')), { budgetMs: 10_000, baseDelayMs: 1, maxDelayMs: 1, isRetryable: (e) => e.kind === 'transient', ...time })).rejects.toMatchObject({ code: 'DeviceNotFound' });
    await expect(retryWithBackoff(async () => Promise.reject(new TypeError('bug')), { budgetMs: 10_000, baseDelayMs: 1, maxDelayMs: 1, isRetryable: () => true, ...time })).rejects.toThrow(TypeError);
    expect(time.sleeps).toEqual([]);
  });

  it('never waits past the caller\'s deadline, even with budget left', async () => {
    const time = virtualTime();
    let calls = 0;
    const failing = retryWithBackoff(
      async () => {
        calls += 1;
        throw new TransientError('ThrottlingException', 'slow down');
      },
      { budgetMs: 60_000, deadlineAtMs: 1_000, baseDelayMs: 300, maxDelayMs: 300, isRetryable: () => true, random: () => 1, ...time },
    );
    await expect(failing).rejects.toMatchObject({ code: 'ThrottlingException' });
    expect(time.sleeps).toEqual([300, 300, 300]);
    expect(calls).toBe(4);
  });

  it('abandons an attempt still running at the deadline with a transient DeadlineExceeded', async () => {
    const never = new Promise<string>(() => undefined);
    const started = Date.now();
    const attempt = retryWithBackoff(() => never, { budgetMs: 60_000, deadlineAtMs: started + 20, baseDelayMs: 1, maxDelayMs: 1, isRetryable: () => true });
    await expect(attempt).rejects.toMatchObject({ kind: 'transient', code: 'DeadlineExceeded' });
  });
});
