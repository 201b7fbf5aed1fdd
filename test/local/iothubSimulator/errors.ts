// The hub's error vocabulary and wire format.
//
// Wire format (what the real service sends on the REST surface azure-iothub uses):
//   status <http>, header `iothub-errorcode: <Name>`, body
//   {"Message":"ErrorCode:<Name>;<description>","ExceptionMessage":"Tracking ID:<32 hex>-G:0-TimeStamp:<MM/dd/yyyy HH:mm:ss>"}
// The SDK's `Http.parseErrorBody` splits `Message` on ';' and ':' to get the code name and description
// (domain.md §6), and `RestApiClient.translateError` maps by HTTP status. The six-digit numbers below are the
// documented codes (troubleshoot-error-codes.md); this body format carries only the name, so the numbers are
// exported for assertions and documentation, not sent.
import { randomBytes } from 'node:crypto';
import { trackingTimestamp } from './time';

export const HUB_ERRORS = {
  InvalidProtocolVersion: { status: 400, code: 400001 },
  ArgumentInvalid: { status: 400, code: 400004 },
  ArgumentNull: { status: 400, code: 400005 },
  IotHubFormatError: { status: 400, code: 400006 },
  InvalidConfigurationTargetCondition: { status: 400, code: 400401 },
  InvalidConfigurationContent: { status: 400, code: 400402 },
  CannotModifyImmutableConfigurationContent: { status: 400, code: 400403 },
  InvalidConfigurationCustomMetricsQuery: { status: 400, code: 400404 },
  IotHubUnauthorizedAccess: { status: 401, code: 401002 },
  OperationNotAvailableInCurrentTier: { status: 403, code: 403010 },
  DeviceNotFound: { status: 404, code: 404001 },
  IotHubNotFound: { status: 404, code: 404002 },
  ModuleNotFound: { status: 404, code: 404010 },
  ConfigurationNotFound: { status: 404, code: 404301 },
  // The service SDKs' code list (JobNotFound 404002); troubleshoot-error-codes.md lists 429004.
  JobNotFound: { status: 404, code: 404002 },
  DeviceAlreadyExists: { status: 409, code: 409001 },
  ModuleAlreadyExistsOnDevice: { status: 409, code: 409301 },
  ConfigurationAlreadyExists: { status: 409, code: 409401 },
  PreconditionFailed: { status: 412, code: 412001 },
  MessageTooLarge: { status: 413, code: 413001 },
  TooManyModulesOnDevice: { status: 413, code: 413003 },
  ConfigurationCountLimitExceeded: { status: 413, code: 413101 },
  ThrottlingException: { status: 429, code: 429001 },
  ThrottlingMaxActiveJobCountExceeded: { status: 429, code: 429004 },
  ServerError: { status: 500, code: 500001 },
  // Not a hub code: answers routes this simulator does not implement, loudly (501), so a product calling an
  // unsupported endpoint fails visibly instead of reading a plausible 404 as "gone".
  NotImplementedBySimulator: { status: 501, code: 501000 },
  ServiceUnavailable: { status: 503, code: 503001 },
} as const satisfies Record<string, { status: number; code: number }>;

export type HubErrorName = keyof typeof HUB_ERRORS;

/** Thrown inside the simulator for any request the hub rejects; the server renders it on the wire. */
export class HubError extends Error {
  readonly status: number;
  readonly code: number;

  constructor(
    readonly errorCode: HubErrorName,
    readonly description: string,
  ) {
    super(`${errorCode}: ${description}`);
    this.name = 'HubError';
    this.status = HUB_ERRORS[errorCode].status;
    this.code = HUB_ERRORS[errorCode].code;
  }
}

export interface ErrorResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export function renderHubError(error: HubError, nowMs: number): ErrorResponse {
  // ';' separates code from description in the SDK's parser; a ';' inside the description would only truncate
  // the SDK's message, but keep descriptions readable by avoiding it.
  const description = error.description.replace(/;/g, ',');
  const body = JSON.stringify({
    Message: `ErrorCode:${error.errorCode};${description}`,
    ExceptionMessage: `Tracking ID:${randomBytes(16).toString('hex')}-G:0-TimeStamp:${trackingTimestamp(nowMs)}`,
  });
  return {
    status: error.status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'iothub-errorcode': error.errorCode },
    body,
  };
}
