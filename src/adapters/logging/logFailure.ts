import type { Logger } from '../../app/ports/logger';
import type { FailureResponse } from '../../domain/failurePolicy';
import { isProductError } from '../../domain/productError';

/**
 * Logs a failure as the failure policy says: expected failures as one line with their code and message,
 * bugs with their stack. Credentials are masked by the Logger adapter.
 */
export function logFailure(log: Logger, response: FailureResponse, message: string, error: unknown, properties: Readonly<Record<string, unknown>> = {}): void {
  const details = {
    ...properties,
    ...(isProductError(error) ? { errorKind: error.kind, errorCode: error.code } : {}),
    error: error instanceof Error ? error.message : String(error),
    ...(response.logStack && error instanceof Error && error.stack !== undefined ? { stack: error.stack } : {}),
  };
  if (response.logLevel === 'error') log.error(message, details);
  else log.warn(message, details);
}
