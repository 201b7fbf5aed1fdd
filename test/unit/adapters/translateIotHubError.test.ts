import { describe, expect, it } from 'vitest';
import { describeIotHubFailure, translateIotHubError } from '../../../src/adapters/iothub/translateIotHubError';

/** The shape azure-iothub's RestApiClient gives its errors: `.response` (IncomingMessage) and `.responseBody`. */
const sdkError = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  Object.assign(new Error('sdk message'), { response: { statusCode: status, headers }, responseBody: typeof body === 'string' ? body : JSON.stringify(body) });

describe('translateIotHubError', () => {
  it.each([
    [404, 'ErrorCode:DeviceNotFound;Device d1 not found', 'permanent', 'DeviceNotFound'],
    [404, 'ErrorCode:ModuleNotFound;Module not found', 'permanent', 'ModuleNotFound'],
    [409, 'ErrorCode:ModuleAlreadyExistsOnDevice;exists', 'permanent', 'ModuleAlreadyExistsOnDevice'],
    [412, 'ErrorCode:PreconditionFailed;etag mismatch', 'transient', 'PreconditionFailed'],
    [429, 'ErrorCode:ThrottlingException;throttled', 'transient', 'ThrottlingException'],
    [429, 'ErrorCode:ThrottlingBacklogTimeout;queued too long', 'transient', 'ThrottlingBacklogTimeout'],
    [503, 'ErrorCode:ServiceUnavailable;later', 'transient', 'ServiceUnavailable'],
    [500, 'ErrorCode:ServerError;oops', 'transient', 'ServerError'],
    [400, 'ErrorCode:ArgumentInvalid;bad key', 'validation', 'ArgumentInvalid'],
    [401, 'ErrorCode:IotHubUnauthorizedAccess;no', 'transient', 'IotHubUnauthorizedAccess'],
    [403, 'ErrorCode:IotHubQuotaExceeded;quota', 'transient', 'IotHubQuotaExceeded'],
  ])('HTTP %i %s → %s %s', (status, message, kind, code) => {
    const error = translateIotHubError(sdkError(status, { Message: message, ExceptionMessage: 'Tracking ID:abc' }), 'op');
    expect(error).toMatchObject({ kind, code });
    expect(error.message).toContain(`op: HTTP ${status} ${code}`);
  });

  it('reads the 6-digit code of newer JSON messages and the iothub-errorcode header', () => {
    const json = sdkError(404, { Message: JSON.stringify({ errorCode: 404010, trackingId: 't', message: 'Module m not found' }) });
    expect(translateIotHubError(json, 'get')).toMatchObject({ code: 'ModuleNotFound', message: 'get: HTTP 404 ModuleNotFound Module m not found' });
    const header = sdkError(409, 'not json', { 'iothub-errorcode': 'ModuleAlreadyExistsOnDevice' });
    expect(translateIotHubError(header, 'create')).toMatchObject({ kind: 'permanent', code: 'ModuleAlreadyExistsOnDevice' });
    expect(translateIotHubError(sdkError(409, '', { 'iothub-errorcode': '409301' }), 'create').code).toBe('ModuleAlreadyExistsOnDevice');
  });

  it('falls back to the status when the body names no code', () => {
    expect(translateIotHubError(sdkError(502, 'bad gateway'), 'op')).toMatchObject({ kind: 'transient', code: 'Http502' });
    expect(translateIotHubError(sdkError(418, {}), 'op')).toMatchObject({ kind: 'permanent', code: 'Http418' });
    expect(translateIotHubError(sdkError(408, {}), 'op')).toMatchObject({ kind: 'transient', code: 'Http408' });
  });

  it('treats failures without a response (dropped or refused connections) as transient', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(translateIotHubError(reset, 'op')).toMatchObject({ kind: 'transient', code: 'ECONNRESET' });
    expect(translateIotHubError(new Error('weird'), 'op')).toMatchObject({ kind: 'transient', code: 'NetworkError' });
    expect(translateIotHubError('not even an error', 'op')).toMatchObject({ kind: 'transient', code: 'NetworkError' });
  });

  it('retries in the same invocation only what the same request can fix', () => {
    expect(translateIotHubError(sdkError(429, {}), 'op')).toMatchObject({ kind: 'transient', retryNow: true });
    expect(translateIotHubError(sdkError(412, {}), 'op')).toMatchObject({ kind: 'transient', retryNow: false });
    expect(translateIotHubError(sdkError(401, {}), 'op')).toMatchObject({ kind: 'transient', code: 'Http401', retryNow: false });
    expect(translateIotHubError(sdkError(403, {}), 'op')).toMatchObject({ kind: 'transient', code: 'Http403', retryNow: false });
  });

  it('keeps no part of the request (its SAS Authorization header) in the translated error', () => {
    const sas = 'SharedAccessSignature sr=hub.azure-devices.net&sig=c2VjcmV0&se=1999999999&skn=iothubowner';
    const raw = Object.assign(sdkError(500, { Message: 'ErrorCode:ServerError;oops' }), { request: { headers: { authorization: sas } } });
    const error = translateIotHubError(raw, 'op');
    expect(JSON.stringify({ ...error, cause: error.cause })).not.toContain('c2VjcmV0');
    expect(error.cause).toEqual({ status: 500, code: 'ServerError', message: 'oops' });
  });

  it('keeps a Retry-After the service sends', () => {
    expect(describeIotHubFailure(sdkError(429, {}, { 'retry-after': '7' }))).toMatchObject({ status: 429, retryAfterMs: 7000 });
    expect(translateIotHubError(sdkError(429, {}, { 'retry-after': '2' }), 'op').retryAfterMs).toBe(2000);
    expect(describeIotHubFailure(sdkError(429, {})).retryAfterMs).toBeUndefined();
  });
});
