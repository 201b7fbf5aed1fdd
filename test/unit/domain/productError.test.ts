import { describe, expect, it } from 'vitest';
import { InvariantError, isProductError, isTransient, PermanentError, TransientError, ValidationError } from '../../../src/domain/productError';
import { errorIssue } from '../../../src/domain/validationIssue';

describe('ProductError family', () => {
  it.each([
    { error: new ValidationError('InvalidBaseline', 'bad'), kind: 'validation', name: 'ValidationError', transient: false },
    { error: new PermanentError('DeviceNotFound', 'gone'), kind: 'permanent', name: 'PermanentError', transient: false },
    { error: new TransientError('Throttled', 'slow down'), kind: 'transient', name: 'TransientError', transient: true },
    { error: new InvariantError('ProfileMismatch', 'a bug'), kind: 'invariant', name: 'InvariantError', transient: false },
  ])('$name has kind $kind and a stable code', ({ error, kind, name, transient }) => {
    expect(error).toBeInstanceOf(Error);
    expect(error.kind).toBe(kind);
    expect(error.name).toBe(name);
    expect(error.message).not.toBe('');
    expect(isProductError(error)).toBe(true);
    expect(isTransient(error)).toBe(transient);
  });

  it('keeps the cause only when one is given', () => {
    const cause = new Error('socket hang up');
    expect(new TransientError('ServiceUnavailable', 'x', { cause }).cause).toBe(cause);
    expect('cause' in new TransientError('ServiceUnavailable', 'x')).toBe(false);
    expect(new PermanentError('ModuleNotFound', 'x', { cause: undefined }).cause).toBeUndefined();
  });

  it('carries Retry-After only on transient errors that have one', () => {
    expect(new TransientError('Throttled', 'x', { retryAfterMs: 10_000 }).retryAfterMs).toBe(10_000);
    expect('retryAfterMs' in new TransientError('Throttled', 'x')).toBe(false);
    expect(new PermanentError('DeviceNotFound', 'x').retryAfterMs).toBeUndefined();
  });

  it('lists validation issues', () => {
    const issue = errorIssue('settings.x', 'unknown-setting', '"x" is not a setting');
    expect(new ValidationError('InvalidBaseline', 'bad').issues).toEqual([]);
    const error = ValidationError.fromIssues('InvalidBaseline', 'baseline default v2', [issue]);
    expect(error.issues).toEqual([issue]);
    expect(error.message).toBe('baseline default v2 is invalid: error at settings.x: "x" is not a setting');
    expect(error.code).toBe('InvalidBaseline');
  });

  it.each([new Error('plain'), { kind: 'transient' }, 'Throttled', undefined])('does not take %j for a product error', (error) => {
    expect(isProductError(error)).toBe(false);
    expect(isTransient(error)).toBe(false);
  });
});
