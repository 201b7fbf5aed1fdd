import { InvariantError, isProductError, PermanentError, TransientError, type ProductError } from '../../domain/productError';
import { redactSecrets } from '../../domain/redactSecrets';

/** Codes of the SDK's MessagingError that something must change for (access, the hub, a quota) before the same send can succeed. */
const fixedElsewhere = new Set(['UnauthorizedError', 'MessagingEntityNotFoundError', 'QuotaExceededError', 'MessagingEntityDisabledError']);
const networkErrorCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH']);

/**
 * Sorts what @azure/event-hubs raised into the product's kinds (DESIGN §5). The SDK raises a MessagingError
 * with a `code` and its own `retryable` verdict (server busy, timeouts, dropped connections), an AbortError
 * when our signal fired, and an AggregateError of every attempt when it retried itself.
 */
export function translateEventHubsError(error: unknown, operation: string): ProductError {
  if (isProductError(error)) return error;
  if (error instanceof AggregateError && error.errors.length > 0) return translateEventHubsError(error.errors[error.errors.length - 1], operation);
  const failure = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; code?: unknown; retryable?: unknown; message?: unknown };
  const code = typeof failure.code === 'string' ? failure.code : undefined;
  const message = `${operation}: ${redactSecrets(typeof failure.message === 'string' ? failure.message : String(error))}`;
  const details = { cause: { name: failure.name, code, message } };
  if (failure.name === 'AbortError') return new TransientError('Timeout', message, details);
  if (code !== undefined && fixedElsewhere.has(code)) return new TransientError(code, message, { ...details, retryNow: false });
  if (code !== undefined && networkErrorCodes.has(code)) return new TransientError(code, message, details);
  if (failure.name === 'MessagingError') {
    return failure.retryable === true ? new TransientError(code ?? 'MessagingError', message, details) : new PermanentError(code ?? 'MessagingError', message, details);
  }
  // A TypeError or RangeError from the SDK means we called it wrongly.
  if (error instanceof TypeError || error instanceof RangeError) return new InvariantError('EventHubsMisuse', message, details);
  return new TransientError(code ?? 'EventHubsError', message, { ...details, retryNow: false });
}
