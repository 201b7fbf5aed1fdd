import { describe, expect, it } from 'vitest';
import { classifyFailure, failurePolicy, failureResponse } from '../../../src/domain/failurePolicy';
import { InvariantError, PermanentError, TransientError, ValidationError } from '../../../src/domain/productError';

const errors = {
  validation: new ValidationError('BadEvent', 'no deviceId'),
  permanent: new PermanentError('ModuleNotAllowed', 'no'),
  transient: new TransientError('ThrottlingException', 'slow down'),
  invariant: new InvariantError('ProfileMismatch', 'a bug'),
  unknown: new TypeError('cannot read properties of undefined'),
};

describe('failure policy', () => {
  // The whole table, as DESIGN §5 describes it: one row per trigger, [action, log level, stack?, HTTP status].
  it.each([
    ['event-grid-delivery', {
      validation: ['record-and-continue', 'warning', false],
      permanent: ['record-and-continue', 'error', false],
      transient: ['fail-invocation', 'warning', false],
      invariant: ['fail-invocation', 'error', true],
      unknown: ['fail-invocation', 'error', true],
    }],
    ['event-hub-batch', {
      validation: ['record-and-continue', 'warning', false],
      permanent: ['record-and-continue', 'error', false],
      transient: ['leave-for-sweep', 'warning', false],
      invariant: ['leave-for-sweep', 'error', true],
      unknown: ['leave-for-sweep', 'error', true],
    }],
    ['timer', {
      validation: ['record-and-continue', 'warning', false],
      permanent: ['record-and-continue', 'error', false],
      transient: ['stop-run', 'warning', false],
      invariant: ['fail-invocation', 'error', true],
      unknown: ['fail-invocation', 'error', true],
    }],
    ['http-request', {
      validation: ['respond', 'warning', false, 400],
      permanent: ['respond', 'warning', false, 409],
      transient: ['respond', 'warning', false, 503],
      invariant: ['respond', 'error', true, 500],
      unknown: ['respond', 'error', true, 500],
    }],
    ['durable-activity', {
      validation: ['return-failure', 'warning', false],
      permanent: ['return-failure', 'error', false],
      transient: ['fail-invocation', 'warning', false],
      invariant: ['fail-invocation', 'error', true],
      unknown: ['fail-invocation', 'error', true],
    }],
  ] as const)('%s', (trigger, expected) => {
    for (const [kind, [action, logLevel, logStack, httpStatus]] of Object.entries(expected) as [keyof typeof errors, readonly [string, string, boolean, number?]][]) {
      expect(failureResponse(trigger, errors[kind]), `${trigger} / ${kind}`).toEqual({ action, logLevel, logStack, ...(httpStatus === undefined ? {} : { httpStatus }) });
    }
  });

  it('treats anything that is not a product error as a bug, never as the hub saying no', () => {
    expect(classifyFailure(new Error('x'))).toBe('unknown');
    expect(classifyFailure('a string')).toBe('unknown');
    expect(classifyFailure(errors.invariant)).toBe('invariant');
  });

  it('never drops a failure that a later attempt can fix, on any trigger', () => {
    for (const policy of Object.values(failurePolicy)) expect(policy.transient.action).not.toBe('record-and-continue');
  });
});
