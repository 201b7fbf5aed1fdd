import { readFileSync } from 'node:fs';
import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import { Registry } from 'azure-iothub';
import type { Config } from '../../config/config';
import { createHubAgent, useHttpAgent } from './registryHttpAgent';

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
  const agent = createHubAgent({
    hostName: credential.hostName,
    maxSockets: 64,
    ...(iotHub.connectAddress === undefined ? {} : { connectAddress: iotHub.connectAddress }),
    ...(iotHub.caCertificatePath === undefined ? {} : { extraCaCertificate: readFileSync(iotHub.caCertificatePath) }),
  });
  return useHttpAgent(registry, agent);
}
