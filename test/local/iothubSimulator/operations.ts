// The REST operations the simulator serves: which throttle each one draws from and which shared access
// right it needs (iot-hub-devguide-security.md: registry reads need RegistryRead, registry writes
// RegistryWrite, back-end twin operations ServiceConnect; twin queries are allowed with either).
import type { ThrottleCategory } from './throttle';

export type AccessRight = 'RegistryRead' | 'RegistryWrite' | 'ServiceConnect' | 'DeviceConnect';

interface OperationSpec {
  readonly category: ThrottleCategory | undefined;
  /** Any one of these rights suffices. */
  readonly rights: readonly AccessRight[];
}

export const OPERATIONS = {
  createDevice: { category: 'identity', rights: ['RegistryWrite'] },
  updateDevice: { category: 'identity', rights: ['RegistryWrite'] },
  getDevice: { category: 'identity', rights: ['RegistryRead'] },
  deleteDevice: { category: 'identity', rights: ['RegistryWrite'] },
  listDevices: { category: 'identity', rights: ['RegistryRead'] },
  bulkDevices: { category: 'identity', rights: ['RegistryWrite'] },
  getRegistryStatistics: { category: 'identity', rights: ['RegistryRead'] },
  getServiceStatistics: { category: 'identity', rights: ['RegistryRead', 'ServiceConnect'] },
  createOrUpdateModule: { category: 'identity', rights: ['RegistryWrite'] },
  getModule: { category: 'identity', rights: ['RegistryRead'] },
  deleteModule: { category: 'identity', rights: ['RegistryWrite'] },
  listModules: { category: 'identity', rights: ['RegistryRead'] },
  getTwin: { category: 'twinRead', rights: ['ServiceConnect'] },
  updateTwin: { category: 'twinUpdate', rights: ['ServiceConnect'] },
  replaceTwin: { category: 'twinUpdate', rights: ['ServiceConnect'] },
  getModuleTwin: { category: 'twinRead', rights: ['ServiceConnect'] },
  updateModuleTwin: { category: 'twinUpdate', rights: ['ServiceConnect'] },
  replaceModuleTwin: { category: 'twinUpdate', rights: ['ServiceConnect'] },
  queryTwins: { category: 'query', rights: ['RegistryRead', 'ServiceConnect'] },
  // Scheduled twin-update jobs (twinJobs.ts): their tier checks and limits are the jobs' own.
  createTwinJob: { category: undefined, rights: ['ServiceConnect'] },
  getTwinJob: { category: undefined, rights: ['RegistryRead', 'ServiceConnect'] },
  cancelTwinJob: { category: undefined, rights: ['ServiceConnect'] },
  queryTwinJobs: { category: undefined, rights: ['RegistryRead', 'ServiceConnect'] },
  // Automatic device/module management (configurations.ts): the configurations throttle (20/min/unit).
  putConfiguration: { category: 'configuration', rights: ['RegistryWrite'] },
  getConfiguration: { category: 'configuration', rights: ['RegistryRead'] },
  deleteConfiguration: { category: 'configuration', rights: ['RegistryWrite'] },
  listConfigurations: { category: 'configuration', rights: ['RegistryRead'] },
  testConfigurationQueries: { category: 'configuration', rights: ['RegistryRead'] },
  applyConfigurationContent: { category: 'configuration', rights: ['RegistryWrite'] },
  // Requests for routes the simulator does not implement (answered 501, see errors.ts).
  unsupported: { category: undefined, rights: [] },
} as const satisfies Record<string, OperationSpec>;

export type OperationName = keyof typeof OPERATIONS;

export function operationSpec(name: OperationName): OperationSpec {
  return OPERATIONS[name];
}
