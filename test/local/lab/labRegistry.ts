// A client of the lab, written exactly as the README tells a user to write one: read .lab/lab.json,
// route the hub's host name to the simulator's port, trust its certificate, use the real SDK.
import { readFileSync } from 'node:fs';
import { Registry } from 'azure-iothub';
import { createHubAgent, useHttpAgent } from '../../../src/adapters/iothub/registryHttpAgent';
import type { LabInfo } from './labInfo';

export function readLabInfo(labJsonPath: string): LabInfo {
  return JSON.parse(readFileSync(labJsonPath, 'utf8')) as LabInfo;
}

export function labRegistry({ iotHub }: Pick<LabInfo, 'iotHub'>): Registry {
  const agent = createHubAgent({ hostName: iotHub.hostName, connectAddress: { host: '127.0.0.1', port: iotHub.port }, extraCaCertificate: readFileSync(iotHub.caCertPath) });
  return useHttpAgent(Registry.fromConnectionString(iotHub.connectionString), agent);
}
