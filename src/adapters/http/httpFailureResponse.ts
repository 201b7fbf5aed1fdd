import type { Logger } from '../../app/ports/logger';
import { failureResponse } from '../../domain/failurePolicy';
import { isProductError, ValidationError } from '../../domain/productError';
import { logFailure } from '../logging/logFailure';

/** The plain shape of an HTTP answer (what the Functions library's HttpResponseInit accepts). */
export interface JsonHttpResponse {
  readonly status: number;
  readonly jsonBody: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Turns a failed HTTP request into its answer per the failure policy, and logs it: bad input is a 400 that
 * names every problem; a state the world refuses a 409; a temporary failure a 503 with Retry-After; a bug a
 * 500 that shows nothing of our internals, only the invocation id to find the logged stack by.
 */
export function httpFailureResponse(log: Logger, error: unknown, what: string, invocationId: string, properties: Readonly<Record<string, unknown>> = {}): JsonHttpResponse {
  const response = failureResponse('http-request', error);
  logFailure(log, response, what, error, { invocationId, ...properties });
  const status = response.httpStatus ?? 500;
  if (error instanceof ValidationError) {
    return { status, jsonBody: { error: error.message, code: error.code, issues: error.issues } };
  }
  if (status === 500 || !isProductError(error)) {
    return { status, jsonBody: { error: `${what}: internal error; see the function logs for invocation ${invocationId}` } };
  }
  return {
    status,
    jsonBody: { error: `${what}: ${error.message}`, code: error.code },
    ...(status === 503 ? { headers: { 'retry-after': String(Math.max(1, Math.ceil((error.retryAfterMs ?? 5_000) / 1000))) } } : {}),
  };
}
