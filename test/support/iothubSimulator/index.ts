// Public entry of the IoT Hub simulator (see simulator.ts for what it is and client.ts for how to reach it).
export { startIotHubSimulator, IotHubSimulator } from './simulator';
export type { IotHubSimulatorOptions, SeedDevicesOptions, SeedModulesOptions } from './simulator';
export { createSimulatorAgent, connectRegistry, useSimulatorAgent } from './client';
export type { SimulatorAgentOptions, SimulatorConnectionInfo, TokenCredentialLike } from './client';
export type { SharedAccessPolicy } from './auth';
export type { AccessRight, OperationName } from './operations';
export type { EventGridEvent, TwinChangeNotification, ListenerErrorHook, ListenerErrorSource, Unsubscribe } from './events';
export type { FaultConfig, InjectedStatus } from './faults';
export type { HubTier, ThrottleConfig, ThrottleLimit, ThrottleLimits } from './throttle';
export { throttleLimits } from './throttle';
export type { SimulatorStats, OperationCounts, RejectionReason } from './stats';
export type { Clock } from './time';
export type { JsonObject, JsonValue } from './json';
export { HUB_ERRORS, HubError } from './errors';
export type { HubErrorName } from './errors';
export { TWIN_LIMITS } from './twinLimits';
