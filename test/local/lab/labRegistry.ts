// A client of the lab, written exactly as the README tells a user to write one: read .lab/lab.json,
// route the hub's host name to the simulator's port, trust its certificate, use the real SDK.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { connect } from 'node:tls';
import { Registry } from 'azure-iothub';
import type { LabInfo } from './labInfo';

export function readLabInfo(labJsonPath: string): LabInfo {
  return JSON.parse(readFileSync(labJsonPath, 'utf8')) as LabInfo;
}

export function labRegistry({ iotHub }: Pick<LabInfo, 'iotHub'>): Registry {
  const ca = readFileSync(iotHub.caCertPath);
  const agent = new Agent({ keepAlive: true, ca });
  agent.createConnection = (options, callback) =>
    connect({ ...(options as object), host: '127.0.0.1', port: iotHub.port, servername: iotHub.hostName, ca }, callback as () => void);
  const registry = Registry.fromConnectionString(iotHub.connectionString);
  (registry as unknown as { _restApiClient: { setOptions(options: unknown): void } })._restApiClient.setOptions({ http: { agent } });
  return registry;
}
