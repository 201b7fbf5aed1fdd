import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { connect } from 'node:tls';
import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import { Registry } from 'azure-iothub';
import type { Config } from '../../config/config';

/**
 * Builds the SDK's Registry from configuration: a connection string (SAS) or Entra ID through the managed
 * identity, with a bounded keep-alive agent. IOTHUB_CONNECT_ADDRESS / IOTHUB_CA_CERTIFICATE_PATH route the
 * hub's host name to another address and trust an extra CA, as the lab needs; TLS still checks the hub name.
 */
export function createRegistry(iotHub: Config['iotHub'], tokenCredential?: TokenCredential): Registry {
  const { credential } = iotHub;
  const registry =
    credential.kind === 'connectionString'
      ? Registry.fromConnectionString(credential.connectionString)
      : Registry.fromTokenCredential(
          credential.hostName,
          // DefaultAzureCredential: the managed identity in Azure, a developer's own sign-in under `func start`.
          tokenCredential ?? new DefaultAzureCredential(credential.clientId === undefined ? {} : { managedIdentityClientId: credential.clientId }),
        );

  const ca = iotHub.caCertificatePath === undefined ? undefined : readFileSync(iotHub.caCertificatePath);
  const agent = new Agent({ keepAlive: true, maxSockets: 64, ...(ca === undefined ? {} : { ca }) });
  const target = iotHub.connectAddress;
  if (target !== undefined) {
    agent.createConnection = (options, callback) =>
      connect({ ...(options as object), host: target.host, port: target.port, servername: credential.hostName, ...(ca === undefined ? {} : { ca }) }, callback as () => void);
  }
  // The SDK exposes no option for the agent; its constructor installs one on the REST client, which we replace.
  const restClient = (registry as unknown as { _restApiClient?: { setOptions?: (options: unknown) => void } })._restApiClient;
  if (typeof restClient?.setOptions !== 'function') {
    throw new Error('azure-iothub Registry no longer exposes its REST client; pin azure-iothub 1.16.x or update createRegistry');
  }
  restClient.setOptions({ http: { agent } });
  return registry;
}
