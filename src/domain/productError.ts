import { describeIssues, type ValidationIssue } from './validationIssue';

/**
 * The product's one error family (DESIGN §5). The kind decides what every trigger does with a failure
 * (the table is `failurePolicy`):
 * - `validation`: bad input; never retried, recorded with a clear message;
 * - `permanent`: the world says no (module not allowed, twin unusable); recorded, not retried;
 * - `transient`: throttling, 5xx, timeouts, ETag races, missing access; the same request can succeed later;
 * - `invariant`: a bug in our own code (an assumption that does not hold); never mistaken for the hub's
 *   answer, always logged with its stack.
 * Adapters translate SDK and HTTP failures into these, so no layer above them sees an SDK error.
 */
export type ErrorKind = 'validation' | 'permanent' | 'transient' | 'invariant';

export interface ProductErrorOptions {
  /** The underlying failure (SDK error, HTTP response error), kept for logs. */
  cause?: unknown;
}

export abstract class ProductError extends Error {
  abstract readonly kind: ErrorKind;
  /** Stable, machine-matchable reason such as `DeviceNotFound`, `Throttled`, `PreconditionFailed`. */
  readonly code: string;
  /** How long the service asked callers to wait before retrying (from `Retry-After`), when it said. */
  declare readonly retryAfterMs?: number;

  protected constructor(code: string, message: string, options: ProductErrorOptions & { retryAfterMs?: number }) {
    // Only pass `cause` when given, so an error without one has no `cause` property at all.
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** Bad input (a baseline, a request, a tag). `issues` lists every problem found, for the API response. */
export class ValidationError extends ProductError {
  readonly kind = 'validation';
  readonly issues: readonly ValidationIssue[];

  constructor(code: string, message: string, options: ProductErrorOptions & { issues?: readonly ValidationIssue[] } = {}) {
    super(code, message, options);
    this.issues = options.issues ?? [];
  }

  /** A validation error whose message lists the issues, e.g. for a baseline that failed validateBaseline. */
  static fromIssues(code: string, subject: string, issues: readonly ValidationIssue[]): ValidationError {
    return new ValidationError(code, `${subject} is invalid: ${describeIssues(issues)}`, { issues });
  }
}

/** A failure that retrying cannot fix, e.g. `DeviceNotFound`, `ModuleNotFound`, `Unauthorized`. */
export class PermanentError extends ProductError {
  readonly kind = 'permanent';

  constructor(code: string, message: string, options: ProductErrorOptions = {}) {
    super(code, message, options);
  }
}

/** A failure worth retrying, e.g. `Throttled`, `PreconditionFailed` (ETag race), `ServiceUnavailable`, `Timeout`. */
export class TransientError extends ProductError {
  readonly kind = 'transient';
  /**
   * Whether sending the same request again, within this invocation, can help. False when something must
   * change first: a fresh read (ETag race) or someone's fix (access revoked, daily quota spent). Such
   * failures still succeed later, so triggers treat them as transient all the same.
   */
  readonly retryNow: boolean;

  constructor(code: string, message: string, options: ProductErrorOptions & { retryAfterMs?: number; retryNow?: boolean } = {}) {
    super(code, message, options);
    this.retryNow = options.retryNow ?? true;
  }
}

/**
 * Our own code broke one of its assumptions (e.g. a baseline of one profile handed to another): a bug, to be
 * fixed in code, never reported as if the hub or the caller had said no.
 */
export class InvariantError extends ProductError {
  readonly kind = 'invariant';

  constructor(code: string, message: string, options: ProductErrorOptions = {}) {
    super(code, message, options);
  }
}

export function isProductError(error: unknown): error is ProductError {
  return error instanceof ProductError;
}

/** True only for product errors of kind `transient`: an unknown error is not assumed to be retryable. */
export function isTransient(error: unknown): error is TransientError {
  return isProductError(error) && error.kind === 'transient';
}
