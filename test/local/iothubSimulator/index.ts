// Public entry of the IoT Hub simulator: a local HTTPS stand-in for the IoT Hub REST surface that the real
// azure-iothub Registry talks to (simulator.ts), and the client seam that routes the SDK to it (client.ts).
//
//   const hub = await startIotHubSimulator({ throttle: { tier: 'S1', units: 1 } });
//   const registry = connectRegistry(hub);        // Registry.fromConnectionString + the loopback agent
//   await registry.create({ deviceId: 'd1' });
//   await registry.addModule({ deviceId: 'd1', moduleId: 'azureiotsecurity' });
//   hub.stats().byDevice.d1;                      // { createDevice: 1, createOrUpdateModule: 1 }
//   await hub.close();
export { startIotHubSimulator, IotHubSimulator } from './simulator';
export type { DeviceModuleEntry, IotHubSimulatorOptions, SeedDevicesOptions, SeedModulesOptions } from './simulator';
export { assertSavedHubState } from './persistence';
export type { SavedHubState } from './persistence';
export { createSimulatorAgent, connectRegistry, useSimulatorAgent } from './client';
export type { SimulatorAgentOptions, SimulatorConnectionInfo, TokenCredentialLike } from './client';
export type { SharedAccessPolicy } from './auth';
export type { AccessRight, OperationName } from './operations';
export type { EventGridEvent, TwinChangeNotification, ListenerErrorHook, ListenerErrorSource, Unsubscribe } from './events';
export type { FaultConfig, InjectedStatus } from './faults';
export type { ConfigurationOptions } from './configurations';
export type { HubTier, ThrottleConfig, ThrottleLimit, ThrottleLimits } from './throttle';
export { throttleLimits } from './throttle';
export type { SimulatorStats, OperationCounts, RejectionReason } from './stats';
export type { Clock } from './time';
export type { JsonObject, JsonValue } from './json';
export { HUB_ERRORS, HubError } from './errors';
export type { HubErrorName } from './errors';
export { TWIN_LIMITS } from './twinLimits';
