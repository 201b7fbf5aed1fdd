// Shared helpers for the simulator's integration tests.
import type { IncomingMessage } from 'node:http';
import { expect } from 'vitest';

/** The extra fields azure-iothub's RestApiClient.translateError puts on every HTTP error. */
export interface SdkHttpError extends Error {
  readonly response?: IncomingMessage;
  readonly responseBody?: string;
  readonly code?: string;
}

/** Awaits a call that must fail and returns what it threw. */
export async function failureOf(call: Promise<unknown>): Promise<SdkHttpError> {
  try {
    await call;
  } catch (error) {
    return error as SdkHttpError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/**
 * Asserts the wire format of a hub error as the SDK received it: status, the iothub-errorcode header and the
 * {"Message":"ErrorCode:<Name>;…","ExceptionMessage":"Tracking ID:…-G:0-TimeStamp:MM/dd/yyyy HH:mm:ss"} body.
 */
export function expectHubError(error: SdkHttpError, sdkErrorName: string, status: number, errorCode: string): void {
  expect(error.name).toBe(sdkErrorName);
  expect(error.response?.statusCode).toBe(status);
  expect(error.response?.headers['iothub-errorcode']).toBe(errorCode);
  const body = JSON.parse(error.responseBody ?? 'null') as { Message?: string; ExceptionMessage?: string };
  expect(body.Message).toMatch(new RegExp(`^ErrorCode:${errorCode};.+`));
  expect(body.ExceptionMessage).toMatch(/^Tracking ID:[0-9a-f]{32}-G:0-TimeStamp:\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);
}

interface RestApiClientLike {
  executeApiCall(
    method: string,
    path: string,
    headers: Record<string, string> | null,
    body: unknown,
    done: (error: Error | null, result?: unknown, response?: IncomingMessage) => void,
  ): void;
}

/**
 * Sends a request through the Registry's own RestApiClient (same auth, agent and error translation) for
 * REST calls the Registry has no method for, e.g. PUT /twins/{id} or an unquoted If-Match.
 */
export function rawCall(
  registry: object,
  method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE',
  path: string,
  headers: Record<string, string> | null,
  body?: unknown,
): Promise<{ result: unknown; response: IncomingMessage }> {
  const rest = (registry as { _restApiClient: RestApiClientLike })._restApiClient;
  return new Promise((resolve, reject) => {
    rest.executeApiCall(method, path, headers, body ?? null, (error, result, response) => {
      if (error) reject(error);
      else resolve({ result, response: response! });
    });
  });
}
