import { PermanentError, TransientError, ValidationError, type ProductError } from '../../domain/productError';
import { iotHubErrorNames } from './iotHubErrorCodes';

/** What we can learn from an error the azure-iothub SDK (or the socket under it) raised. */
export interface IotHubFailure {
  readonly status?: number;
  /** IoT Hub's error name, e.g. ModuleAlreadyExistsOnDevice, when the response says. */
  readonly code?: string;
  readonly message: string;
  readonly retryAfterMs?: number;
}

const networkErrorCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH']);

/**
 * The SDK maps errors by HTTP status alone (every 409 is a DeviceAlreadyExistsError, a missing module is a
 * plain Error), so read the status and IoT Hub's own error code from the response it attaches.
 */
export function describeIotHubFailure(error: unknown): IotHubFailure {
  const candidate = (typeof error === 'object' && error !== null ? error : {}) as {
    message?: unknown;
    code?: unknown;
    response?: { statusCode?: unknown; headers?: Record<string, unknown> };
    responseBody?: unknown;
  };
  const message = typeof candidate.message === 'string' ? candidate.message : String(error);
  const status = typeof candidate.response?.statusCode === 'number' ? candidate.response.statusCode : undefined;
  if (status === undefined) {
    const code = typeof candidate.code === 'string' ? candidate.code : undefined;
    return { message, ...(code === undefined ? {} : { code }) };
  }
  const headers = candidate.response?.headers ?? {};
  const code = codeFromHeader(headers['iothub-errorcode']) ?? codeFromBody(candidate.responseBody);
  const retryAfterMs = retryAfterFromHeader(headers['retry-after']);
  return {
    status,
    message: messageFromBody(candidate.responseBody) ?? message,
    ...(code === undefined ? {} : { code }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

/** Sorts a hub failure into the product's validation / permanent / transient kinds (DESIGN §5). */
export function translateIotHubError(error: unknown, operation: string): ProductError {
  const failure = describeIotHubFailure(error);
  const what = `${operation}: ${failure.status === undefined ? '' : `HTTP ${failure.status} `}${failure.code ?? ''}${failure.code === undefined ? '' : ' '}${failure.message}`.trim();
  // The SDK's error holds the whole request, SAS Authorization header included: keep only what was learnt.
  const details = { cause: failure, ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }) };
  const { status } = failure;
  if (status === undefined) {
    // No HTTP response at all: the connection dropped, timed out or was refused. Worth another try.
    return new TransientError(failure.code !== undefined && networkErrorCodes.has(failure.code) ? failure.code : 'NetworkError', what, details);
  }
  if (status === 400) return new ValidationError(failure.code ?? 'BadRequest', what, details);
  // A stale ETag needs a fresh read, not the same request again: the caller decides.
  if (status === 412) return new TransientError('PreconditionFailed', what, { ...details, retryNow: false });
  // Access revoked or the daily quota spent: retrying now cannot help, but the same request succeeds once
  // someone fixes it, so the event must not be dropped (Event Grid keeps re-sending it meanwhile).
  if (status === 401 || status === 403) return new TransientError(failure.code ?? `Http${status}`, what, { ...details, retryNow: false });
  if (status === 408 || status === 429 || status >= 500) {
    return new TransientError(status === 429 ? (failure.code ?? 'ThrottlingException') : (failure.code ?? `Http${status}`), what, details);
  }
  return new PermanentError(failure.code ?? `Http${status}`, what, details);
}

function codeFromHeader(value: unknown): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' || text === '') return undefined;
  const numeric = Number(text);
  return Number.isInteger(numeric) ? (iotHubErrorNames[numeric] ?? text) : text;
}

/**
 * Bodies come in two shapes: `{"Message":"ErrorCode:Name;text",...}` and, on newer hubs, a Message that
 * is itself JSON with a 6-digit `errorCode`.
 */
function codeFromBody(body: unknown): string | undefined {
  const message = bodyMessage(body);
  if (message === undefined) return undefined;
  const named = /ErrorCode:([A-Za-z]+);/.exec(message);
  if (named) return named[1];
  const inner = parseJson(message) as { errorCode?: unknown } | undefined;
  if (typeof inner?.errorCode === 'number') return iotHubErrorNames[inner.errorCode] ?? String(inner.errorCode);
  return undefined;
}

function messageFromBody(body: unknown): string | undefined {
  const message = bodyMessage(body);
  if (message === undefined) return undefined;
  const inner = parseJson(message) as { message?: unknown } | undefined;
  if (typeof inner?.message === 'string') return inner.message;
  return message.replace(/^ErrorCode:[A-Za-z]+;/, '');
}

function bodyMessage(body: unknown): string | undefined {
  const parsed = typeof body === 'string' ? parseJson(body) : body;
  const message = (parsed as { Message?: unknown } | undefined)?.Message;
  return typeof message === 'string' ? message : undefined;
}

function retryAfterFromHeader(value: unknown): number | undefined {
  const seconds = Number(Array.isArray(value) ? value[0] : value);
  return Number.isFinite(seconds) && seconds >= 0 && value !== undefined ? seconds * 1000 : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
