/**
 * IoT Hub's error codes (troubleshoot-error-codes): names as they appear in `ErrorCode:<Name>;` bodies
 * and the `iothub-errorcode` header, and the 6-digit numbers newer responses carry as `errorCode`.
 */
export const iotHubErrorNames: Readonly<Record<number, string>> = {
  400004: 'ArgumentInvalid',
  400005: 'ArgumentNull',
  400006: 'IotHubFormatError',
  400023: 'EtagDoesNotMatch',
  400301: 'CannotRegisterModuleToModule',
  401002: 'IotHubUnauthorizedAccess',
  401003: 'IotHubUnauthorized',
  403002: 'IotHubQuotaExceeded',
  403010: 'OperationNotAvailableInCurrentTier',
  404001: 'DeviceNotFound',
  404002: 'IotHubNotFound',
  404010: 'ModuleNotFound',
  409001: 'DeviceAlreadyExists',
  409301: 'ModuleAlreadyExistsOnDevice',
  412000: 'GenericPreconditionFailed',
  412001: 'PreconditionFailed',
  413002: 'TooManyDevices',
  413003: 'TooManyModulesOnDevice',
  429001: 'ThrottlingException',
  429002: 'ThrottleBacklogLimitExceeded',
  429003: 'ThrottlingBacklogTimeout',
  429004: 'ThrottlingMaxActiveJobCountExceeded',
  429005: 'DeviceThrottlingLimitExceeded',
  500001: 'ServerError',
  503001: 'ServiceUnavailable',
  503005: 'ServerBusy',
};
